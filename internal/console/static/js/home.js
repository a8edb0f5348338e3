// Live force log on the home page: the last few events, then every new one
// from the event stream, resuming after a dropped connection (live.js).
import { connect } from "./live.js";

const list = document.getElementById("log");
const status = document.getElementById("stream-status");
const seen = new Set();
const maxRows = 50;

function row(e) {
  if (seen.has(e.seq)) return;
  seen.add(e.seq);
  const li = document.createElement("li");
  li.dataset.seq = e.seq;
  const time = document.createElement("time");
  time.dateTime = e.time;
  time.textContent = e.time.slice(11, 19);
  const type = document.createElement("span");
  type.className = "type";
  type.textContent = e.type;
  const who = document.createElement("span");
  who.className = "actor";
  const what = e.type === "log.note" ? e.payload.text : e.subject;
  who.textContent = what ? `${what} · ${e.actor}` : e.actor;
  li.append(time, " ", type, " ", who);
  // Newest first, in sequence order even when history and live cross.
  const next = [...list.children].find((x) => Number(x.dataset.seq) < e.seq);
  list.insertBefore(li, next || null);
  while (list.children.length > maxRows) list.lastElementChild.remove();
}

function setStatus(s) {
  status.textContent = s === "live" ? "live" : "reconnecting…";
  status.className = "status " + (s === "live" ? "ok" : "warn");
}

// history shows the last 25 events before head.
async function history(head) {
  const res = await fetch(`/api/v1/log?after=${Math.max(0, head - 25)}&limit=25`);
  if (res.ok) (await res.json()).events.forEach(row);
}

// The stream starts at the head: read it, show what came before, then go live.
const first = await fetch("/api/v1/log?limit=1");
const head = first.ok ? (await first.json()).head : 0;
connect({
  after: head,
  onEvent: row,
  onStatus: setStatus,
  onReset: async () => {
    const r = await fetch("/api/v1/log?limit=1");
    const h = (await r.json()).head;
    await history(h);
    return h;
  },
});
history(head);
