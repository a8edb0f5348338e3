// The stop-and-search form (PACE Code A, DOMAIN 4.1). It checks what the
// server checks before the form goes into the outbox, so a form taken with
// no signal is not refused later for a field the officer could have fixed
// at the time; the server stays the judge, and whatever it refuses comes
// back as a conflict. The receipt reference is made on the phone from the
// form's client id, so the person gets their receipt at once, signal or not.
import { read, Problem } from "./api.js";
import { $, $$, announce } from "./dom.js";
import { boot } from "./shell.js";
import { value, checked, radio, showProblems, here, localInput, fromLocalInput, options } from "./form.js";
import { stopSearchReference, requestUntil } from "./reference.js";
import { drawReceipt } from "./receipt.js";
import { DONE, CONFLICT } from "./outbox.js";
import { clock } from "./format.js";

const ctx = await boot();
const { me, outbox } = ctx;
ctx.conn.set(navigator.onLine ? "online" : "offline");
addEventListener("online", () => ctx.conn.set("online"));

const form = $("#ss-form");
let codes;
let force;
let job = null;
try {
  [codes, force] = await Promise.all([read("/forms/codes").then((r) => r.data), read("/force").then((r) => r.data)]);
} catch (err) {
  const e = $("#ss-load-error");
  e.textContent = err instanceof Problem && (err.status === 0 || err.status === 503)
    ? "Offline, and this phone has not yet saved the form's lists. Open this page once with a signal."
    : err.message;
  e.hidden = false;
  throw err;
}
try {
  job = (await read("/me/unit")).data.incident || null;
} catch { /* not booked on, or offline with no copy: no job to link */ }

// A receipt shown again from the forms list: ?receipt=SEQ of the outbox.
const again = new URLSearchParams(location.search).get("receipt");
if (again) {
  const item = (await outbox.items()).find((i) => String(i.seq) === again && i.kind === "stopsearch");
  if (item) showReceipt(item);
}

options($("#ss-sde"), "Choose", codes.self_defined_ethnicities.map((c) => [c.code, `${c.code} ${c.label}`]));
options($("#ss-ode"), "Choose", codes.officer_defined_ethnicities.map((c) => [c.code, `${c.code} ${c.label}`]));
options($("#ss-gender"), "Choose", codes.genders.map((g) => [g, g]));
options($("#ss-age"), "Choose", codes.age_ranges.map((a) => [a, a]));
options($("#ss-power"), "Choose the power", codes.legislation.map((l) => [l.code, l.code]));
options($("#ss-object"), "Choose", codes.objects_of_search.map((o) => [o, o]));
options($("#ss-outcome"), "Choose", codes.search_outcomes.map((o) => [o, o]));
$("#ss-when").value = localInput();
if (job) {
  $("#ss-job-link").hidden = false;
  $("#ss-incident-label").textContent = `Linked to my job ${job.number}`;
  if (job.location && job.location.address) $("#ss-job-address").hidden = false;
}

let position = null;
$("#ss-here").addEventListener("click", async () => {
  const out = $("#ss-position");
  out.textContent = "Finding your position…";
  try {
    position = await here();
    out.textContent = `Position found, to within ${Math.round(position.accuracy)} m.`;
  } catch (err) {
    out.textContent = err.message;
  }
});
$("#ss-job-address").addEventListener("click", () => {
  $("#ss-address").value = job.location.address;
  if (job.location.position) position = { ...job.location.position };
  $("#ss-position").textContent = `The address of job ${job.number}.`;
});

// What the form shows follows the choices: a person's details for a
// person, a registration for a vehicle, grounds or an authorisation for
// the power, details of an injury, why the record is late.
const power = () => codes.legislation.find((l) => l.code === $("#ss-power").value);
function follow() {
  const type = radio("type");
  const vehicle = type !== "Person search";
  const person = type !== "Vehicle search" || checked("ss-involved");
  for (const e of $$(".when-vehicle")) e.hidden = !vehicle;
  for (const e of $$(".when-person")) e.hidden = !person;
  const p = power();
  $("#ss-suspicion").hidden = Boolean(p) && !p.suspicion;
  $("#ss-authorisation").hidden = !p || p.suspicion;
  $("#ss-injury-box").hidden = !checked("ss-injury");
  $("#ss-late-box").hidden = checked("ss-at-time");
}
form.addEventListener("change", follow);
follow();
$("#ss-load-error").hidden = true;
if (!again) form.hidden = false;

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const { body, problems } = collect();
  if (showProblems(form, "ss-problems", problems)) return;
  const id = crypto.randomUUID();
  body.client_id = id;
  body.taken_at = new Date().toISOString();
  const reference = stopSearchReference(id);
  const receipt = {
    reference, force_name: force.name, searched_at: body.searched_at, place: body.location.address || placeOf(body.location.position),
    collar_number: me.collar_number, officer_name: body.officer_name_withheld ? "" : me.display_name,
    legislation: body.legislation, request_until: requestUntil(body.searched_at, body.outcome).toISOString(),
  };
  const item = await outbox.add({
    id, kind: "stopsearch", label: `Stop and search ${reference}`, path: "/api/v1/stop-searches", body,
    meta: { reference, receipt, incident: body.incident_id || 0 },
  });
  announce(`Search recorded on this phone. Receipt ${reference}.`);
  showReceipt(item);
});

function placeOf(p) {
  return p ? `near ${p.lat.toFixed(3)}, ${p.lon.toFixed(3)}` : "";
}

// collect reads the form into the API's request and lists what is wrong
// with it, by field id, with the server's rules (bluelamp.StopSearch.Validate).
function collect() {
  const problems = {};
  const type = radio("type");
  const vehicle = type !== "Person search";
  const involved = type !== "Vehicle search" || checked("ss-involved");
  const when = fromLocalInput($("#ss-when").value);
  const body = { type, involved_person: involved, location: {} };
  if (!type) problems["ss-type-person"] = "Choose what was searched";
  if (!when) problems["ss-when"] = "Enter when the search was made";
  else if (when.getTime() > Date.now() + 5 * 60000) problems["ss-when"] = "The search cannot be in the future: check the time";
  else body.searched_at = when.toISOString();
  if (job && !$("#ss-job-link").hidden && checked("ss-incident")) body.incident_id = job.id;
  const address = value("ss-address");
  if (address) body.location.address = address;
  if (position) body.location.position = { lat: position.lat, lon: position.lon };
  if (!address && !position) problems["ss-address"] = "Enter where the search was made, or use your position";

  if (involved) {
    body.self_defined_ethnicity = value("ss-sde");
    body.officer_defined_ethnicity = value("ss-ode");
    body.gender = value("ss-gender");
    body.age_range = value("ss-age");
    if (!body.self_defined_ethnicity) problems["ss-sde"] = "Choose the ethnicity the person gives, or Not stated";
    if (!body.officer_defined_ethnicity) problems["ss-ode"] = "Choose the ethnicity as you see it, or IC9 Unknown";
    if (!body.gender) problems["ss-gender"] = "Choose the person's gender";
    if (!body.age_range) problems["ss-age"] = "Choose the person's age range";
    body.person = { name: value("ss-name"), address: value("ss-person-address"), date_of_birth: value("ss-dob") };
    if (body.person.date_of_birth && new Date(body.person.date_of_birth) > new Date()) problems["ss-dob"] = "The date of birth is in the future";
  }
  if (vehicle) {
    body.vehicle_registration = value("ss-vrm").toUpperCase().replace(/\s+/g, "");
    if (!/^[A-Z0-9]{1,10}$/.test(body.vehicle_registration)) problems["ss-vrm"] = "Enter the registration: 1 to 10 letters and digits";
  }

  const p = power();
  body.legislation = value("ss-power");
  body.object_of_search = value("ss-object");
  if (!p) problems["ss-power"] = "Choose the power you used";
  else if (p.vehicle && !vehicle) problems["ss-power"] = "This power is for searching vehicles only";
  if (!body.object_of_search) problems["ss-object"] = "Choose what you were looking for";
  if (p && p.suspicion) {
    body.grounds = value("ss-grounds");
    const g = body.grounds.toLowerCase();
    if (!g) problems["ss-grounds"] = "Say why you suspected this person (PACE Code A 4.6)";
    else if (g.split(/\s+/).length < 4 || new TextEncoder().encode(g).length < 20) problems["ss-grounds"] = "Say why you suspected this person, in at least 4 words";
    else if (g.replace(/^[ .]+|[ .]+$/g, "") === body.object_of_search.toLowerCase()) problems["ss-grounds"] = "Say what you saw or knew, not only what you were looking for";
  } else if (p) {
    body.authorisation = { authorising_officer: value("ss-auth-officer"), reference: value("ss-auth-ref"), given: checked("ss-auth-given") };
    if (!body.authorisation.authorising_officer) problems["ss-auth-officer"] = "Enter who authorised the search";
    if (!body.authorisation.given) problems["ss-auth-given"] = "Confirm the authorisation was in force";
  }
  const op = value("ss-operation");
  if (op) body.operation_name = op;

  body.outcome = value("ss-outcome");
  body.outcome_linked_to_object_of_search = checked("ss-linked");
  body.removal_of_more_than_outer_clothing = checked("ss-clothing");
  body.injury_or_damage = checked("ss-injury");
  if (!body.outcome) problems["ss-outcome"] = "Choose the outcome";
  else if (body.outcome === "A no further action disposal" && body.outcome_linked_to_object_of_search) {
    problems["ss-linked"] = "A no further action disposal cannot be linked to the object of the search";
  }
  if (body.injury_or_damage) {
    body.injury_or_damage_details = value("ss-injury-details");
    if (!body.injury_or_damage_details) problems["ss-injury-details"] = "Describe the injury or damage";
  }
  body.made_at_the_time = checked("ss-at-time");
  if (!body.made_at_the_time) {
    body.not_made_at_the_time_reason = value("ss-late");
    if (!body.not_made_at_the_time_reason) problems["ss-late"] = "Say why the record could not be made at the time (PACE Code A 4.1)";
  }
  const withheld = value("ss-withheld");
  if (withheld) body.officer_name_withheld = withheld;
  if (withheld === "TERRORISM" && p && !p.terrorism) problems["ss-withheld"] = "Only for a Terrorism Act search; choose the danger reason instead";
  return { body, problems };
}

// showReceipt replaces the form with item's receipt and follows the item
// through the outbox: the server's receipt replaces the phone's once sent.
function showReceipt(item) {
  form.hidden = true;
  $("#ss-card").hidden = true;
  $("#receipt").hidden = false;
  const draw = (i) => {
    drawReceipt((i.state === DONE && i.answer && i.answer.receipt) || i.meta.receipt);
    const st = $("#r-state");
    st.className = "pending-status" + (i.state === CONFLICT ? " conflict" : i.state === DONE ? " sent" : "");
    st.textContent = i.state === DONE ? `Sent to the force at ${clock(i.sentAt)}: the person can look it up now.`
      : i.state === CONFLICT ? `Not accepted: ${i.message} Correct it and record it again; give the person the new receipt.`
        : "Waiting to send: the person can look it up once it is sent. Give them the reference now.";
  };
  draw(item);
  outbox.on((ev) => { if (ev.item && ev.item.seq === item.seq) draw(ev.item); });
  scrollTo({ top: 0 });
  $("#receipt-h").focus();
}
