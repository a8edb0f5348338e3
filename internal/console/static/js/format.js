// How records print: the same words as the server's first render
// (internal/console/view.go), so a row drawn live looks like one drawn there.

// parseDuration reads Go duration text ("15m0s", "1h0m0s") as milliseconds.
export function parseDuration(s) {
  if (typeof s === "number") return s / 1e6;
  let ms = 0;
  for (const m of String(s || "").matchAll(/([0-9.]+)(h|ms|m|s|us|µs|ns)/g)) {
    const n = Number(m[1]);
    ms += n * { h: 3600e3, m: 60e3, s: 1e3, ms: 1, us: 1e-3, "µs": 1e-3, ns: 1e-6 }[m[2]];
  }
  return ms;
}

const pad = (n) => String(n).padStart(2, "0");

// fmtDuration is m:ss under an hour, h:mm:ss under two days, then days and hours.
export function fmtDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s >= 48 * 3600) return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
  if (s >= 3600) return `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return `${Math.floor(s / 60)}:${pad(s % 60)}`;
}

export function clockText(state, remaining) {
  switch (state) {
    case "PENDING": return "not started";
    case "RUNNING": return `${fmtDuration(remaining)} left`;
    case "WARNING": return `due soon: ${fmtDuration(remaining)} left`;
    case "BREACHED": return `BREACHED ${fmtDuration(-remaining)} over`;
    case "MET": return "met";
    case "MISSED": return `missed by ${fmtDuration(-remaining)}`;
  }
  return String(state).toLowerCase();
}

// clockState is where a running clock stands at now.
export function clockState(due, warn, now) {
  const remaining = due - now;
  if (remaining < 0) return ["BREACHED", remaining];
  if (remaining <= warn) return ["WARNING", remaining];
  return ["RUNNING", remaining];
}

const t = (iso) => (iso ? Date.parse(iso) : null);

// attendanceClocks is bluelamp.AttendanceClocks: the call clock (from the
// later of call received and the current grade) and the dispatch clock,
// each only when the grade sets a target for it.
export function attendanceClocks(inc, g, now) {
  const out = [];
  const at = inc.closed_at && t(inc.closed_at) < now ? t(inc.closed_at) : now;
  const target = parseDuration(inc.location && inc.location.rural ? g.rural_target : g.urban_target);
  const warn = parseDuration(g.warn_before);
  const arrived = t(inc.first_arrived_at);
  if (target > 0) {
    let start = t(inc.received_at);
    const graded = t(inc.graded_at);
    if (graded > start) start = graded;
    out.push(clock("CALL", start, target, warn, arrived, at));
  }
  const dt = parseDuration(g.dispatch_target);
  if (dt > 0) out.push(clock("DISPATCH", t(inc.first_dispatched_at), dt, warn, arrived, at));
  return out;
}

function clock(basis, start, target, warn, arrived, now) {
  const c = { basis, state: "PENDING", warn, due: null, remaining: 0 };
  if (start === null || Number.isNaN(start)) return c;
  c.due = start + target;
  if (arrived !== null) {
    c.remaining = c.due - arrived;
    c.state = c.remaining < 0 ? "MISSED" : "MET";
    c.stopped = true;
    return c;
  }
  [c.state, c.remaining] = clockState(c.due, warn, now);
  return c;
}

export function gradeSetting(settings, grade) {
  return (settings.grades || []).find((g) => g.grade === grade) || { grade, code: grade, label: grade };
}

export const gradeRank = (g) => {
  const i = ["IMMEDIATE", "PRIORITY", "STANDARD", "SCHEDULED", "RESOLVED_WITHOUT_DEPLOYMENT"].indexOf(g);
  return i < 0 ? 5 : i;
};

export const gradeClass = (g) => "g-" + String(g).toLowerCase();
export const stateClass = (s) => "st-" + String(s).toLowerCase().replaceAll("_", "-");

export function resourcingLabel(r) {
  return { AWAITING: "Awaiting unit", ASSIGNED: "Assigned", EN_ROUTE: "En route", AT_SCENE: "At scene", CLEARED: "Cleared" }[r] || r;
}

export function label(list, code) {
  const x = (list || []).find((i) => i.code === code);
  return x ? x.label : code;
}

// codeLabel turns MENTAL_HEALTH into "Mental health".
export const codeLabel = (c) => String(c).charAt(0) + String(c).slice(1).toLowerCase().replaceAll("_", " ");

const formats = new Map();
// hhmm prints a time as HH:MM in the force's time zone.
export function hhmm(iso, tz) {
  if (!iso) return "";
  let f = formats.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: tz || undefined });
    } catch {
      f = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });
    }
    formats.set(tz, f);
  }
  return f.format(new Date(iso));
}

export const iso = (ms) => new Date(ms).toISOString();

// codeFor is the force's first status code for a canonical state.
export function codeFor(settings, state) {
  const c = (settings.status_codes || []).find((s) => s.state === state);
  return c ? c.code : null;
}

export function fmtDistance(m) {
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}

// fmtAge is how long ago, in words: "just now", "12 min", "2 h 5 min".
export function fmtAge(ms) {
  const m = Math.floor(ms / 60000);
  if (m < 1) return "just now";
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min ago`;
  return `${Math.floor(h / 24)} days ago`;
}

// fixAge is how long ago a position fix was, in words: "40 s ago",
// "4 min ago" (view.go fmtAge says the same).
export function fixAge(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
  return `${Math.floor(s / 86400)} days ago`;
}

const longFormats = new Map();
// hhmmss prints a time as HH:MM:SS in the force's time zone.
export function hhmmss(iso, tz) {
  if (!iso) return "";
  let f = longFormats.get(tz);
  if (!f) {
    const o = { hour: "2-digit", minute: "2-digit", second: "2-digit" };
    try {
      f = new Intl.DateTimeFormat("en-GB", { ...o, timeZone: tz || undefined });
    } catch {
      f = new Intl.DateTimeFormat("en-GB", o);
    }
    longFormats.set(tz, f);
  }
  return f.format(new Date(iso));
}
