// The controller console: queue, incident panel, map with live positions
// and geofences, geofence alerts and unit board, live.
import { boot, onTick } from "./page.js";
import { $ } from "./dom.js";
import { onKey } from "./keys.js";
import { Queue, Board, tickClocks } from "./views.js";
import { Detail } from "./detail.js";
import { LiveMap } from "./mapview.js";
import { byQueueOrder } from "./store.js";
import { unitStatusDialog } from "./unitstatus.js";
import { api, Problem } from "./api.js";
import { openDialog } from "./forms.js";
import { areaBox } from "./positions.js";
import { Fences } from "./geofences.js";
import { FenceAlerts } from "./alerts.js";
import { trackDialog } from "./track.js";

const store = boot();
const count = $("#queue-count");
const queue = new Queue($("#queue-body"), store, {
  onChange: () => {
    count.textContent = queue.count;
    $("#queue-empty").hidden = queue.count > 0;
  },
});
const board = new Board($("#board"), store);
const detail = new Detail($("#detail"), store, { onOpen: (id) => { queue.select(id, false); map.focus(store.incidents.get(id)); } });
// The unit board beside the map shows every unit's staleness, so the
// positions stream covers the force area as well as the map's view.
const map = new LiveMap($("#map"), store, { onIncident: (id) => detail.open(id), base: areaBox(store.settings) });
const fences = new Fences(map, store);
const alerts = new FenceAlerts($("#fence-alerts"), store, { onShow: (p) => map.show(p, 14), count: $("#fa-count"), empty: $("#fa-empty") });
store.emergency.attach(map);
unitStatusDialog(store);
trackDialog(store, map);
fences.load();
alerts.loadRecent();
store.positions.on((ids) => board.moved(ids, store.now()));
onTick((now) => {
  map.tick(now);
  board.tick(now);
});

const open = (id) => {
  detail.open(id);
  $("#detail-h").focus({ preventScroll: true });
};

store.on((ch) => {
  if (ch.reload) {
    queue.rebuild([...store.incidents.values()].sort(byQueueOrder));
    board.rebuild(store.units.values());
  } else {
    for (const inc of ch.incidents) queue.upsert(inc);
    for (const u of ch.units) board.upsert(u);
  }
  map.apply(ch);
  detail.apply(ch);
  fences.apply(ch);
  alerts.apply(ch);
});

$("#queue-body").addEventListener("click", (e) => {
  const b = e.target.closest("button.open");
  if (b) open(Number(b.dataset.open));
});

onKey(["j", "ArrowDown"], () => queue.move(1));
onKey(["k", "ArrowUp"], () => queue.move(-1));
onKey("Enter", () => { if (queue.selected) open(queue.selected); });
onKey("d", () => detail.act("dispatch-top"));
for (const n of [1, 2, 3, 4, 5]) onKey(String(n), () => detail.dispatch(n - 1));
onKey("g", () => detail.act("grade"));
onKey("c", () => detail.act("close"));
onKey("l", () => detail.act("log"));
onKey("t", () => detail.act("thrive"));
onKey("m", () => detail.act("major"));
onKey("e", () => detail.act("methane"));
onKey("i", () => detail.act("link"));
// Arrow keys move the queue only when the page itself has the focus, so
// they still scroll a focused list or work inside the map.
document.addEventListener("keydown", (e) => {
  if ((e.key === "ArrowDown" || e.key === "ArrowUp") && e.target.closest && e.target.closest("#map, .board, #det-log")) e.stopImmediatePropagation();
}, true);

// An incident handed over as EIDO opens as a new one, in the panel.
const importButton = $("#import-eido");
if (importButton) {
  importButton.addEventListener("click", () => openDialog($("#dlg-import"), {
    submit: async (_, form) => {
      const file = form.elements.file.files[0];
      if (!file) throw new Problem(400, { detail: "Choose the EIDO document to import.", errors: { file: "is required" } });
      const inc = await api("POST", "/incidents/eido", await file.text());
      store.putIncident(inc);
      queue.upsert(inc);
      open(inc.id);
    },
  }));
}

const scroller = $("#queue-scroll");
setInterval(() => {
  const now = store.now();
  queue.tick(scroller, now);
  tickClocks($("#detail"), now);
}, 1000);

window.bluelamp.map = map;
if (store.state.selected) open(store.state.selected);
else if (queue.count) queue.select(Number($("#queue-body tr").dataset.id), false);
