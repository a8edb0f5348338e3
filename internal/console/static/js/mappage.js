// The map alone: open incidents, units moving live, geofences, a unit's
// track on demand. /map?unit=ID centres a unit (the EMERGENCY banner links
// here from pages without a map); /map?track=ID asks for a unit's track.
import { boot, onTick } from "./page.js";
import { $ } from "./dom.js";
import { LiveMap } from "./mapview.js";
import { Fences } from "./geofences.js";
import { trackDialog, askTrack } from "./track.js";
import { unitStatusDialog } from "./unitstatus.js";

const store = boot();
const map = new LiveMap($("#map"), store, { onIncident: (id) => { location.href = `/control?incident=${id}`; } });
const fences = new Fences(map, store);
store.emergency.attach(map);
unitStatusDialog(store);
trackDialog(store, map);
fences.load();
store.on((ch) => {
  map.apply(ch);
  fences.apply(ch);
});
onTick((now) => map.tick(now));
window.bluelamp.map = map;

const q = new URLSearchParams(location.search);
const unit = store.units.get(Number(q.get("unit")));
const f = unit && store.positions.get(unit.id);
if (f) {
  map.show(f, 14);
  map.units.get(unit.id)?.openPopup();
}
if (q.get("track") && store.can.track) askTrack(store, map, Number(q.get("track")));
