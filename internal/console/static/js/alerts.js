// FenceAlerts is the console's list of geofence alerts: every unit entering
// or leaving a zone or the force area (unit.geofence_entered, .left),
// newest first, with its call sign, the zone, entered or left, and the
// time of the fix that showed it. A unit leaving the force area is marked
// out. The list is a polite live region: a screen reader hears each new
// alert without losing its place. On opening, the alerts of the last
// stretch of the log are read back, so a reload loses none.
import { api } from "./api.js";
import { el } from "./dom.js";
import { hhmmss } from "./format.js";

const types = new Set(["unit.geofence_entered", "unit.geofence_left"]);
const keep = 200;
const lookBack = 500; // events of the log read back on opening

export class FenceAlerts {
  constructor(list, store, { onShow = () => {}, count = null, empty = null } = {}) {
    this.list = list;
    this.store = store;
    this.onShow = onShow;
    this.countEl = count;
    this.emptyEl = empty;
    this.seen = new Set();
    list.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-lat]");
      if (b) this.onShow({ lat: Number(b.dataset.lat), lon: Number(b.dataset.lon) });
    });
  }

  async loadRecent() {
    const head = this.store.state.head;
    try {
      const page = await api("GET", `/log?after=${Math.max(0, head - lookBack)}&limit=${lookBack}`);
      for (const e of page.events) if (types.has(e.type) && e.seq <= head) this.add(e.seq, e.payload);
    } catch {
      // The live ones still come; older ones are in the log.
    }
  }

  apply(ch) {
    if (types.has(ch.type)) this.add(ch.seq, ch.payload);
  }

  add(seq, c) {
    if (!c || !c.call_sign || this.seen.has(seq)) return;
    this.seen.add(seq);
    const exit = c.kind === "FORCE_AREA" && !c.entered;
    const tz = this.store.settings.time_zone;
    const zone = c.kind === "FORCE_AREA" ? "the force area" : c.geofence;
    const li = el("li", { class: `fa ${c.entered ? "entered" : "left"}${exit ? " area-exit" : ""}`, dataset: { seq, unit: c.unit_id } },
      el("time", { datetime: c.at }, hhmmss(c.at, tz)), " ",
      el("b", { class: "cs" }, c.call_sign), " ",
      exit ? el("strong", { class: "what" }, "LEFT THE FORCE AREA") : [el("span", { class: "what" }, c.entered ? "entered" : "left"), " ", el("span", { class: "zone" }, zone)],
      c.position ? [" ", el("button", { type: "button", class: "small secondary", dataset: { lat: c.position.lat, lon: c.position.lon },
        "aria-label": `Show where ${c.call_sign} ${c.entered ? "entered" : "left"} ${zone}` }, "Show")] : null);
    // Newest first, by log order: a late arrival from the read-back goes
    // below the live ones.
    const next = [...this.list.children].find((x) => Number(x.dataset.seq) < seq);
    this.list.insertBefore(li, next || null);
    while (this.list.children.length > keep) this.list.lastElementChild.remove();
    if (this.countEl) this.countEl.textContent = this.list.children.length;
    if (this.emptyEl) this.emptyEl.hidden = true;
  }
}
