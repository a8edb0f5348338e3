// The unit board alone.
import { boot } from "./page.js";
import { $ } from "./dom.js";
import { Board } from "./views.js";
import { unitStatusDialog } from "./unitstatus.js";

const store = boot();
const board = new Board($("#board"), store);
unitStatusDialog(store);
store.on((ch) => {
  if (ch.reload) board.rebuild(store.units.values());
  else for (const u of ch.units) board.upsert(u);
});
