// LiveMap draws open incidents and units on duty with the vendored Leaflet
// (a global L, loaded before the page's module). With no tile server it is
// still a usable map: the force area, its towns and stations on a plain
// background, which is what an offline control room or a test gets.
//
// Units move as their fixes arrive (store.positions): a marker is moved in
// place and its heading arrow turned, never redrawn, so hundreds of units
// moving every second stay cheap. Every two seconds tick greys the units
// whose last fix is older than the force's position_stale_after, with a
// dashed outline and the fix's age: a stale unit is never drawn as live.
import { el, fill } from "./dom.js";
import { fixAge, gradeClass, gradeSetting, hhmm, label, stateClass } from "./format.js";

const L = window.L;

export class LiveMap {
  // base is an area the positions stream always covers besides the view
  // ([minLon, minLat, maxLon, maxLat]): the console's unit board shows
  // every unit's staleness, so it follows the force area as well.
  constructor(node, store, { onIncident = () => {}, base = null } = {}) {
    this.store = store;
    this.positions = store.positions;
    this.onIncident = onIncident;
    this.incidents = new Map();
    this.units = new Map(); // unit id → marker
    this.track = null;
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

    this.positions.on((ids) => this.moved(ids));
    const status = document.getElementById("avl-status");
    if (status) {
      this.positions.onStatus = (s) => {
        status.textContent = `live positions: ${{ live: "live", reconnecting: "reconnecting…" }[s] || s}`;
        status.dataset.state = s;
      };
    }
    const follow = () => {
      const b = this.map.getBounds();
      this.positions.follow([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], base);
    };
    this.map.on("moveend", follow);
    // A controller who moves the map has taken it over from following a
    // unit in EMERGENCY.
    this.map.on("dragstart", () => { this.following = null; });
    follow();
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

  // upsertUnit draws a unit as its record stands (state, call sign) at its
  // newest fix; a unit off duty or never located is not drawn.
  upsertUnit(u) {
    const old = this.units.get(u.id);
    const f = this.positions.get(u.id);
    if (!f || u.state === "OFF_DUTY") {
      if (old) {
        old.remove();
        this.units.delete(u.id);
      }
      return;
    }
    const cls = `unit-pin ${stateClass(u.state)} unit-${u.id}`;
    if (old && old.bl.cls === cls && old.bl.callSign === u.call_sign) {
      this.place(old, u, f);
      return;
    }
    const icon = L.divIcon({ className: cls, iconSize: null,
      html: el("span", { class: "pin" }, u.call_sign, el("span", { class: "hdg", "aria-hidden": "true" })) });
    const emergency = u.state === "EMERGENCY";
    if (old) {
      old.setIcon(icon);
      old.setZIndexOffset(emergency ? 2000 : 0);
      old.bl = { cls, callSign: u.call_sign };
      this.place(old, u, f);
      return;
    }
    // Units are not tab stops either: the unit board is the keyboard's
    // way to a unit, its status and its track.
    const m = L.marker([f.lat, f.lon], { icon, keyboard: false, zIndexOffset: emergency ? 2000 : 0 });
    m.bl = { cls, callSign: u.call_sign };
    m.bindPopup(() => this.unitPopup(u.id), { className: "unit-popup", maxWidth: 320 });
    m.addTo(this.map);
    this.units.set(u.id, m);
    this.place(m, u, f);
  }

  // place moves a unit's marker to its fix and shows the fix: heading,
  // age and staleness, and data attributes a test (or a curious
  // controller's devtools) can read. Only what changed is written.
  place(m, u, f, now = this.store.now()) {
    const ll = m.getLatLng();
    if (ll.lat !== f.lat || ll.lng !== f.lon) m.setLatLng([f.lat, f.lon]);
    const e = m.getElement();
    if (!e) return;
    const st = this.positions.state(u, now);
    const state = label(this.store.codes.unit_states, u.state);
    const title = `${u.call_sign}: ${state}${st.stale ? ` · STALE: ${st.text}` : " · live position"}`;
    const last = m.bl.shown || {};
    if (last.e !== e || last.at !== f.at) {
      e.dataset.unit = u.id;
      e.dataset.lat = f.lat;
      e.dataset.lon = f.lon;
      e.dataset.at = new Date(f.at).toISOString();
      const hdg = e.querySelector(".hdg");
      const known = f.heading !== null && f.heading !== undefined;
      hdg.hidden = !known;
      if (known) hdg.style.transform = `rotate(${f.heading}deg)`;
      e.dataset.heading = known ? f.heading : "";
    }
    if (last.e !== e || last.stale !== st.stale) {
      e.classList.toggle("stale", st.stale);
      e.dataset.stale = st.stale;
    }
    if (last.e !== e || last.title !== title) e.querySelector(".pin").title = title;
    m.bl.shown = { e, at: f.at, stale: st.stale, title };
  }

  // moved takes new fixes: each unit's marker moves in place.
  moved(ids) {
    const now = this.store.now();
    for (const id of ids) {
      const u = this.store.units.get(id);
      if (!u) continue;
      const m = this.units.get(id);
      if (m) this.place(m, u, this.positions.get(id), now);
      else this.upsertUnit(u);
    }
    if (this.following && this.store.units.get(this.following)?.state !== "EMERGENCY") this.following = null;
    if (this.following) {
      const f = this.positions.get(this.following);
      if (f && !this.map.getBounds().pad(-0.2).contains([f.lat, f.lon])) this.map.panTo([f.lat, f.lon]);
    }
  }

  // tick re-judges every unit's staleness at now.
  tick(now) {
    for (const [id, m] of this.units) {
      const u = this.store.units.get(id);
      const f = this.positions.get(id);
      if (u && f) this.place(m, u, f, now);
    }
  }

  unitPopup(id) {
    const u = this.store.units.get(id);
    const f = this.positions.get(id);
    if (!u) return "";
    const s = this.store;
    const st = s.positions.state(u, s.now());
    const facts = [];
    if (f) {
      facts.push(st.stale ? `STALE: ${st.text}` : `Live position, ${fixAge(s.now() - f.at)}`);
      if (!st.stale && f.speed !== null) facts.push(`${Math.round(f.speed * 3.6)} km/h`);
      if (!st.stale && f.heading !== null) facts.push(`heading ${Math.round(f.heading)}°`);
      if (f.accuracy) facts.push(`±${Math.round(f.accuracy)} m`);
    }
    return el("div", { class: "unit-pop" },
      el("p", {}, el("b", {}, u.call_sign), ` ${u.type} · ${label(s.codes.unit_states, u.state)}${u.incident_number ? ` · ${u.incident_number}` : ""}`),
      el("p", {}, (u.crew || []).length ? `Crew: ${u.crew.join(", ")}` : "No crew booked on"),
      el("p", { class: st.stale ? "stale-text" : "" }, facts.join(" · ")),
      el("p", { class: "pop-actions" },
        s.can.track ? el("button", { type: "button", class: "small secondary", dataset: { track: u.id } }, "Show track") : null,
        s.can.dispatch ? [" ", el("button", { type: "button", class: "small secondary", dataset: { statusUnit: u.id } }, "Set status")] : null));
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

  // show centres the map on a position, at once. Leaflet drops a change
  // of view asked for while a zoom is animating, so one is asked for again
  // when it ends.
  show(p, zoom = 13) {
    const go = () => this.map.setView([p.lat, p.lon], Math.max(this.map.getZoom(), zoom), { animate: false });
    if (this.map._animatingZoom) this.map.once("zoomend", go);
    go();
  }

  // emergency centres the map on a unit in EMERGENCY at its last fix and
  // follows it while it moves; its marker is ringed (app.css) and on top.
  emergency(u) {
    const f = u && this.positions.get(u.id);
    if (!f) return;
    this.following = u.id;
    this.show(f, 14);
  }

  // showTrack draws a unit's breadcrumbs, oldest first, with its first
  // and last fixes marked with their times.
  showTrack(u, res) {
    this.clearTrack();
    const tz = this.store.settings.time_zone;
    const ps = res.positions || [];
    const info = document.getElementById("track-info");
    const g = L.layerGroup().addTo(this.map);
    this.track = { layer: g, unit: u.id };
    const span = `${hhmm(res.from, tz)} to ${hhmm(res.to, tz)}`;
    let text;
    if (ps.length) {
      const lls = ps.map((p) => [p.lat, p.lon]);
      const line = L.polyline(lls, { className: "track-line", interactive: false }).addTo(g);
      const end = (p, what, cls) => {
        L.circleMarker([p.lat, p.lon], { radius: 5, className: "track-dot", interactive: false }).addTo(g);
        L.marker([p.lat, p.lon], { interactive: false, keyboard: false, zIndexOffset: 1500,
          icon: L.divIcon({ className: `track-end ${cls}`, iconSize: null, html: el("span", {}, `${what} ${hhmm(p.at, tz)}`) }) }).addTo(g);
      };
      end(ps[0], ps.length > 1 ? "Start" : "Only fix", "track-first");
      if (ps.length > 1) end(ps[ps.length - 1], "End", "track-last");
      const fit = () => this.map.fitBounds(line.getBounds().pad(0.2), { maxZoom: 16, animate: false });
      if (this.map._animatingZoom) this.map.once("zoomend", fit);
      fit();
      text = `Track of ${u.call_sign}, ${span}: ${ps.length} ${ps.length === 1 ? "fix" : "fixes"}, ${hhmm(ps[0].at, tz)} to ${hhmm(ps[ps.length - 1].at, tz)}.`;
    } else {
      text = `No position of ${u.call_sign} is kept from ${span}.`;
    }
    if (info) {
      fill(info, el("span", {}, text), " ", el("button", { type: "button", class: "small secondary", id: "track-clear" }, "Clear track"));
      info.hidden = false;
      info.querySelector("#track-clear").addEventListener("click", () => this.clearTrack());
    }
    return text;
  }

  clearTrack() {
    if (this.track) this.track.layer.remove();
    this.track = null;
    const info = document.getElementById("track-info");
    if (info) {
      info.hidden = true;
      fill(info);
    }
  }
}
