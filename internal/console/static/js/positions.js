// Positions is a page's picture of where units are: each unit's newest
// position fix, from the first render, from unit events, and from the live
// positions stream (GET /api/v1/positions/live: server-sent events, a
// snapshot of the box asked for and then at most one fix per unit per
// second). It says which units are stale: on duty with no fix newer than
// the force's position_stale_after. A stale unit is never shown as live.
//
// The stream is asked only for a box: a map's view with a margin, so a
// console is sent the units it shows and not the whole country (issue 4).
// follow moves the box when the view leaves it; a small pan costs nothing.
import { fixAge, parseDuration } from "./format.js";

const defaultStale = 120000; // bluelamp.DefaultPositionStaleAfter

export class Positions {
  constructor(store) {
    this.store = store;
    this.fixes = new Map(); // unit id → {lat, lon, at (ms), heading, speed, accuracy}
    this.listeners = new Set();
    this.box = null; // [minLon, minLat, maxLon, maxLat] the stream follows
    this.es = null;
    this.backoff = 1000;
    this.timer = 0;
    this.status = "off";
    this.onStatus = () => {};
    for (const u of store.units.values()) this.fromUnit(u);
  }

  // staleAfter is the force's position_stale_after in milliseconds.
  staleAfter() {
    const v = this.store.settings.position_stale_after || "";
    if (v !== this.staleText) {
      const ms = parseDuration(v);
      this.staleText = v;
      this.staleMS = ms > 0 ? ms : defaultStale;
    }
    return this.staleMS;
  }

  on(fn) { this.listeners.add(fn); }

  // put keeps f if it is newer than the unit's fix, and reports whether.
  put(f) {
    const at = typeof f.at === "number" ? f.at : Date.parse(f.at);
    if (!Number.isFinite(at) || !Number.isFinite(f.lat) || !Number.isFinite(f.lon)) return false;
    const old = this.fixes.get(f.unit_id);
    if (old && old.at >= at) return false;
    this.fixes.set(f.unit_id, { lat: f.lat, lon: f.lon, at, heading: f.heading ?? null, speed: f.speed ?? null, accuracy: f.accuracy ?? null });
    return true;
  }

  // fromUnit takes a unit's last known position from a record (the first
  // render or an event); the stream's newer fix, if any, stands.
  fromUnit(u) {
    if (!u.position || !u.position_at) return false;
    return this.put({ unit_id: u.id, lat: u.position.lat, lon: u.position.lon, at: u.position_at });
  }

  get(id) { return this.fixes.get(id) || null; }

  // state is where the unit's position stands at now: {stale, text}, the
  // text saying what is known when it is stale ("last fix 4 min ago", "no
  // position"), as view.go fixState does for the first render.
  state(u, now) {
    if (u.state === "OFF_DUTY") return { stale: false, text: "" };
    const f = this.fixes.get(u.id);
    if (!f) return { stale: true, text: "no position" };
    const age = now - f.at;
    if (age < this.staleAfter()) return { stale: false, text: "", age };
    return { stale: true, text: `last fix ${fixAge(age)}`, age };
  }

  emit(ids) {
    for (const fn of this.listeners) {
      try { fn(ids); } catch (err) { console.error(err); }
    }
  }

  // follow makes sure the stream covers view ([minLon, minLat, maxLon,
  // maxLat]), adding a margin of half the view on each side, and base
  // (an area the page always shows, such as the force area) when given.
  follow(view, base = null) {
    // Keep the stream while the view is inside its box, unless the view has
    // shrunk to a small part of it (zoomed well in): then ask for less.
    if (this.box && within(view, this.box) && (!base || within(base, this.box)) &&
      (base || area(this.box) <= 36 * area(view))) return;
    const w = view[2] - view[0];
    const h = view[3] - view[1];
    let box = [view[0] - w / 2, view[1] - h / 2, view[2] + w / 2, view[3] + h / 2];
    if (base) box = [Math.min(box[0], base[0]), Math.min(box[1], base[1]), Math.max(box[2], base[2]), Math.max(box[3], base[3])];
    this.open(clamp(box));
  }

  open(box) {
    clearTimeout(this.timer);
    if (this.es) this.es.close();
    this.box = box;
    const q = box.map((n) => n.toFixed(5)).join(",");
    const es = new EventSource(`/api/v1/positions/live?bbox=${q}`);
    this.es = es;
    es.addEventListener("positions", (m) => {
      this.backoff = 1000;
      this.setStatus("live");
      let fixes;
      try { fixes = JSON.parse(m.data); } catch { return; }
      const changed = [];
      for (const f of fixes) if (this.put(f)) changed.push(f.unit_id);
      if (changed.length) this.emit(changed);
    });
    es.addEventListener("error", (m) => {
      if (m.data && m.data.includes("signed_out")) {
        es.close();
        return; // the event stream takes the page to sign-in
      }
      this.setStatus("reconnecting");
      // EventSource retries a dropped stream by itself; one the server
      // refused (503 while tracking is down) it gives up on, so retry here.
      if (es.readyState === EventSource.CLOSED) {
        this.timer = setTimeout(() => { if (this.es === es) this.open(this.box); }, this.backoff);
        this.backoff = Math.min(this.backoff * 2, 30000);
      }
    });
  }

  setStatus(s) {
    if (s === this.status) return;
    this.status = s;
    this.onStatus(s);
  }

  close() {
    clearTimeout(this.timer);
    if (this.es) this.es.close();
  }
}

function area(b) { return (b[2] - b[0]) * (b[3] - b[1]); }

function within(a, b) {
  return a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3];
}

function clamp(b) {
  return [Math.max(-180, b[0]), Math.max(-90, b[1]), Math.min(180, b[2]), Math.min(90, b[3])];
}

// areaBox is the bounding box of the force area, or null when it has none.
export function areaBox(settings) {
  const ring = (settings.area && settings.area.boundary) || [];
  if (!ring.length) return null;
  const lons = ring.map((c) => c[0]);
  const lats = ring.map((c) => c[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}
