// boot starts what every command-and-control page shares: the live store
// from the first render, the stream status, the EMERGENCY banner and alert
// (DOMAIN 3.2: it overrides everything and alerts every controller), the
// page navigation keys and the help overlay.
import { Store } from "./store.js";
import { $, announce } from "./dom.js";
import { onKey } from "./keys.js";

export function boot() {
  const state = JSON.parse($("#state").textContent);
  const store = new Store(state);
  const status = $("#stream-status");
  const setStatus = (s) => {
    status.textContent = { live: "live", reconnecting: "reconnecting…", reloading: "reloading…" }[s] || s;
    status.className = "status " + (s === "live" ? "ok" : "warn");
    document.body.dataset.stream = s;
  };

  let emergency = new Set([...store.units.values()].filter((u) => u.state === "EMERGENCY").map((u) => u.id));
  const banner = $("#emergency");
  const drawBanner = () => {
    const us = [...store.units.values()].filter((u) => u.state === "EMERGENCY");
    banner.hidden = us.length === 0;
    $("#emergency-units").textContent = us.map((u) => u.call_sign + (u.incident_number ? ` (${u.incident_number})` : "")).join(", ");
  };
  store.on((ch) => {
    if (!ch.units.length) return;
    // A status message (call back, confidential…) changes no state: say it.
    if (ch.message && ch.units[0]) announce(`${ch.units[0].call_sign}: ${ch.message}`, true);
    for (const u of ch.units) {
      if (u.state === "EMERGENCY" && !emergency.has(u.id)) {
        announce(`EMERGENCY: ${u.call_sign} needs urgent assistance`, true);
      }
    }
    emergency = new Set([...store.units.values()].filter((u) => u.state === "EMERGENCY").map((u) => u.id));
    drawBanner();
  });

  const go = (href) => () => { location.href = href; };
  if (store.can.take_calls) onKey("n", go("/calls/new"));
  onKey("q", go("/control"));
  onKey("u", go("/units"));
  onKey("p", go("/map"));
  const help = $("#help");
  if (help) onKey("?", () => help.showModal());

  window.bluelamp = { store };
  store.connect(setStatus);
  return store;
}
