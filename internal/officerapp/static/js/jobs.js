// The jobs page: the jobs this phone has shown the officer, and every
// action taken on it with what became of it.
import { $, el, fill } from "./dom.js";
import { boot, outboxItem } from "./shell.js";
import { recentJobs } from "./db.js";
import { DONE, DISMISSED, DROPPED } from "./outbox.js";
import { when, clockSeconds, iso, title } from "./format.js";
import { connect } from "./live.js";
import { read, signInPage } from "./api.js";
import { alarm, unlockAudio } from "./alert.js";

const ctx = await boot();
const { me, db, outbox } = ctx;

async function draw() {
  const jobs = await recentJobs(db, me.id);
  $("#jobs-empty").hidden = jobs.length > 0;
  fill($("#jobs"), jobs.map((j) => el("li", { class: "job-row" },
    el("strong", {}, j.number), " ", el("span", { class: "grade-chip g-" + String(j.grade).toLowerCase() }, title(j.grade)),
    el("span", { class: "summary" }, j.summary),
    el("span", { class: "sub" }, [j.address, `last seen ${when(j.lastSeen)}`].filter(Boolean).join(" · ")))));

  const items = (await outbox.items()).filter((i) => i.kind !== "positions").reverse();
  $("#actions-empty").hidden = items.length > 0;
  fill($("#actions-list"), items.map((i) => {
    if (i.state !== DONE && i.state !== DISMISSED && i.state !== DROPPED) return outboxItem(outbox, i, false);
    const said = { [DONE]: i.replayed ? "Sent (the server already had it)" : "Sent", [DISMISSED]: "Not accepted (read)", [DROPPED]: "Not sent: superseded" }[i.state];
    return el("li", { class: "ob " + i.state, dataset: { seq: i.seq, kind: i.kind } },
      el("span", { class: "ob-label" }, i.label),
      el("span", { class: "ob-meta" }, "Taken at ", el("time", { datetime: iso(i.takenAt) }, clockSeconds(i.takenAt)),
        i.sentAt ? [" · sent at ", el("time", { datetime: iso(i.sentAt) }, clockSeconds(i.sentAt))] : "", " · ", el("strong", { class: "ob-state" }, said)),
      i.state === DISMISSED && el("span", { class: "ob-msg" }, i.message));
  }));
}

outbox.on(draw);
await draw();

// A new job for my unit takes the officer to it, with the alert, from here
// too.
let mine = 0;
read("/me/unit").then((r) => { mine = r.data.unit.id; }).catch(() => {});
unlockAudio();
connect({
  onEvent: (e) => {
    const p = e.payload || {};
    if (e.type === "unit.assigned" && mine && p.assignment && p.assignment.unit_id === mine) {
      alarm();
      location.href = "/app/";
    }
  },
  onStatus: ctx.conn.set,
  onSignedOut: () => { location.href = signInPage + "?notice=expired"; },
});
