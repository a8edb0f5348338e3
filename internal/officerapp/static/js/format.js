// Times as an officer reads them: 24-hour clock (DOMAIN 4.2), local time.

const hm = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const hms = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const dayHM = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

// clock formats a time as HH:MM.
export function clock(t) {
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? "" : hm.format(d);
}

// clockSeconds formats a time as HH:MM:SS.
export function clockSeconds(t) {
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? "" : hms.format(d);
}

// when formats a time as HH:MM today, or "27 Nov, HH:MM" on another day.
export function when(t, now = new Date()) {
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) return "";
  return d.toDateString() === now.toDateString() ? hm.format(d) : dayHM.format(d);
}

// iso is the machine-readable form for a <time datetime>.
export function iso(t) {
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

// label turns a code such as MENTAL_HEALTH into "mental health".
export function label(code) {
  return String(code || "").toLowerCase().replaceAll("_", " ");
}

// title is label with a capital: "High", "Mental health".
export function title(code) {
  const s = label(code);
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
