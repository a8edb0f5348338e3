// The call handler's new-call form: keyboard first, possible duplicates
// while typing, the API's problems beside the fields, and after saving the
// reference to give the caller, the incident, the checks and duplicates.
import { boot } from "./page.js";
import { $, $$, el, announce, fill } from "./dom.js";
import { api, Problem } from "./api.js";
import { formJSON, showProblems, clearProblems } from "./forms.js";
import { fmtAge, fmtDistance, gradeClass, gradeSetting, label, parseDuration } from "./format.js";
import { checks } from "./detail.js";
import { onKey } from "./keys.js";

const store = boot();
const form = $("#call");
const dups = $("#dups");
const linkInput = $("#f-link");
let receivedAt = new Date(store.now()).toISOString();

// Open incidents to link the call to, newest first, for the datalist.
const drawOpen = () => {
  const open = [...store.incidents.values()].filter((i) => i.status === "OPEN")
    .sort((a, b) => Date.parse(b.received_at) - Date.parse(a.received_at)).slice(0, 500);
  fill($("#open-incidents"), ...open.map((i) => el("option", { value: i.number }, `${i.summary} · ${i.location?.address || ""}`)));
};
drawOpen();
store.on((ch) => { if (ch.incidents.length || ch.reload) drawOpen(); });

const byNumber = (n) => [...store.incidents.values()].find((i) => i.number === n.trim() || String(i.id) === n.trim());

const mode = () => form.elements.mode.value;
const setMode = (m) => {
  form.elements.mode.value = m;
  $("#link-fields").hidden = m !== "link";
  $("#new-fields").hidden = m !== "new";
  $("#thrive-fields").hidden = m !== "new";
};
form.addEventListener("change", (e) => {
  if (e.target.name === "mode") setMode(mode());
  if (e.target.name === "caller.anonymous") {
    const name = form.elements["caller.name"];
    name.disabled = e.target.checked;
    if (e.target.checked) name.value = "";
  }
});
const showLinked = () => {
  const inc = byNumber(linkInput.value);
  $("#link-what").textContent = inc ? `${inc.number}: ${inc.summary} (${gradeSetting(store.settings, inc.grade).label})` : linkInput.value ? "No open incident has that number." : "";
};
linkInput.addEventListener("input", showLinked);
if (store.state.selected) {
  const inc = store.incidents.get(store.state.selected);
  if (inc) linkInput.value = inc.number;
  showLinked();
}

// The grade list: 1–5 choose a grade while the focus is in it.
$("#f-grade").addEventListener("keydown", (e) => {
  const r = $(`input[data-key="${e.key}"]`, e.currentTarget);
  if (r && !e.ctrlKey && !e.altKey && !e.metaKey) {
    e.preventDefault();
    r.checked = true;
    r.focus();
  }
});

// Possible duplicates, while the call is being taken.
let dupTimer = 0;
let dupKey = "";
const dupQuery = () => {
  const cat = form.elements["incident.category"].value;
  const grid = form.elements["location.grid_ref"].value.trim();
  const lat = form.elements["location.position.lat"].value.trim();
  const lon = form.elements["location.position.lon"].value.trim();
  if (!cat || (!grid && !(lat && lon))) return "";
  const q = new URLSearchParams({ category: cat });
  if (grid) q.set("grid_ref", grid);
  else {
    q.set("lat", lat);
    q.set("lon", lon);
  }
  return q.toString();
};
const checkDuplicates = async () => {
  const q = dupQuery();
  if (q === dupKey) return;
  dupKey = q;
  if (!q) return;
  try {
    const r = await api("GET", `/duplicates?${q}`);
    if (q !== dupKey) return;
    drawDuplicates(dups, r.duplicates, true);
  } catch (err) {
    if (q !== dupKey) return;
    fill(dups, el("p", { class: "hint" }, `Duplicates not checked: ${err.message}`));
  }
};
form.addEventListener("input", (e) => {
  if (["incident.category", "location.grid_ref", "location.position.lat", "location.position.lon"].includes(e.target.name)) {
    clearTimeout(dupTimer);
    dupTimer = setTimeout(checkDuplicates, 400);
  }
});
form.addEventListener("change", (e) => { if (e.target.name === "incident.category") checkDuplicates(); });

function drawDuplicates(box, list, offerLink) {
  if (!list.length) {
    fill(box, el("p", { class: "hint" }, "No open incident of a related category nearby."));
    return;
  }
  fill(box, el("ol", { class: "dups" }, list.map((d) => {
    const i = d.incident;
    const g = gradeSetting(store.settings, i.grade);
    return el("li", {}, el("p", {}, el("span", { class: `badge ${gradeClass(i.grade)}` }, g.code), " ", el("b", {}, i.number),
      ` · ${label(store.codes.categories, i.category)}${d.same_category ? "" : " (related)"} · ${fmtDistance(d.distance_m)} away · ${fmtAge(parseDuration(d.age))}`),
    el("p", { class: "sum" }, i.summary, i.location?.address ? ` · ${i.location.address}` : ""),
    offerLink && i.status === "OPEN" ? el("button", { type: "button", class: "small secondary", dataset: { link: i.number } }, `Link this call to ${i.number}`) : null);
  })));
}
dups.addEventListener("click", (e) => {
  const b = e.target.closest("button[data-link]");
  if (!b) return;
  setMode("link");
  linkInput.value = b.dataset.link;
  showLinked();
  linkInput.focus();
});

// body turns the form into POST /api/v1/contacts.
function body() {
  const f = formJSON(form);
  const loc = f.location || {};
  if (!loc.position || (loc.position.lat === undefined && loc.position.lon === undefined)) delete loc.position;
  if (!loc.grid_ref) delete loc.grid_ref;
  const out = { channel: f.channel, received_at: receivedAt, caller: f.caller, location: loc, account: f.account || "" };
  if (mode() === "link") {
    const inc = byNumber(f.link_number || "");
    out.incident_id = inc ? inc.id : 0;
  } else {
    const inc = f.incident;
    if (inc.thrive) inc.thrive.grade = inc.grade;
    out.incident = inc;
  }
  return out;
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  clearProblems(form);
  const save = $("#save");
  save.disabled = true;
  const b = body();
  try {
    if (mode() === "link" && !b.incident_id) {
      throw new Problem(400, { detail: "Choose the open incident this call is about.", errors: { incident_id: "is not an open incident's number" } });
    }
    const r = await api("POST", "/contacts", b);
    store.putIncident(r.incident);
    showResult(r);
  } catch (err) {
    if (err instanceof Problem) {
      // The assessment's grade is the incident's: one fault, one message.
      if (err.fields["incident.grade"]) delete err.fields["incident.thrive.grade"];
      showProblems(form, err);
    } else throw err;
  } finally {
    save.disabled = false;
  }
});

function showResult(r) {
  const c = r.contact;
  const inc = r.incident;
  const g = gradeSetting(store.settings, inc.grade);
  fill($("#result-body"),
    el("p", { class: "ref" }, "Reference for the caller: ", el("strong", { id: "contact-ref" }, c.reference)),
    el("p", {}, "Incident ", el("a", { id: "incident-link", href: `/control?incident=${inc.id}` }, inc.number), " ",
      el("span", { class: `badge ${gradeClass(inc.grade)}` }, g.code), ` ${g.label} · ${label(store.codes.categories, inc.category)}`),
    el("h3", {}, "Checks"), checks(c.checks),
    mode() === "new" ? [el("h3", {}, "Possible duplicates"), drawInto(r.duplicates)] : null);
  const res = $("#result");
  res.hidden = false;
  $("#save").hidden = true;
  for (const f of form.elements) if (f.tagName !== "BUTTON" || !f.closest("#result")) f.disabled = true;
  res.focus();
  announce(`Call saved. Reference ${c.reference}, incident ${inc.number}.`);
}

function drawInto(list) {
  const box = el("div", {});
  drawDuplicates(box, list, false);
  return box;
}

const nextCall = () => {
  if ($("#result").hidden) return;
  location.href = "/calls/new";
};
$("#next-call").addEventListener("click", nextCall);
onKey("n", nextCall);

setMode(mode());
receivedAt = new Date(store.now()).toISOString();
