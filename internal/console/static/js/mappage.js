// The map alone.
import { boot } from "./page.js";
import { $ } from "./dom.js";
import { LiveMap } from "./mapview.js";

const store = boot();
const map = new LiveMap($("#map"), store, { onIncident: (id) => { location.href = `/control?incident=${id}`; } });
store.on((ch) => map.apply(ch));
