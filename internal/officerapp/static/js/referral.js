// A safeguarding referral (DOMAIN 4.5): a typed message to a partner with
// only the fields its type lists, drawn from GET /api/v1/referral-types, and
// my referrals' delivery status.
import { api, read, Problem } from "./api.js";
import { $, el, fill, announce } from "./dom.js";
import { boot } from "./shell.js";
import { value, radio, showProblems, options } from "./form.js";
import { DONE, CONFLICT } from "./outbox.js";
import { when, title } from "./format.js";

const ctx = await boot();
const { outbox } = ctx;
ctx.conn.set(navigator.onLine ? "online" : "offline");
addEventListener("online", () => ctx.conn.set("online"));

let types = [];
let partners = [];
try {
  types = (await read("/referral-types")).data.referral_types;
  partners = (await read("/partners")).data.partners;
} catch (err) {
  fill($("#rf-none"), err instanceof Problem && (err.status === 0 || err.status === 503)
    ? "Offline, and this phone has not yet saved the referral types and partners. Open this page once with a signal." : err.message);
  $("#rf-none").hidden = false;
  throw err;
}
let job = null;
try {
  job = (await read("/me/unit")).data.incident || null;
} catch { /* not booked on */ }
if (job) {
  $("#rf-job-link").hidden = false;
  $("#rf-incident-label").textContent = `About my job ${job.number}`;
}
if (!partners.length) $("#rf-none").hidden = false;
else $("#rf-form").hidden = false;

options($("#rf-type"), "Choose the type", types.map((t) => [t.code, t.label]));
const type = () => types.find((t) => t.code === $("#rf-type").value);

function drawType() {
  const t = type();
  $("#rf-gateway").textContent = t ? `Shared under: ${t.gateway}` : "";
  options($("#rf-partner"), t ? "Choose the partner" : "Choose the type first",
    partners.filter((p) => t && p.accepts.includes(t.code)).map((p) => [p.id, p.name]));
  fill($("#rf-fields"), t ? t.fields.map(field) : []);
}

// field draws one of the type's fields as the kind of input it takes.
function field(f) {
  const id = "rf-f-" + f.name;
  const label = el("label", { for: id }, f.label, f.required ? "" : el("span", { class: "hint-inline" }, " (optional)"));
  switch (f.kind) {
    case "choice":
      return [label, el("select", { id, dataset: { field: f.name } }, el("option", { value: "" }, "Choose"), f.choices.map((c) => el("option", { value: c }, c)))];
    case "yes_no":
      return el("fieldset", { class: "inline" }, el("legend", {}, f.label),
        el("div", { class: "choices segmented", id }, ["yes", "no"].map((v) =>
          el("label", { class: "check" }, el("input", { type: "radio", name: id, value: v, dataset: { field: f.name } }), " ", title(v)))));
    case "date":
      return [label, el("input", { id, type: "date", dataset: { field: f.name } })];
    case "datetime":
      return [label, el("input", { id, type: "datetime-local", dataset: { field: f.name } })];
    case "number":
      return [label, el("input", { id, type: "number", inputmode: "numeric", min: f.min, max: f.max, dataset: { field: f.name } })];
    default:
      return [label, el("textarea", { id, rows: 3, maxlength: 4000, dataset: { field: f.name } })];
  }
}

$("#rf-type").addEventListener("change", drawType);
$("#rf-consent").addEventListener("change", () => { $("#rf-override-box").hidden = radio("consent") === "GIVEN"; });
drawType();

$("#rf-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const t = type();
  const problems = {};
  const body = { consent: { status: radio("consent") }, fields: {} };
  if (!t) problems["rf-type"] = "Choose the type of referral";
  body.type = $("#rf-type").value;
  body.partner_id = Number($("#rf-partner").value);
  if (!body.partner_id) problems["rf-partner"] = "Choose the partner to refer to";
  if (body.consent.status !== "GIVEN") {
    body.consent.override_reason = value("rf-override");
    if (!body.consent.override_reason) problems["rf-override"] = "Say why the referral is made without consent";
  }
  for (const f of t ? t.fields : []) {
    const id = "rf-f-" + f.name;
    let v = f.kind === "yes_no" ? radio(id) : value(id);
    if (f.kind === "datetime" && v) v = new Date(v).toISOString();
    if (v) body.fields[f.name] = v;
    else if (f.required) problems[id] = "Required for this type of referral";
  }
  if (job && !$("#rf-job-link").hidden && $("#rf-incident").checked) body.incident_id = job.id;
  if (showProblems($("#rf-form"), "rf-problems", problems)) return;
  const partner = partners.find((p) => p.id === body.partner_id);
  const item = await outbox.add({ kind: "referral", label: `${t.label} referral to ${partner.name}`, path: "/api/v1/referrals", body,
    meta: { incident: body.incident_id || 0 } });
  $("#rf-form").reset();
  drawType();
  follow(item);
});

function follow(item) {
  const st = $("#rf-state");
  const draw = (i) => {
    st.hidden = false;
    st.className = "pending-status" + (i.state === DONE ? " sent" : i.state === CONFLICT ? " conflict" : "");
    st.textContent = i.state === DONE ? `Referral ${i.answer && i.answer.referral ? i.answer.referral.reference : ""} recorded; the force is delivering it.`
      : i.state === CONFLICT ? `Not accepted: ${i.message}`
        : navigator.onLine ? "Sending the referral…" : "Referral kept on this phone, to send when there is a signal.";
  };
  draw(item);
  announce(st.textContent);
  outbox.on((ev) => { if (ev.item && ev.item.seq === item.seq) draw(ev.item); });
}

// Delivery status is read on request: it is personal data, so the read is
// an audited consultation with the reason SAFEGUARDING.
$("#rf-show").addEventListener("click", async () => {
  try {
    const r = await api("GET", "/referrals?mine=true&limit=20", undefined, { "Bluelamp-Reason": "SAFEGUARDING" });
    fill($("#rf-mine"), r.referrals.length ? r.referrals.map((x) => el("li", { class: "ob " + (x.status === "DELIVERED" ? "done" : x.status === "FAILED" ? "conflict" : "pending") },
      el("span", { class: "ob-label" }, `${x.reference} to ${x.partner}`),
      el("span", { class: "ob-meta" }, `${when(x.created_at)} · `, el("strong", {}, title(x.status)),
        x.acknowledgement ? " · acknowledged by the partner" : ""))) : el("li", { class: "sub" }, "None yet."));
  } catch (err) {
    fill($("#rf-mine"), el("li", { class: "ob-msg" }, err instanceof Problem && err.status === 0 ? "Delivery can be checked only with a signal." : err.message));
  }
});
