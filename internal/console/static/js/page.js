// boot starts what every command-and-control page shares: the live store
// from the first render, the stream status, units' positions, the
// EMERGENCY banner, alarm and alert (DOMAIN 3.2: it overrides everything
// and alerts every controller), crews booking on and off, the page
// navigation keys and the help overlay.
import { Store } from "./store.js";
import { $, announce } from "./dom.js";
import { onKey } from "./keys.js";
import { Positions } from "./positions.js";
import { EmergencyAlert } from "./emergency.js";

const ticks = new Set();

// onTick runs fn(now) every two seconds: staleness of positions and the
// ages shown are recomputed by it, client-side.
export function onTick(fn) { ticks.add(fn); }

export function boot() {
  const state = JSON.parse($("#state").textContent);
  const store = new Store(state);
  const status = $("#stream-status");
  const setStatus = (s) => {
    status.textContent = { live: "live", reconnecting: "reconnecting…", reloading: "reloading…" }[s] || s;
    status.className = "status " + (s === "live" ? "ok" : "warn");
    document.body.dataset.stream = s;
  };

  store.positions = new Positions(store);
  store.emergency = new EmergencyAlert(store);
  store.on((ch) => {
    for (const u of ch.units) store.positions.fromUnit(u);
    if (!ch.units.length) return;
    // A status message (call back, confidential…) changes no state: say it.
    if (ch.message && ch.units[0]) announce(`${ch.units[0].call_sign}: ${ch.message}`, true);
    if (ch.officer && (ch.type === "unit.booked_on" || ch.type === "unit.booked_off") && ch.units[0]) {
      announce(`${ch.officer} ${ch.type === "unit.booked_on" ? "booked on to" : "booked off"} ${ch.units[0].call_sign}.`);
    }
    store.emergency.update();
  });

  const go = (href) => () => { location.href = href; };
  if (store.can.take_calls) onKey("n", go("/calls/new"));
  onKey("q", go("/control"));
  onKey("u", go("/units"));
  onKey("p", go("/map"));
  onKey("a", () => store.emergency.acknowledge());
  const help = $("#help");
  if (help) onKey("?", () => help.showModal());
  onTick(() => store.emergency.tick());
  setInterval(() => {
    const now = store.now();
    for (const fn of ticks) {
      try { fn(now); } catch (err) { console.error(err); }
    }
  }, 2000);

  window.bluelamp = { store };
  store.connect(setStatus);
  return store;
}
