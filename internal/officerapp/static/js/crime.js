// A crime report (DOMAIN 4.4): the proposed offence, flags, when and where,
// the victim and any suspects, and what happened. The server starts the
// 24-hour NCRS decision clock from reported_at.
import { read, Problem } from "./api.js";
import { $, $$, el, fill, announce } from "./dom.js";
import { boot } from "./shell.js";
import { value, showProblems, localInput, fromLocalInput, placePicker, checks, ticked, follow, jobLink } from "./form.js";
import { title } from "./format.js";

const ctx = await boot();
const { outbox } = ctx;
ctx.conn.set(navigator.onLine ? "online" : "offline");
addEventListener("online", () => ctx.conn.set("online"));

let codes;
try {
  codes = (await read("/forms/codes")).data;
} catch (err) {
  $("#cr-load-error").textContent = err instanceof Problem && (err.status === 0 || err.status === 503)
    ? "Offline, and this phone has not yet saved the form's lists. Open this page once with a signal." : err.message;
  $("#cr-load-error").hidden = false;
  throw err;
}
let job = null;
try {
  job = (await read("/me/unit")).data.incident || null;
} catch { /* not booked on */ }

const groups = [...new Set(codes.offences.map((o) => o.group))];
const offence = $("#cr-offence");
fill(offence, el("option", { value: "" }, "Choose the offence"),
  groups.map((g) => el("optgroup", { label: title(g) }, codes.offences.filter((o) => o.group === g).map((o) => el("option", { value: o.code }, o.label)))));
checks($("#cr-flags"), "flags", codes.crime_flags.map((f) => [f, title(f)]));
checks($("#cr-hate"), "hate", codes.hate_strands.map((s) => [s, title(s)]));
$("#cr-flags").addEventListener("change", () => { $("#cr-hate-box").hidden = !ticked("flags").includes("HATE_CRIME"); });
$("#cr-reported").value = localInput();
const place = placePicker("cr", job);
const incident = jobLink("cr", job, "About my job");

let suspects = 0;
$("#cr-add-suspect").addEventListener("click", () => {
  const n = suspects++;
  $("#cr-suspects").append(el("div", { class: "suspect", dataset: { n } },
    el("p", { class: "nb-note" }, `Suspect ${n + 1}`),
    el("label", { for: `cr-s${n}-name` }, "Name"), el("input", { id: `cr-s${n}-name`, type: "text", autocomplete: "off", maxlength: 200 }),
    el("label", { for: `cr-s${n}-desc` }, "Or a description"), el("textarea", { id: `cr-s${n}-desc`, rows: 2, maxlength: 2000 })));
  $(`#cr-s${n}-name`).focus();
});
$("#cr-load-error").hidden = true;
$("#cr-form").hidden = false;

$("#cr-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const problems = {};
  const body = { offence: value("cr-offence"), flags: ticked("flags"), summary: value("cr-summary"), suspects: [] };
  if (!body.offence) problems["cr-offence"] = "Choose the offence";
  if (body.flags.includes("HATE_CRIME")) {
    body.hate_strands = ticked("hate");
    if (!body.hate_strands.length) problems["cr-hate"] = "Choose at least one strand of the hate crime";
  }
  const now = Date.now() + 5 * 60000;
  const reported = fromLocalInput($("#cr-reported").value);
  if (!reported) problems["cr-reported"] = "Enter when the report reached the police";
  else if (reported.getTime() > now) problems["cr-reported"] = "This cannot be in the future";
  else body.reported_at = reported.toISOString();
  const from = fromLocalInput($("#cr-from").value);
  const to = fromLocalInput($("#cr-to").value);
  if (from) body.committed_from = from.toISOString();
  if (to) body.committed_to = to.toISOString();
  if (from && from.getTime() > now) problems["cr-from"] = "This cannot be in the future";
  if (to && (to.getTime() > now || (from && to < from))) problems["cr-to"] = "This must be after the start and not in the future";
  const where = place.get();
  body.location = where.location;
  if (where.empty) problems["cr-address"] = "Enter where it happened, or use your position";
  body.victim = {};
  for (const [k, id] of [["name", "cr-v-name"], ["organisation", "cr-v-org"], ["date_of_birth", "cr-v-dob"], ["address", "cr-v-address"], ["phone", "cr-v-phone"], ["email", "cr-v-email"]]) {
    if (value(id)) body.victim[k] = value(id);
  }
  if (!body.victim.name && !body.victim.organisation) problems["cr-v-name"] = "Give the victim's name, or the organisation";
  for (const s of $$("#cr-suspects .suspect")) {
    const n = s.dataset.n;
    const p = {};
    if (value(`cr-s${n}-name`)) p.name = value(`cr-s${n}-name`);
    if (value(`cr-s${n}-desc`)) p.description = value(`cr-s${n}-desc`);
    if (p.name || p.description) body.suspects.push(p);
  }
  if (!body.summary) problems["cr-summary"] = "Say what happened";
  const mo = value("cr-mo");
  if (mo) body.modus_operandi = mo;
  if (incident()) body.incident_id = incident();
  if (showProblems($("#cr-form"), "cr-problems", problems)) return;
  body.client_id = crypto.randomUUID();
  body.taken_at = new Date().toISOString();
  const label = codes.offences.find((o) => o.code === body.offence).label;
  const item = await outbox.add({ id: body.client_id, kind: "crime", label: `Crime report: ${label}`, path: "/api/v1/crime-reports", body,
    meta: { incident: body.incident_id || 0 } });
  $("#cr-form").reset();
  $("#cr-suspects").replaceChildren();
  $("#cr-reported").value = localInput();
  place.reset();
  follow(outbox, item, "cr-state", (i) => `Crime report recorded at ${new Date(i.sentAt).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}: a supervisor decides whether to record it within 24 hours.`);
  announce($("#cr-state").textContent);
  $("#cr-state").scrollIntoView();
});
