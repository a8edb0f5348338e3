// Live force log on the home page: the last few events, then every new one
// from the server-sent event stream. EventSource resumes by itself with
// Last-Event-ID after a dropped connection.
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

function setStatus(text, cls) {
  status.textContent = text;
  status.className = "status " + cls;
}

const es = new EventSource("/api/v1/events");
let loaded = false;
es.addEventListener("ready", async (m) => {
  setStatus("live", "ok");
  if (loaded) return;
  loaded = true;
  const head = JSON.parse(m.data).head;
  const res = await fetch(`/api/v1/log?after=${Math.max(0, head - 25)}&limit=25`);
  if (res.ok) (await res.json()).events.forEach(row);
});
es.onmessage = (m) => row(JSON.parse(m.data));
es.onopen = () => setStatus("live", "ok");
es.addEventListener("error", (m) => {
  if (m.data) {
    const code = JSON.parse(m.data).code;
    if (code === "signed_out") {
      es.close();
      location.href = "/signin?notice=expired";
      return;
    }
  }
  setStatus("reconnecting…", "warn");
});
