// The home page: my unit, its status in one tap, EMERGENCY one deliberate
// gesture away, and the current job with its markers, THRIVE, log and a way
// to add to it. Every action goes through the outbox (outbox.js), so it
// works the same with and without a signal; the job shown comes from the
// API, or from the service worker's copy when offline (marked as such).
import { api, read, Problem, signInPage } from "./api.js";
import { $, el, fill, announce } from "./dom.js";
import { boot, signOut } from "./shell.js";
import { connect } from "./live.js";
import { holdToConfirm } from "./hold.js";
import { alarm, unlockAudio } from "./alert.js";
import { clock, when, iso, label, title } from "./format.js";
import { rememberJob, jobOf } from "./db.js";
import { markerList } from "./markers.js";
import { PENDING, CONFLICT } from "./outbox.js";

unlockAudio();
const ctx = await boot();
const { me, outbox, db } = ctx;

// States an officer does not send from the status buttons: EMERGENCY has
// its own control, a unit is ASSIGNED by a controller, and going off duty
// is booking off.
const notButtons = new Set(["EMERGENCY", "ASSIGNED", "OFF_DUTY"]);
// States that need a job to be in.
const jobStates = new Set(["EN_ROUTE", "AT_SCENE", "COMMITTED_DEPLOYABLE"]);

let codes;
try {
  codes = (await read("/codes")).data;
} catch (err) {
  noCopy(err);
  throw err;
}
const stateLabels = new Map(codes.unit_states.map((s) => [s.code, s.label]));
const grades = new Map(codes.grades.map((g) => [g.grade, g]));
const categories = new Map(codes.categories.map((c) => [c.code, c.label]));
const emergencyCode = codes.status_codes.find((c) => c.state === "EMERGENCY");
const receivedCode = codes.status_codes.find((c) => !c.state && /^received/i.test(c.label));

let view = null; // {unit, incident, log, cached, at}
let items = []; // the outbox, for pending statuses and log lines

// ---- loading -----------------------------------------------------------

async function load() {
  let r;
  try {
    r = await read("/me/unit");
  } catch (err) {
    if (err instanceof Problem && err.status === 404) {
      location.href = "/app/book-on";
      return;
    }
    if (err instanceof Problem && (err.status === 0 || err.status === 503)) {
      if (!view) noCopy(err);
      drawBanner();
      return;
    }
    throw err;
  }
  view = { ...r.data, cached: r.cached, at: r.cached ? r.fetchedAt : new Date() };
  if (view.incident) {
    await rememberJob(db, me.id, view.incident).catch(() => {});
    loadMarkers(view.incident);
  }
  await draw();
}

// Warning markers at the job's location come first (DOMAIN 2.7): checked
// once per job with the reason INCIDENT (an audited consultation, DPA 2018
// s.62) and kept with the job on the phone for when there is no signal.
const markerRadius = 50;
const markers = new Map(); // incident id → {places, at, offline} | "loading"

async function loadMarkers(inc) {
  const pos = inc.location && inc.location.position;
  const had = markers.get(inc.id);
  if (!pos || (had && !had.retry)) return;
  markers.set(inc.id, "loading");
  let found;
  try {
    const page = await api("GET", `/locations?lat=${pos.lat}&lon=${pos.lon}&radius=${markerRadius}`, undefined,
      { "Bluelamp-Reason": "INCIDENT", "Bluelamp-Incident": encodeURIComponent(inc.number) });
    const places = page.locations.filter((l) => l.markers && l.markers.length)
      .map((l) => ({ address: l.address, distance_m: l.distance_m, markers: l.markers }));
    found = { places, at: new Date() };
    await rememberJob(db, me.id, inc, new Date(), places).catch(() => {});
  } catch (err) {
    const kept = await jobOf(db, me.id, inc.id).catch(() => undefined);
    found = kept && kept.markers ? { places: kept.markers, at: new Date(kept.markersAt), offline: true }
      : { error: err instanceof Problem && err.status === 0 ? "Warning markers could not be checked: no signal. Check again when you have one." : err.message };
    found.retry = true; // at the next load
  }
  markers.set(inc.id, found);
  if (view && view.incident && view.incident.id === inc.id) drawMarkers(inc);
}

function drawMarkers(inc) {
  const box = $("#markers");
  const m = markers.get(inc.id);
  const pos = inc.location && inc.location.position;
  box.hidden = false;
  box.className = "markers";
  if (!pos) {
    box.className = "markers none";
    fill(box, "This job has no position, so no warning markers were looked up: check the address on the Check page.");
  } else if (!m || m === "loading") {
    box.className = "markers none";
    fill(box, "Checking warning markers at this location…");
  } else if (m.error) {
    box.className = "markers none";
    fill(box, m.error);
  } else if (!m.places.length) {
    box.className = "markers none";
    fill(box, `No warning markers recorded within ${markerRadius} m.`, m.offline ? ` (as checked at ${clock(m.at)})` : "");
  } else {
    fill(box, el("h3", { class: "markers-h" }, `Warning markers within ${markerRadius} m`, m.offline ? ` (as checked at ${clock(m.at)})` : ""),
      m.places.map((p) => [el("p", { class: "marker-place" }, p.address, p.distance_m != null ? ` · ${Math.round(p.distance_m)} m` : ""), markerList(p.markers)]));
  }
}

let loadTimer = 0;
function loadSoon() {
  clearTimeout(loadTimer);
  loadTimer = setTimeout(load, 150);
}

function noCopy(err) {
  const b = $("#offline-banner");
  b.textContent = err instanceof Problem && err.status !== 0 && err.status !== 503 ? err.message
    : "Offline, and this phone has no saved copy of your unit yet. It will load when there is a signal.";
  b.hidden = false;
}

// ---- drawing -----------------------------------------------------------

async function draw() {
  items = await outbox.items();
  if (!view) return;
  drawBanner();
  drawUnit();
  drawJob();
}

function drawBanner() {
  const b = $("#offline-banner");
  const offline = !navigator.onLine || (view && view.cached);
  if (!view || !offline) {
    if (view) b.hidden = true;
    return;
  }
  b.textContent = `Offline — last updated ${view.at ? clock(view.at) : "earlier"}. What you do now is kept and sent when there is a signal.`;
  b.hidden = false;
}

// The position indicator: whether control can see where the unit is.
ctx.avl.on((s) => {
  const p = $("#avl-state");
  p.textContent = {
    off: "", on: "Your position is shared with control while you are booked on.",
    denied: "Control cannot see where you are: allow this app to use your location in the phone's settings.",
    unavailable: "Your position cannot be found just now: control sees where you were last.",
  }[s];
  p.className = "sub avl " + s;
});

function pendingStatus() {
  const ss = items.filter((i) => i.kind === "status" && i.state === PENDING && i.meta.unit === view.unit.id && i.meta.state);
  return ss[ss.length - 1];
}

function drawUnit() {
  const u = view.unit;
  $("#unit").hidden = false;
  $("#call-sign").textContent = u.call_sign;
  const st = $("#unit-state");
  st.textContent = stateLabels.get(u.state) || label(u.state);
  st.className = "state st-" + u.state.toLowerCase().replaceAll("_", "-");
  $("#unit-sub").textContent = [u.type, u.crew.length ? `crew ${u.crew.join(", ")}` : ""].filter(Boolean).join(" · ");
  $("#who").textContent = `${me.display_name}${me.collar_number ? ` (${me.collar_number})` : ""}, booked on to ${u.call_sign}.`;

  const p = pendingStatus();
  const ps = $("#pending-status");
  ps.hidden = !p;
  if (p) ps.textContent = `${p.label}: ${navigator.onLine ? "sending…" : "waiting for a signal"}`;
  const current = p ? p.meta.code : u.status_code;

  const hasJob = Boolean(view.incident) || Boolean(u.incident_id);
  // With a job, its statuses (en route, at scene…) come first.
  const shown = codes.status_codes.filter((c) => c.state && !notButtons.has(c.state) && (hasJob || !jobStates.has(c.state)))
    .sort((a, b) => (hasJob ? Number(jobStates.has(b.state)) - Number(jobStates.has(a.state)) : 0));
  // The buttons are rebuilt only when the set changes: a button replaced
  // under a finger would lose the tap.
  const key = shown.map((c) => c.code).join(",");
  const box = $("#statuses");
  if (box.dataset.codes !== key) {
    fill(box, shown.map((c) => statusButton(c)));
    box.dataset.codes = key;
  }
  for (const b of box.children) {
    b.setAttribute("aria-pressed", String(b.dataset.code === current));
    b.classList.toggle("waiting", Boolean(p) && b.dataset.code === current);
  }
  if (!$("#messages").children.length) fill($("#messages"), codes.status_codes.filter((c) => !c.state).map((c) => statusButton(c)));
}

function statusButton(c) {
  return el("button", {
    type: "button", class: "status-btn", dataset: { code: c.code, state: c.state || "" },
    onclick: () => sendStatus(c),
  }, el("span", { class: "code", "aria-hidden": "true" }, c.code), el("span", { class: "lbl" }, c.label));
}

function drawJob() {
  const inc = view.incident;
  $("#job").hidden = !inc;
  $("#nojob").hidden = Boolean(inc);
  if (!inc) return;
  drawMarkers(inc);
  $("#job-number").textContent = inc.number;
  const g = grades.get(inc.grade);
  const gp = $("#job-grade");
  gp.textContent = g ? `${g.code} · ${g.label}` : label(inc.grade);
  gp.className = "grade g-" + inc.grade.toLowerCase();
  $("#job-summary").textContent = inc.summary;

  const mine = (inc.assignments || []).find((a) => a.unit_id === view.unit.id);
  const others = (inc.assignments || []).filter((a) => a.unit_id !== view.unit.id && ["ASSIGNED", "EN_ROUTE", "AT_SCENE"].includes(a.state));
  const loc = inc.location || {};
  fill($("#job-facts"),
    fact("Category", categories.get(inc.category) || label(inc.category)),
    fact("Address", loc.address || (loc.position ? `${loc.position.lat.toFixed(5)}, ${loc.position.lon.toFixed(5)}` : "not given")),
    loc.grid_ref && fact("Grid ref", loc.grid_ref),
    fact("Received", el("time", { datetime: iso(inc.received_at) }, when(inc.received_at))),
    mine && fact("Assigned", el("span", {}, el("time", { datetime: iso(mine.assigned_at) }, clock(mine.assigned_at)), ` by ${mine.assigned_by}`)),
    others.length > 0 && fact("Also sent", others.map((a) => `${a.call_sign} (${label(a.state)})`).join(", ")));

  const nav = $("#job-nav");
  nav.hidden = !loc.position;
  if (loc.position) {
    const { lat, lon } = loc.position;
    const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
    $("#navigate").href = ios ? `https://maps.apple.com/?daddr=${lat},${lon}` : `geo:${lat},${lon}?q=${lat},${lon}(${encodeURIComponent(inc.number)})`;
    $("#map-link").href = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
  }

  const t = inc.thrive;
  $("#thrive").hidden = !t;
  if (t) {
    fill($("#thrive-facts"),
      fact("Threat", t.threat.description),
      fact("Harm", `${title(t.harm.severity)}${t.harm.types && t.harm.types.length ? ` (${t.harm.types.map(label).join(", ")})` : ""}`),
      fact("Risk", `${title(t.risk.rating)}, likelihood ${label(t.risk.likelihood)}`),
      (t.vulnerability.factors && t.vulnerability.factors.length > 0 || t.vulnerability.safeguarding_needed) &&
        fact("Vulnerable", [...(t.vulnerability.factors || []).map(label), t.vulnerability.safeguarding_needed ? "safeguarding needed" : ""].filter(Boolean).join(", ")),
      fact("Rationale", t.rationale),
      fact("Assessed", `${clock(t.assessed_at)} by ${t.assessed_by} (version ${t.version})`));
  }

  const waiting = items.filter((i) => i.kind === "log" && i.meta.incident === inc.id && (i.state === PENDING || i.state === CONFLICT));
  const log = [...(view.log || [])].reverse();
  fill($("#job-log"),
    waiting.reverse().map((i) => el("li", { class: "entry " + i.state, dataset: { seq: i.seq } },
      el("time", { datetime: iso(i.takenAt) }, clock(i.takenAt)), " ",
      el("span", { class: "tag" }, i.state === CONFLICT ? "not accepted" : "waiting to send"), " ",
      el("span", { class: "text" }, i.meta.text),
      i.state === CONFLICT && el("span", { class: "ob-msg" }, i.message))),
    log.map((e) => el("li", { class: "entry k-" + e.kind.toLowerCase() },
      el("time", { datetime: iso(e.time) }, clock(e.time)), " ",
      el("span", { class: "actor" }, e.actor), " ",
      el("span", { class: "text" }, e.text))));
}

function fact(name, value) {
  return [el("dt", {}, name), el("dd", {}, value)];
}

// ---- actions -----------------------------------------------------------

async function sendStatus(c) {
  if (!view) return;
  const u = view.unit;
  await outbox.add({
    kind: "status", label: `${c.code} ${c.label}`, path: `/api/v1/units/${u.id}/status`, body: { code: c.code, taken_at: new Date().toISOString() },
    meta: { unit: u.id, callSign: u.call_sign, code: c.code, state: c.state || "", incident: view.incident ? view.incident.id : 0 },
  });
  announce(`${c.label}: ${navigator.onLine ? "sending" : "kept, to send when there is a signal"}`);
  await draw();
}

async function sendEmergency() {
  if (!view || !emergencyCode) return;
  const u = view.unit;
  await outbox.add({
    kind: "status", label: `${emergencyCode.code} EMERGENCY`, path: `/api/v1/units/${u.id}/status`, body: { code: emergencyCode.code, taken_at: new Date().toISOString() },
    meta: { unit: u.id, callSign: u.call_sign, code: emergencyCode.code, state: "EMERGENCY" }, priority: true,
  });
  try { if (navigator.vibrate) navigator.vibrate(200); } catch { /* not allowed */ }
  const hint = $("#emergency-hint");
  hint.textContent = navigator.onLine ? "EMERGENCY sent to control." :
    "No signal: EMERGENCY is waiting to send. Use your radio's emergency button.";
  hint.classList.add("sent");
  announce(hint.textContent, true);
  await draw();
}

$("#log-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const area = $("#log-text");
  const error = $("#log-error");
  const text = area.value.trim();
  const bad = !text ? "Write the update first." : new TextEncoder().encode(text).length > 4000 ? "An update can be at most 4000 bytes: split it in two." : "";
  error.hidden = !bad;
  error.textContent = bad;
  if (bad) {
    area.setAttribute("aria-invalid", "true");
    area.setAttribute("aria-describedby", "log-error");
    area.focus();
    return;
  }
  area.removeAttribute("aria-invalid");
  area.removeAttribute("aria-describedby");
  const inc = view.incident;
  await outbox.add({
    kind: "log", label: `Log update on ${inc.number}`, path: `/api/v1/incidents/${inc.id}/log`, body: { text, taken_at: new Date().toISOString() },
    meta: { incident: inc.id, number: inc.number, text },
  });
  area.value = "";
  announce(navigator.onLine ? "Update sent to the log." : "Update kept, to send when there is a signal.");
  await draw();
});

const ring = $("#emergency-ring");
holdToConfirm($("#emergency"), {
  ms: 2000,
  onConfirm: sendEmergency,
  onProgress: (p) => ring.setAttribute("stroke-dashoffset", String(100 - 100 * p)),
  onHint: () => {
    const hint = $("#emergency-hint");
    hint.textContent = "Hold to send: keep pressing EMERGENCY for 2 seconds.";
    hint.classList.add("nudge");
    announce(hint.textContent, true);
  },
});

$("#newjob-ack").addEventListener("click", async () => {
  $("#newjob").hidden = true;
  if (receivedCode && view) await sendStatus(receivedCode);
});

$("#book-off").addEventListener("click", async () => {
  if (!view) return;
  await outbox.add({ kind: "bookoff", label: `Book off ${view.unit.call_sign}`, method: "DELETE", path: "/api/v1/me/unit",
    meta: { unit: view.unit.id } });
  announce(navigator.onLine ? "Booking off." : "Book off kept, to send when there is a signal.");
});

let confirmSignOut = false;
$("#sign-out").addEventListener("click", async () => {
  const waiting = items.filter((i) => i.state === PENDING).length;
  const error = $("#shift-error");
  if (waiting && !confirmSignOut) {
    confirmSignOut = true;
    error.textContent = `${waiting} ${waiting === 1 ? "action is" : "actions are"} still waiting to send. They stay on this phone and are sent when you sign in again. Press Sign out again to sign out now.`;
    error.hidden = false;
    return;
  }
  try {
    await signOut(ctx);
  } catch (err) {
    error.textContent = err instanceof Problem && err.status === 0 ? "Signing out needs a connection." : err.message;
    error.hidden = false;
  }
});

// ---- the outbox and the live stream ------------------------------------

outbox.on((ev) => {
  if (ev.type === "done" && ev.item.kind === "bookoff") {
    location.href = "/app/book-on";
    return;
  }
  if (ev.type === "conflict") toast(`Not accepted: ${ev.item.label}. ${ev.item.message}`);
  if (ev.type === "done" || ev.type === "conflict") loadSoon();
  else draw();
});
addEventListener("online", () => { drawBanner(); loadSoon(); });
addEventListener("offline", () => { drawBanner(); if (view) drawUnit(); });

let alarms = 0;
function newJob(inc) {
  const g = grades.get(inc.grade);
  $("#newjob-text").textContent = [inc.number, g ? `${g.code} ${g.label}` : inc.grade, inc.summary, inc.location && inc.location.address]
    .filter(Boolean).join(" · ");
  $("#newjob").hidden = false;
  scrollTo({ top: 0 });
  const sound = alarm();
  document.body.dataset.alarms = String(++alarms);
  document.body.dataset.sound = sound ? "played" : "blocked";
  announce(`New job: ${$("#newjob-text").textContent}`, true);
}

function onEvent(e) {
  if (!view) return;
  const p = e.payload || {};
  const mine = view.unit.id;
  const units = [p.unit, ...(p.units || [])].filter(Boolean);
  const aboutMe = units.some((u) => u.id === mine) || (p.assignment && p.assignment.unit_id === mine) ||
    (p.officer && p.officer === me.collar_number);
  const job = view.incident && view.incident.id;
  const aboutJob = job && [p.incident, p.diverted].some((i) => i && i.id === job);
  if (e.type === "unit.assigned" && p.assignment && p.assignment.unit_id === mine && p.incident) {
    newJob(p.incident);
  } else if (aboutMe && e.type === "unit.status_changed" && e.actor_id !== me.id && p.unit && p.unit.id === mine) {
    const text = p.message ? `${e.actor}: ${p.message}` : `${e.actor} set ${p.unit.call_sign} to ${stateLabels.get(p.unit.state) || p.unit.state}`;
    announce(text, true);
    toast(text);
  } else if (aboutMe && e.type === "unit.stood_down") {
    const text = `Stood down from ${p.assignment ? p.assignment.incident_number : "the job"} by ${e.actor}`;
    announce(text, true);
    toast(text);
  }
  if (aboutMe || aboutJob) loadSoon();
}

let toastTimer = 0;
$("#toast").addEventListener("click", () => { $("#toast").hidden = true; });
function toast(text) {
  const t = $("#toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 10000);
}

await load();
connect({
  onEvent,
  onReady: loadSoon,
  onStatus: ctx.conn.set,
  onSignedOut: () => { location.href = signInPage + "?notice=expired"; },
});
window.bluelamp = { outbox, reload: load, avl: ctx.avl };
