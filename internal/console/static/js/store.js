// Store is a page's live copy of the force's command-and-control state:
// open incidents, units and settings, first from the server's render (the
// #state JSON), then from every event on the stream. Each C&C event carries
// the records as they stand after the change (bluelamp.Change), so the
// store applies it without a fetch. Listeners hear one change per event.
import { api } from "./api.js";
import { connect } from "./live.js";

// Fields an incident event may leave out because the writer did not load
// them; an absent one keeps what the store had.
const loaded = ["assignments", "thrive", "contacts"];

export class Store {
  constructor(state) {
    this.state = state;
    this.settings = state.settings;
    this.codes = state.codes;
    this.can = state.can || {};
    this.head = state.head;
    this.skew = Date.parse(state.now) - Date.now();
    this.incidents = new Map((state.incidents || []).map((i) => [i.id, i]));
    this.units = new Map((state.units || []).map((u) => [u.id, u]));
    this.listeners = new Set();
  }

  // now is the server's clock as well as the page can tell.
  now() { return Date.now() + this.skew; }

  on(fn) { this.listeners.add(fn); }

  emit(change) {
    for (const fn of this.listeners) {
      try { fn(change); } catch (err) { console.error(err); }
    }
  }

  putIncident(inc) {
    const old = this.incidents.get(inc.id);
    const merged = { ...inc };
    for (const k of loaded) if (!(k in merged) && old && old[k]) merged[k] = old[k];
    this.incidents.set(inc.id, merged);
    return merged;
  }

  putUnit(u) {
    this.units.set(u.id, u);
    return u;
  }

  // apply takes one event off the stream.
  apply(e) {
    const p = e.payload || {};
    const change = { type: e.type, seq: e.seq, time: e.time, actor: e.actor, subject: e.subject, payload: p, incidents: [], units: [],
      entries: p.entries || [], methane: p.methane || null, thrive: p.thrive || null, message: p.message || "",
      assignment: p.assignment || null, officer: p.officer || "" };
    if (e.type === "force.settings_changed" && p.settings) {
      this.settings = p.settings;
      change.settings = true;
    }
    if (e.type === "unit.created" && p.call_sign) change.units.push(this.putUnit(p));
    for (const inc of [p.incident, p.diverted]) if (inc && inc.id) change.incidents.push(this.putIncident(inc));
    if (p.thrive && p.incident) this.incidents.get(p.incident.id).thrive = p.thrive;
    for (const u of [p.unit, ...(p.units || [])]) if (u && u.id) change.units.push(this.putUnit(u));
    this.head = e.seq;
    this.emit(change);
  }

  // reload replaces the store's state from the API, after the stream said
  // the page cannot resume; it returns the sequence the state is at.
  async reload() {
    const page = await api("GET", "/log?limit=1");
    const [list, units, settings] = await Promise.all([
      api("GET", "/incidents?status=OPEN&limit=10000"), api("GET", "/units"), api("GET", "/settings"),
    ]);
    this.settings = settings;
    this.incidents = new Map(list.incidents.map((i) => [i.id, i]));
    this.units = new Map(units.units.map((u) => [u.id, u]));
    this.head = page.head;
    this.emit({ type: "reload", incidents: [...this.incidents.values()], units: [...this.units.values()], entries: [], reload: true });
    return page.head;
  }

  // connect starts applying the stream from the first render's head.
  connect(onStatus) {
    this.live = connect({ after: this.head, onEvent: (e) => this.apply(e), onReset: () => this.reload(), onStatus });
    return this.live;
  }
}

// openIncidents returns the store's open incidents in queue order.
export function byQueueOrder(a, b) {
  return rank(a.grade) - rank(b.grade) || Date.parse(a.received_at) - Date.parse(b.received_at) || a.id - b.id;
}

function rank(g) {
  const i = ["IMMEDIATE", "PRIORITY", "STANDARD", "SCHEDULED", "RESOLVED_WITHOUT_DEPLOYMENT"].indexOf(g);
  return i < 0 ? 5 : i;
}
