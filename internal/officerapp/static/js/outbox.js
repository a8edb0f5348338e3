// The outbox: every action an officer takes (a status, a log update, a
// form) is written here first, on the phone, with a key made on the phone
// and the time it was taken, and sent from here. No DOM: pages and tests
// drive it (docs/OFFICER-APP.md).
//
// The rules:
//   - Actions are sent strictly one at a time, in the order taken, except
//     that an EMERGENCY (priority) goes before everything still waiting.
//   - Each carries its key as the Idempotency-Key header, so an action sent
//     again (the answer was lost, the phone went into a tunnel) is applied
//     once: the server answers a copy with the first answer and
//     Idempotent-Replayed: true.
//   - 2xx, replayed or not: done.
//   - 401: the session has ended. Everything waits until the officer signs
//     in again.
//   - 408, 429, 5xx or no answer at all: the action stays pending, the queue
//     stops there (what was taken later waits behind it) and retries with
//     backoff, at once when the browser says it is back online.
//   - Any other 4xx (the job was reassigned or the unit stood down while
//     the phone was offline, a form the server refuses): a conflict, kept
//     with the server's message for the officer to see and dismiss, never
//     dropped; the queue moves on to the next action.
import { all, run } from "./db.js";

// LOCK is the Web Lock every tab of the app takes to send, so two tabs
// never send the outbox at once.
export const LOCK = "bluelamp-outbox";

// States of an outbox item.
export const PENDING = "pending";
export const DONE = "done";
export const CONFLICT = "conflict";
export const DISMISSED = "dismissed"; // a conflict the officer has read
export const DROPPED = "dropped"; // superseded before it was sent (stale positions)

// keepDone is how many finished items are kept for the "recent" lists.
const keepDone = 100;
// maxAnswer bounds an answer kept with its item (a receipt, an entry).
const maxAnswer = 8 << 10;

export class Outbox {
  // db is the app's database (db.js openDB); user the signed-in user's id:
  // the outbox sends only that user's actions, with that user's session.
  // fetch, now, key, random and the timers are the outside world, replaced
  // by tests.
  constructor({ db, user, fetch: send = (u, init) => globalThis.fetch(u, init), now = () => new Date(), key = newKey,
    random = Math.random, locks = globalThis.navigator && globalThis.navigator.locks, minWait = 2000, maxWait = 60000,
    timeout = 20000, setTimer = (f, ms) => setTimeout(f, ms), clearTimer = (t) => clearTimeout(t) }) {
    Object.assign(this, { db, user, send, now, key, random, locks, minWait, maxWait, timeout, setTimer, clearTimer });
    this.listeners = new Set();
    this.failures = 0; // sends in a row that must be retried
    this.running = null;
    this.again = false;
    this.timer = null;
    this.sending = 0; // seq of the item on the wire
    this.blocked = ""; // "auth" while the session has ended
  }

  // on calls fn with {type, item, wait} on every change: "added",
  // "sending", "done", "conflict", "retry", "auth", "dismissed",
  // "dropped". It returns a function that stops the calls.
  on(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(ev) {
    for (const fn of this.listeners) {
      try { fn(ev); } catch (err) { console.error(err); }
    }
  }

  // add records an action and starts sending. kind names it ("status",
  // "log", "stopsearch"...), label says it to the officer, meta holds what
  // the pages need to show it (unit, incident, code...). body is encoded
  // once, here: every copy sent carries the same bytes under the same key,
  // as the server requires.
  // id, when given, is the key to use (a form's client_id, so the form and
  // its Idempotency-Key name the same action). A quiet item that the server
  // refuses is dropped rather than shown as a conflict: for what the
  // officer did not do by hand and cannot put right (positions).
  //
  // raw, with contentType, is a body that is not JSON (a photo for an
  // exhibit, as multipart/form-data): a Blob kept as it is, so every copy
  // sent is the same bytes.
  async add({ id, kind, label, method = "POST", path, body, raw, contentType, meta = {}, priority = false, quiet = false }) {
    const item = {
      id: id || this.key(), user: this.user, kind, label, method, path, meta, priority, quiet, raw, contentType,
      body: body === undefined ? undefined : JSON.stringify(body),
      takenAt: this.now().toISOString(), state: PENDING, attempts: 0,
    };
    item.seq = await run(this.db, "outbox", "readwrite", (s) => s.add(item));
    this.emit({ type: "added", item });
    this.flush();
    return item;
  }

  // items returns the user's items, oldest first.
  async items() {
    const rows = await all(this.db, "outbox", (i) => i.user === this.user);
    return rows.sort((a, b) => a.seq - b.seq);
  }

  // pending returns the user's items still to send, in sending order.
  async pending() {
    const rows = (await this.items()).filter((i) => i.state === PENDING);
    return rows.sort((a, b) => (b.priority ? 1 : 0) - (a.priority ? 1 : 0) || a.seq - b.seq);
  }

  // dismiss records that the officer has read a conflict.
  async dismiss(seq) {
    const item = await this.get(seq);
    if (!item || item.user !== this.user || item.state !== CONFLICT) return;
    item.state = DISMISSED;
    item.dismissedAt = this.now().toISOString();
    await this.put(item);
    this.emit({ type: "dismissed", item });
  }

  // keepLatest drops all but the newest n pending items of kind, for
  // actions a newer one makes worthless (a batch of positions an hour old).
  async keepLatest(kind, n) {
    const old = (await this.pending()).filter((i) => i.kind === kind && i.seq !== this.sending);
    for (const item of old.slice(0, Math.max(0, old.length - n))) {
      item.state = DROPPED;
      await this.put(item);
      this.emit({ type: "dropped", item });
    }
  }

  // flush sends what is pending, one at a time, until the outbox is empty
  // or a send must wait. Calls while it runs share its promise (and make it
  // look again before it stops).
  flush() {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        let outcome;
        do {
          this.again = false;
          outcome = await this.locked(() => this.drain());
        } while (this.again && outcome === "empty");
        return outcome;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  // retryNow forgets the backoff and sends at once: the browser says the
  // network is back, or the officer asked.
  retryNow() {
    this.failures = 0;
    this.blocked = "";
    this.clearTimer(this.timer);
    this.timer = null;
    return this.flush();
  }

  // start sends on every "online" event of target (the window) and every
  // maxWait, whatever the backoff says; stop undoes it.
  start(target = globalThis) {
    this.onOnline = () => this.retryNow();
    target.addEventListener("online", this.onOnline);
    this.tick = setInterval(() => { if (!this.timer && !this.running) this.flush(); }, this.maxWait);
    this.target = target;
    this.prune();
    return this.flush();
  }

  stop() {
    if (this.target) this.target.removeEventListener("online", this.onOnline);
    clearInterval(this.tick);
    this.clearTimer(this.timer);
    this.timer = null;
  }

  async locked(fn) {
    if (!this.locks) return fn();
    return this.locks.request(LOCK, fn);
  }

  async drain() {
    for (;;) {
      // Read inside the lock every time: another tab may have sent some.
      const [item] = await this.pending();
      if (!item) {
        this.failures = 0;
        return "empty";
      }
      this.sending = item.seq;
      this.emit({ type: "sending", item });
      const r = await this.sendOne(item);
      this.sending = 0;
      item.attempts += 1;
      item.lastTriedAt = this.now().toISOString();
      if (r.outcome === DONE || r.outcome === CONFLICT) {
        this.failures = 0;
        this.blocked = "";
        Object.assign(item, r.outcome === DONE
          ? { state: DONE, sentAt: item.lastTriedAt, status: r.status, replayed: r.replayed, answer: r.answer }
          : { state: item.quiet ? DROPPED : CONFLICT, status: r.status, problem: r.problem, message: r.message });
        delete item.lastError;
        await this.put(item);
        this.emit({ type: item.state === DROPPED ? "dropped" : r.outcome, item });
        continue;
      }
      item.lastError = r.message;
      await this.put(item);
      this.failures += 1;
      const wait = r.outcome === "auth" ? this.maxWait : this.backoff(r.retryAfter);
      this.blocked = r.outcome === "auth" ? "auth" : "";
      this.clearTimer(this.timer);
      this.timer = this.setTimer(() => { this.timer = null; this.flush(); }, wait);
      this.emit({ type: r.outcome, item, wait });
      return r.outcome;
    }
  }

  backoff(retryAfter) {
    if (retryAfter > 0) return Math.min(this.maxWait, retryAfter * 1000);
    const base = Math.min(this.maxWait, this.minWait * 2 ** (this.failures - 1));
    return Math.round(base * (0.8 + 0.4 * this.random()));
  }

  // sendOne sends item once and says what became of it.
  async sendOne(item) {
    const ctl = new AbortController();
    // An upload gets a minute a megabyte: a photo on one bar of signal.
    const t = this.setTimer(() => ctl.abort(), item.raw ? Math.max(this.timeout, 60000 * Math.ceil(item.raw.size / (1 << 20))) : this.timeout);
    let res;
    try {
      const headers = { Accept: "application/json", "Idempotency-Key": item.id };
      if (item.raw !== undefined) headers["Content-Type"] = item.contentType;
      else if (item.body !== undefined) headers["Content-Type"] = "application/json";
      res = await this.send(item.path, { method: item.method, headers, body: item.raw !== undefined ? item.raw : item.body,
        credentials: "same-origin", signal: ctl.signal });
    } catch {
      return { outcome: "retry", message: "No connection: waiting to send." };
    } finally {
      this.clearTimer(t);
    }
    let data = null;
    try {
      const text = await res.text();
      data = text ? JSON.parse(text) : null;
      if (res.ok && text.length > maxAnswer) data = null;
    } catch { /* an answer we cannot read is still an answer */ }
    if (res.ok) return { outcome: DONE, status: res.status, replayed: res.headers.get("Idempotent-Replayed") === "true", answer: data };
    const problem = {
      status: res.status, code: (data && data.code) || "", detail: (data && data.detail) || "",
      fields: (data && (data.errors || data.fields)) || {}, requestID: (data && data.request_id) || "",
    };
    if (res.status === 401) return { outcome: "auth", message: "Your session has ended: sign in again to send this." };
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      return { outcome: "retry", retryAfter: Number(res.headers.get("Retry-After")) || 0,
        message: problem.detail ? `Not sent yet: ${problem.detail}` : `Not sent yet (HTTP ${res.status}); trying again.` };
    }
    return { outcome: CONFLICT, status: res.status, problem, message: problemMessage(problem) };
  }

  async get(seq) {
    return run(this.db, "outbox", "readonly", (s) => s.get(seq));
  }

  async put(item) {
    return run(this.db, "outbox", "readwrite", (s) => s.put(item));
  }

  // prune deletes all but the newest keepDone finished items of the user.
  async prune() {
    const done = (await this.items()).filter((i) => i.state === DONE || i.state === DISMISSED || i.state === DROPPED);
    const old = done.slice(0, Math.max(0, done.length - keepDone));
    if (old.length) await run(this.db, "outbox", "readwrite", (s) => { for (const i of old) s.delete(i.seq); return null; });
  }
}

// problemMessage says what the server refused, in its own words: each
// field's message, or the problem's detail.
export function problemMessage(p) {
  const fields = Object.entries(p.fields || {});
  let msg = p.detail;
  if (fields.length) {
    msg = fields.map(([k, v]) => (/^(is|are|must|and|at most)\b/.test(v) ? `${k.replaceAll("_", " ")} ${v}` : v)).join("; ");
  }
  if (!msg) msg = `The server refused this (HTTP ${p.status}).`;
  return msg[0].toUpperCase() + msg.slice(1);
}

// newKey returns a random UUID for an action's Idempotency-Key.
export function newKey() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
