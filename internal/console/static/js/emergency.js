// EmergencyAlert makes an officer's EMERGENCY (status 0, from a radio
// button or the officer app) unmissable on every console page (DOMAIN 3.2:
// it overrides everything): a banner kept at the top of the screen
// whatever is scrolled, an assertive announcement, a two-tone alarm
// repeated until someone at this screen acknowledges it, and on a page
// with a map the unit's last position centred and ringed.
//
// Acknowledging silences this screen only. No API records an
// acknowledgement, so it claims nothing: the banner stays for as long as
// the unit is in EMERGENCY, and a new activation sounds again.
import { $, el, fill, announce } from "./dom.js";
import { hhmm } from "./format.js";

export class EmergencyAlert {
  constructor(store) {
    this.store = store;
    this.banner = $("#emergency");
    this.list = $("#emergency-units");
    this.sound = $("#emergency-sound");
    this.ack = $("#emergency-ack");
    this.map = null;
    this.acked = new Set(); // units whose current activation this screen acknowledged
    this.active = new Set();
    this.alarm = new Alarm(() => this.drawSound());
    this.ack.addEventListener("click", () => this.acknowledge());
    this.list.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-em-show]");
      if (b && this.map) this.map.emergency(this.store.units.get(Number(b.dataset.emShow)));
    });
    this.update(true);
  }

  // attach gives the alert a map (a LiveMap) to show units on; a unit
  // already in EMERGENCY is shown at once.
  attach(map) {
    this.map = map;
    const us = this.units();
    if (us.length) map.emergency(us[us.length - 1]);
    this.draw();
  }

  units() {
    return [...this.store.units.values()].filter((u) => u.state === "EMERGENCY")
      .sort((a, b) => Date.parse(a.status_at) - Date.parse(b.status_at));
  }

  // update follows the store's units: a new activation is announced,
  // sounds and is shown on the map; one that ended is forgotten.
  update(first = false) {
    const now = new Set();
    for (const u of this.units()) {
      now.add(u.id);
      if (this.active.has(u.id)) continue;
      this.acked.delete(u.id);
      if (!first) announce(`EMERGENCY: ${u.call_sign} needs urgent assistance`, true);
      if (this.map) this.map.emergency(u);
    }
    for (const id of this.active) if (!now.has(id)) this.acked.delete(id);
    this.active = now;
    this.draw();
  }

  acknowledge() {
    if (![...this.active].some((id) => !this.acked.has(id))) return;
    for (const id of this.active) this.acked.add(id);
    this.draw();
    announce("Alarm silenced on this screen. The unit is still in EMERGENCY until its status changes.", true);
  }

  draw() {
    const us = this.units();
    this.banner.hidden = us.length === 0;
    const focused = this.list.contains(document.activeElement) ? document.activeElement.closest("li").dataset.unit : null;
    fill(this.list, us.map((u) => {
      const f = this.store.positions.get(u.id);
      return el("li", { dataset: { unit: u.id } }, el("b", {}, u.call_sign), u.incident_number ? ` (${u.incident_number})` : "",
        ": officer needs urgent assistance · ", el("span", { class: "em-fix" }, this.where(u)),
        f ? [" ", this.map
          ? el("button", { type: "button", class: "em-show", dataset: { emShow: u.id } }, "Show on map")
          : el("a", { class: "em-show", href: `/map?unit=${u.id}` }, "Show on map")] : null);
    }));
    if (focused) this.list.querySelector(`li[data-unit="${focused}"] .em-show`)?.focus();
    const ringing = [...this.active].some((id) => !this.acked.has(id));
    this.ack.hidden = !ringing;
    this.banner.dataset.alarm = ringing ? "ringing" : us.length ? "acknowledged" : "";
    if (ringing) this.alarm.start();
    else this.alarm.stop();
    this.drawSound();
  }

  drawSound() {
    const a = this.alarm;
    let text = "";
    if (a.ringing) text = a.blocked ? "Sound is off until you click or press a key on this page." : "Alarm sounding.";
    else if (this.active.size) text = "Alarm silenced on this screen.";
    if (this.sound.textContent !== text) this.sound.textContent = text;
    this.banner.dataset.sound = a.ringing ? (a.blocked ? "blocked" : "on") : "off";
  }

  // where says what is known of the unit's position.
  where(u) {
    const p = this.store.positions;
    const f = p.get(u.id);
    if (!f) return "no position known";
    const st = p.state(u, this.store.now());
    return `last position ${hhmm(new Date(f.at).toISOString(), this.store.settings.time_zone)}${st.stale ? ` (stale: ${st.text})` : ""}`;
  }

  // tick keeps the positions' ages current.
  tick() {
    for (const li of this.list.children) {
      const u = this.store.units.get(Number(li.dataset.unit));
      const s = li.querySelector(".em-fix");
      if (u && s) {
        const t = this.where(u);
        if (s.textContent !== t) s.textContent = t;
      }
    }
  }
}

// Alarm is a two-tone beep, repeated, made with Web Audio (no file to
// fetch). Browsers let a page make sound only after someone has clicked or
// typed on it; until then the alarm says it is blocked and the banner asks
// for a click.
class Alarm {
  constructor(onChange) {
    this.ctx = null;
    this.timer = 0;
    this.ringing = false;
    this.beeps = 0;
    this.onChange = onChange;
    const unlock = () => {
      const ctx = this.context(true);
      if (ctx && ctx.state === "suspended") ctx.resume().then(() => this.onChange(), () => {});
    };
    for (const t of ["pointerdown", "keydown"]) document.addEventListener(t, unlock, true);
  }

  // context is the page's AudioContext, made only once the page has had a
  // click or key press (before that the browser would refuse it).
  context(gesture = false) {
    if (!this.ctx && (gesture || (navigator.userActivation && navigator.userActivation.hasBeenActive))) {
      const AC = window.AudioContext || window.webkitAudioContext;
      if (AC) this.ctx = new AC();
    }
    return this.ctx;
  }

  get blocked() { return !this.ctx || this.ctx.state !== "running"; }

  start() {
    if (this.ringing) return;
    this.ringing = true;
    this.beep();
    this.timer = setInterval(() => this.beep(), 2000);
  }

  stop() {
    if (!this.ringing) return;
    this.ringing = false;
    clearInterval(this.timer);
  }

  beep() {
    const ctx = this.context();
    if (ctx && ctx.state === "suspended") ctx.resume().catch(() => {});
    if (!ctx || ctx.state !== "running") {
      this.onChange();
      return;
    }
    const t = ctx.currentTime;
    [960, 640, 960, 640].forEach((hz, i) => {
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.type = "square";
      o.frequency.value = hz;
      g.gain.setValueAtTime(0.0001, t + i * 0.2);
      g.gain.exponentialRampToValueAtTime(0.25, t + i * 0.2 + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.2 + 0.18);
      o.connect(g).connect(ctx.destination);
      o.start(t + i * 0.2);
      o.stop(t + i * 0.2 + 0.19);
    });
    this.beeps++;
    this.onChange();
  }
}
