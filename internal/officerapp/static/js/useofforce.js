// The use-of-force form (DOMAIN 4.3): one per officer per incident, with
// tactics and whether each was effective, reasons, impact factors, outcome
// and injuries, the subject as the officer perceived them.
import { read, Problem } from "./api.js";
import { $, $$, el, announce } from "./dom.js";
import { boot } from "./shell.js";
import { value, checked, radio, showProblems, localInput, fromLocalInput, options, placePicker, checks, ticked, follow, jobLink } from "./form.js";

const ctx = await boot();
const { outbox } = ctx;
ctx.conn.set(navigator.onLine ? "online" : "offline");
addEventListener("online", () => ctx.conn.set("online"));

let codes;
try {
  codes = (await read("/forms/codes")).data;
} catch (err) {
  $("#uf-load-error").textContent = err instanceof Problem && (err.status === 0 || err.status === 503)
    ? "Offline, and this phone has not yet saved the form's lists. Open this page once with a signal." : err.message;
  $("#uf-load-error").hidden = false;
  throw err;
}
let job = null;
try {
  job = (await read("/me/unit")).data.incident || null;
} catch { /* not booked on */ }

const pairs = (list) => list.map((c) => [c.code, c.label]);
options($("#uf-location-type"), "Choose", pairs(codes.use_of_force_location_types));
options($("#uf-bwv"), "Choose", pairs(codes.body_worn_video));
options($("#uf-age"), "Choose", pairs(codes.use_of_force_age_bands));
options($("#uf-gender"), "Choose", pairs(codes.use_of_force_genders));
options($("#uf-ethnicity"), "Choose", codes.officer_defined_ethnicities.map((c) => [c.code, `${c.code} ${c.label}`]));
options($("#uf-subject-injury"), "Choose", pairs(codes.injury_levels));
options($("#uf-officer-injury"), "Choose", pairs(codes.injury_levels));
checks($("#uf-reasons"), "reasons", pairs(codes.use_of_force_reasons));
checks($("#uf-impact"), "impact", pairs(codes.impact_factors));
checks($("#uf-outcomes"), "outcomes", pairs(codes.use_of_force_outcomes));
// Each tactic ticked asks whether it worked, and what it was when it was
// improvised or other.
$("#uf-tactics").replaceChildren(...codes.tactics.map((t) => el("div", { class: "tactic", dataset: { tactic: t.code } },
  el("label", { class: "check" }, el("input", { type: "checkbox", name: "tactics", value: t.code, id: `uf-t-${t.code}` }), " ", t.label),
  el("div", { class: "tactic-more", hidden: true },
    el("div", { class: "choices segmented", id: `uf-t-${t.code}-eff`, role: "radiogroup", "aria-label": `${t.label}: effective?` },
      el("label", { class: "check" }, el("input", { type: "radio", name: `uf-t-${t.code}-eff`, value: "yes" }), " Effective"),
      el("label", { class: "check" }, el("input", { type: "radio", name: `uf-t-${t.code}-eff`, value: "no" }), " Not effective")),
    t.code === "IMPROVISED" || t.code === "OTHER" ? [el("label", { for: `uf-t-${t.code}-detail` }, "What it was"),
      el("input", { id: `uf-t-${t.code}-detail`, type: "text", autocomplete: "off", maxlength: 500 })] : null))));
$("#uf-tactics").addEventListener("change", () => {
  for (const d of $$("#uf-tactics .tactic")) d.querySelector(".tactic-more").hidden = !d.querySelector("input[name=tactics]").checked;
});
$("#uf-when").value = localInput();
const place = placePicker("uf", job);
const incident = jobLink("uf", job, "At my job");
$("#uf-load-error").hidden = true;
$("#uf-form").hidden = false;

$("#uf-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const problems = {};
  const when = fromLocalInput($("#uf-when").value);
  const body = {
    location_type: value("uf-location-type"), planned: checked("uf-planned"), body_worn_video: value("uf-bwv"),
    subject: { age_band: value("uf-age"), gender: value("uf-gender"), ethnicity: value("uf-ethnicity"),
      physical_health_condition: checked("uf-physical"), mental_health_condition: checked("uf-mental") },
    tactics: [], impact_factors: ticked("impact"), reasons: ticked("reasons"), outcomes: ticked("outcomes"),
    subject_injury: value("uf-subject-injury"), officer_injury: value("uf-officer-injury"),
    medical_assistance: checked("uf-medical"), officer_assaulted: checked("uf-assaulted"),
  };
  if (!when) problems["uf-when"] = "Enter when";
  else if (when.getTime() > Date.now() + 5 * 60000) problems["uf-when"] = "This cannot be in the future";
  else body.occurred_at = when.toISOString();
  const where = place.get();
  body.location = where.location;
  if (where.empty) problems["uf-address"] = "Enter where, or use your position";
  for (const [id, v, msg] of [["uf-location-type", body.location_type, "Choose the type of place"], ["uf-bwv", body.body_worn_video, "Say whether body-worn video recorded it"],
    ["uf-age", body.subject.age_band, "Choose the person's age"], ["uf-gender", body.subject.gender, "Choose the person's gender"],
    ["uf-ethnicity", body.subject.ethnicity, "Choose the ethnicity as you saw it, or IC9 Unknown"],
    ["uf-subject-injury", body.subject_injury, "Say whether the person was injured"], ["uf-officer-injury", body.officer_injury, "Say whether you were injured"]]) {
    if (!v) problems[id] = msg;
  }
  for (const code of ticked("tactics")) {
    const eff = radio(`uf-t-${code}-eff`);
    const t = { tactic: code, effective: eff === "yes" };
    if (!eff) problems[`uf-t-${code}-eff`] = "Say whether it was effective";
    if (code === "IMPROVISED" || code === "OTHER") {
      t.detail = value(`uf-t-${code}-detail`);
      if (!t.detail) problems[`uf-t-${code}-detail`] = "Say what it was";
    }
    body.tactics.push(t);
  }
  if (!body.tactics.length) problems[`uf-t-${codes.tactics[0].code}`] = "Tick at least one tactic";
  if (!body.reasons.length) problems["uf-reasons"] = "Tick at least one reason";
  if (!body.outcomes.length) problems["uf-outcomes"] = "Tick at least one outcome";
  const narrative = value("uf-narrative");
  if (narrative) body.narrative = narrative;
  if (incident()) body.incident_id = incident();
  if (showProblems($("#uf-form"), "uf-problems", problems)) return;
  body.client_id = crypto.randomUUID();
  body.taken_at = new Date().toISOString();
  const item = await outbox.add({ id: body.client_id, kind: "useofforce", label: `Use of force: ${body.tactics.length} tactic${body.tactics.length === 1 ? "" : "s"}`,
    path: "/api/v1/use-of-force", body, meta: { incident: body.incident_id || 0 } });
  $("#uf-form").reset();
  for (const d of $$("#uf-tactics .tactic-more")) d.hidden = true;
  $("#uf-when").value = localInput();
  place.reset();
  follow(outbox, item, "uf-state", () => "Use of force recorded.");
  announce($("#uf-state").textContent);
  $("#uf-state").scrollIntoView();
});
