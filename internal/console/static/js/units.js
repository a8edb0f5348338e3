// The unit board alone: every unit by state, its crew booked on and off,
// and how fresh its position is, live. "Track" opens the map page.
import { boot, onTick } from "./page.js";
import { $ } from "./dom.js";
import { Board } from "./views.js";
import { unitStatusDialog } from "./unitstatus.js";
import { areaBox } from "./positions.js";
import { trackDialog } from "./track.js";

const store = boot();
const board = new Board($("#board"), store);
unitStatusDialog(store);
trackDialog(store, null);
store.on((ch) => {
  if (ch.reload) board.rebuild(store.units.values());
  else for (const u of ch.units) board.upsert(u);
});
// The board shows every unit: its positions stream covers the force area.
const area = areaBox(store.settings) || [-180, -90, 180, 90];
store.positions.follow(area);
store.positions.on((ids) => board.moved(ids, store.now()));
onTick((now) => board.tick(now));
