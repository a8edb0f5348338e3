// The book-on page: choose a unit, the shift's call sign, crew and skills.
// Booking on needs a connection: it is done at the start of a shift, and
// everything after it (statuses, updates) is about the unit booked on to.
import { api, read, Problem } from "./api.js";
import { $, el, fill } from "./dom.js";
import { boot } from "./shell.js";
import { label } from "./format.js";

const ctx = await boot();
ctx.conn.set("online");
addEventListener("online", () => ctx.conn.set("online"));
const error = $("#bookon-error");
const form = $("#bookon");

const showError = (text) => {
  error.textContent = text;
  error.hidden = false;
  error.focus();
};

let units = [];
let codes;
try {
  const [u, c] = await Promise.all([api("GET", "/units"), read("/codes")]);
  units = u.units;
  codes = c.data;
} catch (err) {
  $("#bookon-loading").hidden = true;
  showError(err instanceof Problem && err.status === 0
    ? "No connection: booking on needs a signal. Try again when you have one."
    : err.message);
  throw err;
}
let current = null;
try {
  current = (await api("GET", "/me/unit")).unit;
} catch (err) {
  if (!(err instanceof Problem) || err.status !== 404) throw err;
}
if (current) {
  const b = $("#booked");
  fill(b, `You are booked on to ${current.call_sign}. `, el("a", { href: "/app/" }, "Go to my unit"),
    ". Booking on to another unit takes you off this one.");
  b.hidden = false;
}

const stateLabels = new Map(codes.unit_states.map((s) => [s.code, s.label]));
units.sort((a, b) => a.call_sign.localeCompare(b.call_sign));
fill($("#unit"), el("option", { value: "" }, "Choose a unit"),
  units.map((u) => el("option", { value: u.id, selected: current && u.id === current.id },
    `${u.call_sign} · ${u.type} · ${stateLabels.get(u.state) || label(u.state)}${u.crew && u.crew.length ? ` · crew ${u.crew.join(", ")}` : ""}`)));
// The unit's skills come first, ticked; the force's others are a tap away.
const skill = (s, on) => el("label", { class: "check" },
  el("input", { type: "checkbox", name: "skills", value: s.code, checked: on }), " ", s.label);

const choose = () => {
  const u = units.find((x) => String(x.id) === $("#unit").value);
  $("#call-sign").value = u ? u.call_sign : "";
  $("#crew").value = u ? u.crew.filter((c) => c !== ctx.me.collar_number).join(" ") : "";
  const held = new Set(u ? u.skills.map((s) => s.skill) : []);
  fill($("#skills"), codes.skills.filter((s) => held.has(s.code)).map((s) => skill(s, true)));
  if (held.size === 0) $("#skills").append(el("p", { class: "sub" }, "None recorded on this unit."));
  fill($("#more-skills"), codes.skills.filter((s) => !held.has(s.code)).map((s) => skill(s, false)));
};
$("#unit").addEventListener("change", choose);
choose();
$("#bookon-loading").hidden = true;
form.hidden = false;

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  error.hidden = true;
  for (const f of form.querySelectorAll("[aria-invalid]")) f.removeAttribute("aria-invalid");
  const u = units.find((x) => String(x.id) === $("#unit").value);
  if (!u) {
    $("#unit").setAttribute("aria-invalid", "true");
    showError("Choose the unit you are booking on to.");
    return;
  }
  const ticked = [...form.querySelectorAll("input[name=skills]:checked")].map((b) => b.value);
  // A skill the unit already holds keeps its accreditation expiry.
  const skills = ticked.map((code) => u.skills.find((s) => s.skill === code) || { skill: code });
  const crew = $("#crew").value.toUpperCase().split(/[\s,;]+/).filter(Boolean);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await api("POST", "/me/unit", { unit_id: u.id, call_sign: $("#call-sign").value.trim().toUpperCase(), crew, skills });
  } catch (err) {
    button.disabled = false;
    const ids = { call_sign: "call-sign", crew: "crew", skills: "unit", unit_id: "unit" };
    for (const f of Object.keys(err.fields || {})) if (ids[f]) $("#" + ids[f]).setAttribute("aria-invalid", "true");
    const detail = Object.entries(err.fields || {}).map(([k, v]) => `${label(k)}: ${v}`).join("; ");
    showError(err.status === 0 ? "No connection: booking on needs a signal. Try again when you have one." : detail || err.message);
    return;
  }
  location.href = "/app/";
});
