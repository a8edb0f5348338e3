// A major incident: its linked incidents, committed units and M/ETHANE
// reports, refreshed from the API whenever something under it changes.
import { boot } from "./page.js";
import { $, el, fill } from "./dom.js";
import { api } from "./api.js";
import { hhmm } from "./format.js";
import { Queue } from "./views.js";
import { tickClocks as tick } from "./views.js";

const store = boot();
const id = Number($(".major-page").dataset.id);
const tz = store.settings.time_zone;
const linked = new Set(store.state.major.linked.map((i) => i.id));
const queue = new Queue($("#queue-body"), store, { keep: (i) => linked.has(i.id), onChange: () => {
  $("#mj-linked-count").textContent = queue.count;
  $("#queue-empty").hidden = queue.count > 0;
} });

let timer = 0;
const refresh = () => {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    const v = await api("GET", `/incidents/${id}/major`);
    linked.clear();
    for (const i of v.linked) {
      linked.add(i.id);
      store.putIncident(i);
    }
    queue.rebuild(v.linked);
    $("#mj-units-count").textContent = v.units.length;
    $("#mj-units-empty").hidden = v.units.length > 0;
    fill($("#mj-units tbody"), ...v.units.map((a) => el("tr", {}, el("td", {}, a.call_sign), el("td", {}, a.incident_number),
      el("td", {}, a.state.toLowerCase().replaceAll("_", " ")), el("td", {}, el("time", { datetime: a.assigned_at }, hhmm(a.assigned_at, tz))))));
    $("#mj-mt-count").textContent = v.methane.length;
    fill($("#mj-methane"), ...[...v.methane].reverse().map(methane));
    const empty = $("#mj-mt-empty");
    if (empty) empty.hidden = v.methane.length > 0;
  }, 200);
};

function methane(m) {
  const row = (k, v) => [el("dt", {}, k), el("dd", {}, v)];
  return el("li", {}, el("h3", {}, `Version ${m.version} · `, el("time", { datetime: m.reported_at }, hhmm(m.reported_at, tz)), ` · ${m.reported_by}`),
    el("dl", { class: "facts" }, row("M", m.major_incident ? "Major incident declared" : "Not declared"), row("E", m.exact_location),
      row("T", m.type_of_incident), row("H", m.hazards), row("A", m.access),
      row("N", `${m.casualties.number}${m.casualties.description ? ": " + m.casualties.description : ""}`), row("E", m.emergency_services)));
}

store.on((ch) => {
  const touches = ch.reload || ch.incidents.some((i) => i.id === id || linked.has(i.id) || i.major_link_id === id) ||
    ch.units.some((u) => u.incident_id === id || linked.has(u.incident_id));
  if (touches) refresh();
});
setInterval(() => tick(document, store.now()), 1000);
