// Fences draws the force's geofence zones on a LiveMap (the force area is
// always drawn), shown or hidden by the map's Geofences switch. A
// supervisor draws a new zone by clicking its corners on the map, or by
// typing them, and names it; and retires one from its popup. Zones drawn
// or retired elsewhere follow from the log (geofence.created, .archived).
import { api, Problem } from "./api.js";
import { $, el, announce } from "./dom.js";
import { openDialog } from "./forms.js";
import { hhmm } from "./format.js";
import { onKey } from "./keys.js";

const L = window.L;
const remember = "bluelamp.geofences";

export class Fences {
  constructor(live, store) {
    this.live = live;
    this.map = live.map;
    this.store = store;
    this.layer = L.layerGroup();
    this.zones = new Map(); // id → {g, poly, label}
    this.drawing = null;
    this.toggle = $("#show-fences");
    const on = localStorage.getItem(remember) !== "off";
    this.toggle.checked = on;
    if (on) this.layer.addTo(this.map);
    this.toggle.addEventListener("change", () => {
      if (this.toggle.checked) this.layer.addTo(this.map);
      else this.layer.remove();
      localStorage.setItem(remember, this.toggle.checked ? "on" : "off");
    });
    const draw = $("#draw-zone");
    if (draw && store.can.supervise) {
      draw.addEventListener("click", () => this.start());
      $("#draw-finish").addEventListener("click", () => this.finish());
      $("#draw-undo").addEventListener("click", () => this.undo());
      $("#draw-cancel").addEventListener("click", () => this.stop(true));
      onKey("Escape", () => this.stop(true));
      this.map.on("click", (e) => this.corner(e.latlng));
    }
    document.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-retire-zone]");
      if (b) this.retire(Number(b.dataset.retireZone));
    });
  }

  async load() {
    try {
      const r = await api("GET", "/geofences");
      for (const g of r.geofences) if (g.kind === "ZONE") this.put(g);
    } catch (err) {
      announce(`Geofences could not be loaded: ${err.message}`);
    }
  }

  put(g) {
    if (this.zones.has(g.id)) return;
    const ring = g.boundary.map(([lon, lat]) => [lat, lon]);
    const poly = L.polygon(ring, { className: `zone zone-${g.id}` }).bindPopup(() => this.popup(g), { className: "zone-popup" });
    const label = L.marker(poly.getBounds().getCenter(), { interactive: false, keyboard: false,
      icon: L.divIcon({ className: "zone-label", iconSize: null, html: el("span", {}, g.name) }) });
    poly.addTo(this.layer);
    label.addTo(this.layer);
    this.zones.set(g.id, { g, poly, label });
  }

  remove(id) {
    const z = this.zones.get(id);
    if (!z) return;
    this.layer.removeLayer(z.poly);
    this.layer.removeLayer(z.label);
    this.zones.delete(id);
  }

  popup(g) {
    const tz = this.store.settings.time_zone;
    return el("div", { class: "zone-pop" },
      el("p", {}, el("b", {}, g.name), " · geofence zone"),
      g.created_by ? el("p", {}, `Drawn by ${g.created_by}${g.created_at ? ` at ${hhmm(g.created_at, tz)}` : ""}`) : null,
      this.store.can.supervise ? el("p", {}, el("button", { type: "button", class: "small danger", dataset: { retireZone: g.id } }, "Retire zone")) : null);
  }

  apply(ch) {
    if (ch.reload) {
      for (const id of [...this.zones.keys()]) this.remove(id);
      this.load();
    }
    if (ch.type === "geofence.created" && ch.payload && ch.payload.kind === "ZONE") this.put(ch.payload);
    if (ch.type === "geofence.archived" && ch.payload) this.remove(ch.payload.id);
  }

  // Drawing a zone.

  start() {
    if (this.drawing) return;
    if (!this.toggle.checked) this.toggle.click();
    this.drawing = { corners: [], line: L.polygon([], { className: "draw-line", interactive: false }).addTo(this.map), dots: L.layerGroup().addTo(this.map) };
    this.map.getContainer().classList.add("drawing");
    $("#draw-bar").hidden = false;
    $("#draw-zone").disabled = true;
    this.count();
    announce("Drawing a zone: click the map to add its corners, then Finish and name it.");
  }

  corner(ll) {
    const d = this.drawing;
    if (!d) return;
    d.corners.push(ll);
    L.circleMarker(ll, { radius: 4, className: "draw-dot", interactive: false }).addTo(d.dots);
    d.line.setLatLngs(d.corners);
    this.count();
  }

  undo() {
    const d = this.drawing;
    if (!d || !d.corners.length) return;
    d.corners.pop();
    const dots = d.dots.getLayers();
    d.dots.removeLayer(dots[dots.length - 1]);
    d.line.setLatLngs(d.corners);
    this.count();
  }

  count() {
    const n = this.drawing ? this.drawing.corners.length : 0;
    $("#draw-count").textContent = n;
  }

  stop(cancelled = false) {
    const d = this.drawing;
    if (!d) return;
    d.line.remove();
    d.dots.remove();
    this.drawing = null;
    this.map.getContainer().classList.remove("drawing");
    $("#draw-bar").hidden = true;
    $("#draw-zone").disabled = false;
    if (cancelled) announce("Zone drawing cancelled.");
  }

  // finish names the zone and saves it: the corners clicked fill the
  // dialog, where they may be corrected or typed.
  finish() {
    const d = this.drawing;
    openDialog($("#dlg-zone"), {
      prepare: (f) => {
        f.elements.boundary.value = (d ? d.corners : []).map((ll) => `${ll.lng.toFixed(6)}, ${ll.lat.toFixed(6)}`).join("\n");
      },
      submit: async (body) => {
        const g = await api("POST", "/geofences", { name: body.name, boundary: corners(body.boundary) });
        this.put(g);
        this.stop();
        announce(`Zone ${g.name} saved.`);
      },
    });
  }

  retire(id) {
    const z = this.zones.get(id);
    if (!z) return;
    const dlg = $("#dlg-retire");
    dlg.querySelector(".dlg-zone").textContent = z.g.name;
    this.map.closePopup();
    openDialog(dlg, {
      submit: async () => {
        await api("DELETE", `/geofences/${id}`);
        this.remove(id);
        announce(`Zone ${z.g.name} retired.`);
      },
    });
  }
}

// corners reads typed corners, "longitude, latitude" a line, into a closed
// ring; a line that is not two numbers is named.
export function corners(text) {
  const ring = [];
  const lines = String(text || "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const parts = lines[i].split(/[\s,;]+/).filter(Boolean);
    if (!parts.length) continue;
    const [lon, lat] = parts.map(Number);
    if (parts.length !== 2 || !Number.isFinite(lon) || !Number.isFinite(lat)) {
      throw new Problem(400, { detail: "The corners could not be read.", errors: { boundary: `line ${i + 1} is not longitude, latitude` } });
    }
    ring.push([lon, lat]);
  }
  if (ring.length < 3) throw new Problem(400, { detail: "A zone needs at least three corners.", errors: { boundary: "needs at least three corners" } });
  const [a, z] = [ring[0], ring[ring.length - 1]];
  if (a[0] !== z[0] || a[1] !== z[1]) ring.push([a[0], a[1]]);
  return ring;
}
