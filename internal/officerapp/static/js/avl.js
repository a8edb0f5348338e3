// Positions (AVL): while the officer is booked on, the phone's fixes
// (Geolocation watchPosition) are batched, every `every` ms or `maxFixes`
// fixes, and each batch goes through the outbox to POST /api/v1/positions,
// in order with everything else. No DOM.
//
// Positions lose their worth as they age, so with no signal only the newest
// `keep` batches are kept waiting (the rest are dropped, not refused), and
// a batch the server refuses is dropped quietly: the officer can do nothing
// about it, and a refused position must not bury a refused status.
export class Positions {
  constructor({ outbox, unit, geolocation = globalThis.navigator && navigator.geolocation, every = 15000, maxFixes = 5, keep = 20 }) {
    Object.assign(this, { outbox, unit, geolocation, every, maxFixes, keep });
    this.fixes = [];
    this.taken = 0; // fixes taken since start
    this.last = 0; // the last fix's time: a fix the browser repeats is taken once
    this.watch = null;
    this.timer = 0;
    this.state = "off"; // "on", "denied", "unavailable"
  }

  // start watches the position; onState hears "on", "denied" or
  // "unavailable" (no position could be found).
  start(onState = () => {}) {
    if (!this.geolocation || this.watch !== null) return;
    const set = (s) => {
      if (s !== this.state) onState((this.state = s));
    };
    this.watch = this.geolocation.watchPosition((p) => {
      set("on");
      this.fix(p);
    }, (e) => set(e.code === 1 ? "denied" : "unavailable"), { enableHighAccuracy: true, maximumAge: 5000, timeout: 60000 });
    this.timer = setInterval(() => this.send(), this.every);
  }

  stop() {
    if (this.watch !== null) this.geolocation.clearWatch(this.watch);
    this.watch = null;
    clearInterval(this.timer);
    return this.send();
  }

  // fix takes one Geolocation position.
  fix(p) {
    const c = p.coords;
    // No fix at all, or one too vague to place the unit on a map.
    if (!Number.isFinite(c.latitude) || !Number.isFinite(c.longitude) || (c.latitude === 0 && c.longitude === 0) || !(c.accuracy <= 10000)) return;
    const at = p.timestamp || Date.now();
    if (at <= this.last) return;
    this.last = at;
    this.taken++;
    const num = (v) => (Number.isFinite(v) ? v : undefined);
    this.fixes.push({
      unit_id: this.unit, lat: c.latitude, lon: c.longitude, accuracy: Math.max(0, c.accuracy),
      speed: num(c.speed) !== undefined && c.speed >= 0 ? c.speed : undefined,
      heading: num(c.heading) !== undefined && c.heading >= 0 && c.heading < 360 ? c.heading : undefined,
      at: new Date(at).toISOString(),
    });
    if (this.fixes.length >= this.maxFixes) this.send();
  }

  // send puts the fixes taken so far into the outbox as one batch.
  async send() {
    if (!this.fixes.length) return null;
    const positions = this.fixes;
    this.fixes = [];
    const item = await this.outbox.add({
      kind: "positions", label: `${positions.length} position${positions.length === 1 ? "" : "s"}`, path: "/api/v1/positions",
      body: { positions }, meta: { unit: this.unit, count: positions.length }, quiet: true,
    });
    await this.outbox.keepLatest("positions", this.keep);
    return item;
  }
}
