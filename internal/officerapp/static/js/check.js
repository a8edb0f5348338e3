// Record checks: a person, a vehicle or a place, always with a reason
// (DPA 2018 s.62; PNC-style reason codes). Checks need a signal: the
// answers are never kept on the phone.
import { api, read, Problem } from "./api.js";
import { $, $$, el, fill } from "./dom.js";
import { boot } from "./shell.js";
import { value, radio, showProblems, options } from "./form.js";
import { markerList } from "./markers.js";

const ctx = await boot();
ctx.conn.set(navigator.onLine ? "online" : "offline");
addEventListener("online", () => ctx.conn.set("online"));
addEventListener("offline", () => ctx.conn.set("offline"));

const reasons = (await read("/reason-codes")).data.reason_codes;
let job = null;
try {
  job = (await read("/me/unit")).data.incident || null;
} catch { /* not booked on */ }
options($("#ck-reason"), "Choose a reason", reasons.map((r) => [r.code, r.label]));
if (job) {
  $("#ck-reason").value = "INCIDENT";
  $("#ck-incident").value = job.number;
  if (job.location && job.location.position) $("#ck-near-job").hidden = false;
}

let near = null;
$("#ck-near-job").addEventListener("click", () => {
  near = job.location.position;
  $("#ck-address").value = "";
  $("#ck-address").placeholder = `Within 100 m of job ${job.number}`;
});

const follow = () => {
  const k = radio("kind");
  for (const w of ["person", "vehicle", "place"]) for (const e of $$(".when-" + w)) e.hidden = k !== w;
  const r = reasons.find((x) => x.code === $("#ck-reason").value);
  $("#ck-why-hint").textContent = r && r.text_required ? "(required for this reason)" : "(optional for this reason)";
};
$("#ck-form").addEventListener("change", follow);
follow();

$("#ck-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const kind = radio("kind");
  const problems = {};
  const q = new URLSearchParams();
  let path = "";
  if (kind === "person") {
    path = "/persons";
    if (!value("ck-surname")) problems["ck-surname"] = "Enter a surname";
    q.set("surname", value("ck-surname"));
    if (value("ck-forename")) q.set("forename", value("ck-forename"));
    if (value("ck-dob")) q.set("dob", value("ck-dob"));
  } else if (kind === "vehicle") {
    path = "/vehicles";
    const vrm = value("ck-vrm").toUpperCase().replace(/\s+/g, "");
    if (!vrm) problems["ck-vrm"] = "Enter a registration";
    q.set("vrm", vrm);
  } else {
    path = "/locations";
    if (near && !value("ck-address")) {
      q.set("lat", near.lat);
      q.set("lon", near.lon);
      q.set("radius", "100");
    } else if (value("ck-address")) {
      q.set("q", value("ck-address"));
    } else {
      problems["ck-address"] = "Enter an address or postcode";
    }
  }
  const reason = reasons.find((r) => r.code === $("#ck-reason").value);
  if (!reason) problems["ck-reason"] = "Choose why you are checking";
  else if (reason.text_required && !value("ck-why")) problems["ck-why"] = "Say why: this reason needs it";
  if (showProblems($("#ck-form"), "ck-problems", problems)) return;
  const headers = { "Bluelamp-Reason": reason.code };
  if (value("ck-why")) headers["Bluelamp-Justification"] = encodeURIComponent(value("ck-why"));
  if (value("ck-incident")) headers["Bluelamp-Incident"] = encodeURIComponent(value("ck-incident"));
  const button = $("#ck-form button[type=submit]");
  button.disabled = true;
  try {
    show(kind, await api("GET", `${path}?${q}`, undefined, headers));
  } catch (err) {
    const ids = { surname: "ck-surname", forename: "ck-forename", dob: "ck-dob", vrm: "ck-vrm", q: "ck-address", reason: "ck-reason", justification: "ck-why", incident_ref: "ck-incident" };
    const mapped = {};
    for (const [f, msg] of Object.entries(err.fields || {})) mapped[ids[f] || "ck-reason"] = msg;
    if (!Object.keys(mapped).length) {
      mapped["ck-reason"] = err instanceof Problem && err.status === 0 ? "Checks need a signal: try again when you have one" : err.message;
    }
    showProblems($("#ck-form"), "ck-problems", mapped);
  } finally {
    button.disabled = false;
  }
});

function show(kind, page) {
  const list = page.persons || page.vehicles || page.locations || [];
  $("#ck-results").hidden = false;
  $("#ck-count").textContent = page.total === 0 ? "No record found." : `${page.total} found${page.total > list.length ? `, the first ${list.length} shown` : ""}.`;
  fill($("#ck-list"), list.map((r) => el("li", { class: "record" },
    r.markers && r.markers.length ? el("div", { class: "markers" }, el("p", { class: "markers-h" }, "Warning markers"), markerList(r.markers))
      : el("p", { class: "sub" }, "No warning markers."),
    kind === "person" ? person(r) : kind === "vehicle" ? vehicle(r) : place(r))));
  $("#ck-results").scrollIntoView();
  $("#ck-results-h").focus({ preventScroll: true });
}

function person(p) {
  return el("div", {}, el("h3", {}, `${p.surname.toUpperCase()}, ${p.forenames}`),
    el("p", {}, [p.date_of_birth && `born ${p.date_of_birth}`, p.sex && `sex ${p.sex}`].filter(Boolean).join(" · ")),
    p.vulnerable && el("p", { class: "pending-status" }, `Vulnerable${p.vulnerability ? `: ${p.vulnerability}` : ""}`),
    p.interpreter && el("p", {}, `Needs an interpreter${p.language ? ` (${p.language})` : ""}`),
    p.description && el("p", {}, p.description),
    (p.addresses || []).length > 0 && el("p", { class: "sub" }, p.addresses.map((a) => [a.address, a.postcode].filter(Boolean).join(" ")).join("; ")));
}

function vehicle(v) {
  return el("div", {}, el("h3", {}, v.vrm), el("p", {}, [v.colour, v.make, v.model].filter(Boolean).join(" ")),
    v.keeper && el("div", { class: "keeper" }, el("p", { class: "markers-h" }, "Registered keeper"),
      v.keeper.markers && v.keeper.markers.length ? el("div", { class: "markers" }, markerList(v.keeper.markers)) : null, person(v.keeper)));
}

function place(l) {
  return el("div", {}, el("h3", {}, l.address), el("p", {}, [l.postcode, l.distance_m != null && `${Math.round(l.distance_m)} m away`].filter(Boolean).join(" · ")),
    l.description && el("p", {}, l.description));
}
