// The forms page: new forms, and my recent ones: what the force has (GET
// /api/v1/forms, summaries that name no one), after what is still on this
// phone. A form the phone sent is matched to the force's copy by its
// client id, so it is listed once.
import { read, Problem } from "./api.js";
import { $, el, fill } from "./dom.js";
import { boot } from "./shell.js";
import { PENDING, CONFLICT } from "./outbox.js";
import { when, clock, iso } from "./format.js";

const ctx = await boot();
const { outbox } = ctx;
ctx.conn.set(navigator.onLine ? "online" : "offline");
addEventListener("online", () => { ctx.conn.set("online"); draw(); });

const formKinds = new Set(["stopsearch", "notebook", "crime", "useofforce", "exhibit", "referral"]);

async function draw() {
  const items = (await outbox.items()).filter((i) => formKinds.has(i.kind));
  let forms = [];
  let state = "";
  try {
    const r = await read("/forms");
    forms = r.data.forms;
    if (r.cached) state = `Offline — the force's list as of ${clock(r.fetchedAt)}.`;
  } catch (err) {
    state = err instanceof Problem && (err.status === 0 || err.status === 503) ? "Offline: only what is on this phone is listed." : err.message;
  }
  $("#mine-state").textContent = state;
  const sent = new Set(forms.map((f) => f.client_id).filter(Boolean));
  const local = items.filter((i) => (i.state === PENDING || i.state === CONFLICT) || !sent.has(i.id)).reverse();
  fill($("#mine"),
    local.map((i) => el("li", { class: "ob " + i.state, dataset: { seq: i.seq } },
      el("span", { class: "ob-label" }, i.label),
      el("span", { class: "ob-meta" }, "Taken at ", el("time", { datetime: iso(i.takenAt) }, when(i.takenAt)), " · ",
        el("strong", {}, i.state === PENDING ? "waiting to send" : i.state === CONFLICT ? "not accepted" : "sent")),
      i.kind === "stopsearch" && el("a", { href: `/app/forms/stop-search?receipt=${i.seq}` }, "Show the receipt"))),
    forms.map((f) => {
      const mine = items.find((i) => i.id === f.client_id && i.kind === "stopsearch");
      return el("li", { class: "ob done", dataset: { form: f.id } },
        el("span", { class: "ob-label" }, f.label),
        el("span", { class: "ob-meta" }, "Recorded ", el("time", { datetime: iso(f.recorded_at) }, when(f.recorded_at)),
          f.incident_number ? ` · job ${f.incident_number}` : ""),
        mine && el("a", { href: `/app/forms/stop-search?receipt=${mine.seq}` }, "Show the receipt"));
    }));
  if (!local.length && !forms.length) $("#mine").append(el("li", { class: "sub" }, "None yet."));
}

outbox.on(draw);
await draw();
