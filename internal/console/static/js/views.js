// The queue and the unit board, kept live. Their rows are the ones the
// server renders (templates/layout.html, "queue-row" and "unit"): these
// functions draw the same markup for records that change.
import { el, $, $$, fill } from "./dom.js";
import { attendanceClocks, clockState, clockText, gradeClass, gradeRank, gradeSetting, hhmm, iso, label,
  resourcingLabel, stateClass } from "./format.js";

export function queueRow(inc, store) {
  const g = gradeSetting(store.settings, inc.grade);
  const tz = store.settings.time_zone;
  const units = (inc.assignments || []).filter((a) => ["ASSIGNED", "EN_ROUTE", "AT_SCENE"].includes(a.state)).map((a) => a.call_sign);
  const clocks = attendanceClocks(inc, g, store.now());
  return el("tr", { id: `inc-${inc.id}`, class: gradeClass(inc.grade), dataset: { id: inc.id, rank: gradeRank(inc.grade), received: inc.received_at } },
    el("td", { class: "grade" }, el("span", { class: `badge ${gradeClass(inc.grade)}` }, g.code), el("span", { class: "visually-hidden" }, " " + g.label)),
    el("th", { scope: "row", class: "num" }, el("button", { type: "button", class: "open", dataset: { open: inc.id } }, inc.number),
      " ", el("time", { class: "rcv", datetime: inc.received_at }, hhmm(inc.received_at, tz)),
      inc.major ? [" ", el("span", { class: "tag major" }, "MAJOR")] : null),
    el("td", { class: "what" }, el("span", { class: "cat" }, label(store.codes.categories, inc.category)), " ",
      el("span", { class: "sum" }, inc.summary), el("span", { class: "where" }, (inc.location && inc.location.address) || "")),
    el("td", { class: `res res-${String(inc.resourcing).toLowerCase()}` }, resourcingLabel(inc.resourcing),
      units.length ? el("span", { class: "units" }, units.join(", ")) : null),
    el("td", { class: "clocks" }, clocks.map(clockEl)));
}

export function clockEl(c) {
  const running = c.due !== null && !c.stopped;
  return el("span", { class: `clock ${c.state.toLowerCase()}`, dataset: running ? { due: iso(c.due), warn: c.warn } : {} },
    el("span", { class: "basis" }, c.basis === "DISPATCH" ? "Dispatch" : "Call"), " ", el("span", { class: "t" }, clockText(c.state, c.remaining)));
}

// tickClocks moves every running countdown under root on to now: amber
// when due soon, red when breached, the state in words as well.
export function tickClocks(root, now) {
  tick(root.querySelectorAll(".clock[data-due]"), now);
}

function tick(clocks, now) {
  for (const c of clocks) {
    const [state, remaining] = clockState(Date.parse(c.dataset.due), Number(c.dataset.warn), now);
    const cls = state.toLowerCase();
    if (!c.classList.contains(cls)) {
      c.classList.remove("running", "warning", "breached");
      c.classList.add(cls);
    }
    const t = c.querySelector(".t");
    const text = clockText(state, remaining);
    if (t.textContent !== text) t.textContent = text;
  }
}

// Queue keeps a table body of incidents in queue order: grade, then oldest
// first. keep says which incidents belong (open ones, by default).
export class Queue {
  constructor(tbody, store, { keep = (i) => i.status === "OPEN", onChange = () => {} } = {}) {
    this.body = tbody;
    this.store = store;
    this.keep = keep;
    this.onChange = onChange;
    this.selected = null;
  }

  row(id) { return this.body.querySelector(`tr[data-id="${id}"]`); }

  upsert(inc) {
    const old = this.row(inc.id);
    if (!this.keep(inc)) {
      if (old) {
        if (this.selected === inc.id) this.select(this.neighbour(old), false);
        old.remove();
        this.onChange();
      }
      return;
    }
    const tr = queueRow(inc, this.store);
    if (this.selected === inc.id) mark(tr, true);
    const key = [gradeRank(inc.grade), Date.parse(inc.received_at), inc.id];
    const next = this.firstAfter(key, old);
    const hadFocus = old && old.contains(document.activeElement);
    if (old && old.nextElementSibling === (next || null)) old.replaceWith(tr);
    else {
      if (old) old.remove();
      this.body.insertBefore(tr, next || null);
    }
    if (hadFocus) tr.querySelector("button.open").focus();
    this.onChange();
  }

  rebuild(incs) {
    fill(this.body, ...incs.filter(this.keep).map((i) => queueRow(i, this.store)));
    if (this.selected) {
      const r = this.row(this.selected);
      if (r) mark(r, true);
    }
    this.onChange();
  }

  // firstAfter finds, by binary search, the first row that sorts after key
  // (skipping the row being replaced).
  firstAfter(key, skip) {
    const rows = this.body.rows;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (after(rows[mid], key)) hi = mid;
      else lo = mid + 1;
    }
    let r = rows[lo] || null;
    if (r && r === skip) r = r.nextElementSibling;
    return r;
  }

  neighbour(tr) {
    const n = tr.nextElementSibling || tr.previousElementSibling;
    return n ? Number(n.dataset.id) : null;
  }

  get count() { return this.body.rows.length; }

  // tick moves on the countdowns of the rows in view in scroller: with
  // thousands of incidents open, ticking every row each second would take
  // a quarter of the CPU. A row scrolled into view is ticked the next second.
  tick(scroller, now) {
    const rows = this.body.rows;
    if (!rows.length) return;
    const view = scroller.getBoundingClientRect();
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid].getBoundingClientRect().bottom < view.top) lo = mid + 1;
      else hi = mid;
    }
    const visible = [];
    for (let i = lo; i < rows.length && rows[i].getBoundingClientRect().top <= view.bottom; i++) {
      visible.push(...rows[i].querySelectorAll(".clock[data-due]"));
    }
    tick(visible, now);
  }

  // select marks the incident's row; with focus it moves the keyboard there.
  select(id, focus = true) {
    if (this.selected) {
      const r = this.row(this.selected);
      if (r) mark(r, false);
    }
    this.selected = id;
    const r = id ? this.row(id) : null;
    if (!r) return;
    mark(r, true);
    if (focus) r.querySelector("button.open").focus();
    r.scrollIntoView({ block: "nearest" });
  }

  // move selects the row step rows from the selected one (or the first).
  move(step) {
    const rows = [...this.body.rows];
    if (!rows.length) return null;
    let i = rows.findIndex((r) => Number(r.dataset.id) === this.selected);
    i = i < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, i + step));
    const id = Number(rows[i].dataset.id);
    this.select(id);
    return id;
  }
}

function mark(tr, on) {
  tr.classList.toggle("sel", on);
  const b = tr.querySelector("button.open");
  if (on) b.setAttribute("aria-current", "true");
  else b.removeAttribute("aria-current");
}

function after(tr, [rank, received, id]) {
  const r = Number(tr.dataset.rank);
  if (r !== rank) return r > rank;
  const t = Date.parse(tr.dataset.received);
  if (t !== received) return t > received;
  return Number(tr.dataset.id) > id;
}

export function unitItem(u, store) {
  const sc = (store.settings.status_codes || []).find((s) => s.code === u.status_code);
  const since = u.status_at ? hhmm(u.status_at, store.settings.time_zone) : "";
  const skills = (u.skills || []).map((s) => s.skill).join(" ");
  const crew = (u.crew || []).join(", ");
  const fix = store.positions.state(u, store.now());
  return el("li", { id: `unit-${u.id}`, class: fix.stale ? "stale" : null, dataset: { id: u.id, callSign: u.call_sign } },
    store.can.dispatch
      ? el("button", { type: "button", class: "cs", dataset: { statusUnit: u.id }, "aria-label": `${u.call_sign}: set status` }, u.call_sign)
      : el("span", { class: "cs" }, u.call_sign),
    crew ? [" ", el("span", { class: "crew", title: `Crew (collar numbers): ${crew}` }, el("span", { class: "visually-hidden" }, "crew "), crew)] : null,
    " ", el("span", { class: "type" }, u.type),
    u.incident_number ? [" ", el("span", { class: "job" }, u.incident_number)] : null,
    skills ? [" ", el("span", { class: "skills", title: skills }, skills)] : null,
    " ", el("span", { class: "fix", hidden: !fix.text }, fix.text),
    " ", el("span", { class: "since", title: sc ? sc.label : label(store.codes.unit_states, u.state) }, since),
    store.can.track ? [" ", el("button", { type: "button", class: "trk", dataset: { track: u.id }, "aria-label": `Show track of ${u.call_sign}` }, "Track")] : null);
}

// fixBadge brings a board item's position state to now: the item greyed
// and its age in words while stale, nothing while live.
function fixBadge(li, u, store, now) {
  const st = store.positions.state(u, now);
  if (li.classList.contains("stale") !== st.stale) li.classList.toggle("stale", st.stale);
  const b = li.querySelector(".fix");
  if (!b) return;
  if (b.textContent !== st.text) b.textContent = st.text;
  if (b.hidden !== !st.text) b.hidden = !st.text;
}

// Board keeps units grouped by canonical state, EMERGENCY first, each
// group's units by call sign; empty groups are hidden.
export class Board {
  constructor(root, store) {
    this.root = root;
    this.store = store;
  }

  upsert(u) {
    const old = this.root.querySelector(`li[data-id="${u.id}"]`);
    const group = this.root.querySelector(`section[data-state="${u.state}"]`);
    const li = unitItem(u, this.store);
    const hadFocus = old && old.contains(document.activeElement);
    if (old) {
      const from = old.closest("section");
      old.remove();
      this.count(from);
    }
    if (group) {
      const list = $("ul", group);
      const next = [...list.children].find((x) => x.dataset.callSign.localeCompare(u.call_sign, "en-GB", { numeric: true }) > 0);
      list.insertBefore(li, next || null);
      this.count(group);
      li.classList.add("changed");
      setTimeout(() => li.classList.remove("changed"), 2000);
    }
    if (hadFocus) (li.querySelector("button") || li).focus();
  }

  // tick brings every unit's position state to now.
  tick(now) {
    for (const li of this.root.querySelectorAll("li[data-id]")) {
      const u = this.store.units.get(Number(li.dataset.id));
      if (u) fixBadge(li, u, this.store, now);
    }
  }

  // moved brings the units with new fixes to now.
  moved(ids, now) {
    for (const id of ids) {
      const li = document.getElementById(`unit-${id}`);
      const u = this.store.units.get(id);
      if (li && u && this.root.contains(li)) fixBadge(li, u, this.store, now);
    }
  }

  count(section) {
    const n = $("ul", section).children.length;
    $(".count", section).textContent = n;
    section.hidden = n === 0;
  }

  rebuild(units) {
    for (const s of $$("section[data-state]", this.root)) {
      fill($("ul", s));
    }
    [...units].sort((a, b) => a.call_sign.localeCompare(b.call_sign, "en-GB", { numeric: true })).forEach((u) => {
      const s = this.root.querySelector(`section[data-state="${u.state}"]`);
      if (s) $("ul", s).append(unitItem(u, this.store));
    });
    for (const s of $$("section[data-state]", this.root)) this.count(s);
  }
}
