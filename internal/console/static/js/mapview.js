// LiveMap draws open incidents and units on duty with the vendored Leaflet
// (a global L, loaded before the page's module). With no tile server it is
// still a usable map: the force area, its towns and stations on a plain
// background, which is what an offline control room or a test gets.
import { el } from "./dom.js";
import { gradeClass, gradeSetting, label, stateClass } from "./format.js";

const L = window.L;

export class LiveMap {
  constructor(node, store, { onIncident = () => {} } = {}) {
    this.store = store;
    this.onIncident = onIncident;
    this.incidents = new Map();
    this.units = new Map();
    const cfg = store.state.map || {};
    this.map = L.map(node, { zoomSnap: 0.25, keyboard: true, attributionControl: Boolean(cfg.tile_url) });
    node.classList.toggle("no-tiles", !cfg.tile_url);
    if (cfg.tile_url) L.tileLayer(cfg.tile_url, { attribution: cfg.tile_attribution || "", maxZoom: 19 }).addTo(this.map);
    const area = store.settings.area || {};
    const ring = (area.boundary || []).map(([lon, lat]) => [lat, lon]);
    if (ring.length) {
      L.polygon(ring, { className: "area", interactive: false }).addTo(this.map);
      this.map.fitBounds(L.latLngBounds(ring), { padding: [8, 8] });
    } else {
      this.map.setView([52.5, -1.5], 6);
    }
    for (const u of area.urban || []) {
      L.circle([u.centre.lat, u.centre.lon], { radius: u.radius_m, className: "town", interactive: false }).addTo(this.map);
      L.marker([u.centre.lat, u.centre.lon], { interactive: false, keyboard: false,
        icon: L.divIcon({ className: "town-label", html: el("span", {}, u.name), iconSize: null }) }).addTo(this.map);
    }
    for (const s of store.state.stations || []) {
      L.marker([s.lat, s.lon], { interactive: false, keyboard: false,
        icon: L.divIcon({ className: "station-pin", html: el("span", { title: s.name }, s.code), iconSize: null }) }).addTo(this.map);
    }
    for (const inc of store.incidents.values()) this.upsertIncident(inc);
    for (const u of store.units.values()) this.upsertUnit(u);
  }

  upsertIncident(inc) {
    const old = this.incidents.get(inc.id);
    const p = inc.location && inc.location.position;
    if (inc.status !== "OPEN" || !p) {
      if (old) {
        old.remove();
        this.incidents.delete(inc.id);
      }
      return;
    }
    const g = gradeSetting(this.store.settings, inc.grade);
    const text = `${inc.number}: ${g.label}, ${label(this.store.codes.categories, inc.category)}`;
    const icon = L.divIcon({ className: `inc-pin ${gradeClass(inc.grade)} inc-${inc.id}`, iconSize: null,
      html: el("span", { title: text }, g.code, el("span", { class: "visually-hidden" }, ` ${text}`)) });
    if (old) {
      old.setLatLng([p.lat, p.lon]);
      old.setIcon(icon);
      return;
    }
    // Markers are not tab stops: with hundreds of them the queue is the
    // keyboard's way to an incident.
    const m = L.marker([p.lat, p.lon], { icon, keyboard: false, riseOnHover: true, zIndexOffset: 1000 }).addTo(this.map);
    m.on("click", () => this.onIncident(inc.id));
    this.incidents.set(inc.id, m);
  }

  upsertUnit(u) {
    const old = this.units.get(u.id);
    const p = u.position;
    if (!p || u.state === "OFF_DUTY") {
      if (old) {
        old.remove();
        this.units.delete(u.id);
      }
      return;
    }
    const state = label(this.store.codes.unit_states, u.state);
    const icon = L.divIcon({ className: `unit-pin ${stateClass(u.state)} unit-${u.id}`, iconSize: null,
      html: el("span", { title: `${u.call_sign}: ${state}` }, u.call_sign) });
    if (old) {
      old.setLatLng([p.lat, p.lon]);
      old.setIcon(icon);
      return;
    }
    this.units.set(u.id, L.marker([p.lat, p.lon], { icon, keyboard: false, interactive: false }).addTo(this.map));
  }

  apply(ch) {
    if (ch.reload) {
      for (const m of [...this.incidents.values(), ...this.units.values()]) m.remove();
      this.incidents.clear();
      this.units.clear();
    }
    for (const inc of ch.incidents) this.upsertIncident(inc);
    for (const u of ch.units) this.upsertUnit(u);
  }

  focus(inc) {
    const p = inc && inc.location && inc.location.position;
    if (p && !this.map.getBounds().pad(-0.1).contains([p.lat, p.lon])) this.map.panTo([p.lat, p.lon]);
  }
}
