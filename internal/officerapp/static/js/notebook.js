// The pocket notebook (DOMAIN 4.2): my entries, newest first, and a new
// entry or a correction of an earlier one. Entries go through the outbox,
// with the time written on the phone (taken_at); the server numbers them
// in the order they arrive, with no gaps. Nothing here edits or deletes.
import { read, Problem } from "./api.js";
import { $, el, fill, announce } from "./dom.js";
import { boot } from "./shell.js";
import { showProblems } from "./form.js";
import { PENDING, CONFLICT } from "./outbox.js";
import { when, clock, iso } from "./format.js";

const ctx = await boot();
const { outbox } = ctx;
ctx.conn.set(navigator.onLine ? "online" : "offline");
addEventListener("online", () => { ctx.conn.set("online"); draw(); });

let job = null;
try {
  job = (await read("/me/unit")).data.incident || null;
} catch { /* not booked on, or no copy offline */ }
if (job) {
  $("#nb-job-link").hidden = false;
  $("#nb-incident-label").textContent = `About my job ${job.number}`;
}

let corrects = 0;
function correcting(n) {
  corrects = n;
  $("#nb-correcting").hidden = !n;
  $("#nb-correcting-text").textContent = n ? `Correcting entry ${n}. ` : "";
  if (n) {
    $("#new").scrollIntoView();
    $("#nb-text").focus();
  }
}
$("#nb-cancel").addEventListener("click", () => correcting(0));

$("#nb-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("#nb-text").value.trim();
  const problems = {};
  if (!text) problems["nb-text"] = "Write the entry first";
  else if (new TextEncoder().encode(text).length > 20000) problems["nb-text"] = "An entry can be at most 20,000 bytes: continue in a new entry";
  if (showProblems($("#nb-form"), "nb-problems", problems)) return;
  const id = crypto.randomUUID();
  const body = { client_id: id, taken_at: new Date().toISOString(), text };
  if (corrects) body.corrects = corrects;
  if (job && $("#nb-incident").checked) body.incident_id = job.id;
  await outbox.add({
    id, kind: "notebook", label: corrects ? `Notebook: correction of entry ${corrects}` : "Notebook entry",
    path: "/api/v1/notebook", body, meta: { text, corrects, incident: body.incident_id || 0 },
  });
  $("#nb-text").value = "";
  correcting(0);
  announce(navigator.onLine ? "Entry sent to your notebook." : "Entry kept on this phone, to send when there is a signal.");
  draw();
});

async function draw() {
  const waiting = (await outbox.items()).filter((i) => i.kind === "notebook" && (i.state === PENDING || i.state === CONFLICT));
  let entries = [];
  let state = "";
  try {
    const r = await read("/notebook");
    entries = r.data.entries || [];
    if (r.cached) state = `Offline — your notebook as of ${clock(r.fetchedAt)}.`;
  } catch (err) {
    state = err instanceof Problem && (err.status === 0 || err.status === 503) ? "Offline: your entries will show when there is a signal." : err.message;
  }
  $("#nb-state").textContent = state;
  fill($("#nb-entries"),
    waiting.reverse().map((i) => el("li", { class: "nb-entry " + i.state, dataset: { seq: i.seq } },
      el("p", { class: "nb-head" }, el("strong", {}, i.state === CONFLICT ? "Not accepted" : "Waiting to send"),
        " · written ", el("time", { datetime: iso(i.takenAt) }, when(i.takenAt)), i.meta.corrects ? ` · corrects entry ${i.meta.corrects}` : ""),
      el("p", { class: "nb-text" }, i.meta.text),
      i.state === CONFLICT && el("p", { class: "ob-msg" }, i.message))),
    entries.map((n) => el("li", { class: "nb-entry", id: `entry-${n.number}`, dataset: { number: n.number } },
      el("p", { class: "nb-head" }, el("strong", {}, `Entry ${n.number}`), " · ",
        el("time", { datetime: iso(n.recorded_at) }, when(n.recorded_at)),
        n.taken_at && Math.abs(Date.parse(n.taken_at) - Date.parse(n.recorded_at)) > 60000 ? ` (written ${when(n.taken_at)})` : "",
        n.incident_number ? ` · job ${n.incident_number}` : ""),
      n.corrects ? el("p", { class: "nb-note" }, `Corrects entry ${n.corrects}`) : null,
      el("p", { class: "nb-text" }, n.text),
      n.corrected_by && n.corrected_by.length ? el("p", { class: "nb-note" }, `Corrected by entry ${n.corrected_by.join(", ")}`) : null,
      el("button", { type: "button", class: "secondary small", onclick: () => correcting(n.number) }, `Correct entry ${n.number}`))));
  if (!waiting.length && !entries.length) $("#nb-entries").append(el("li", { class: "sub" }, "No entries yet."));
}

outbox.on((ev) => { if (ev.type !== "sending") draw(); });
await draw();
if (location.hash === "#new") $("#nb-text").focus();
