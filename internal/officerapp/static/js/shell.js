// What every signed-in page of the app shares: the service worker, the
// signed-in officer, the outbox with its list and counter, the connection
// indicator and signing out.
import { api, read, signInPage, Problem } from "./api.js";
import { openDB, forget } from "./db.js";
import { Outbox, PENDING, CONFLICT } from "./outbox.js";
import { Positions } from "./avl.js";
import { $, el, fill, announce } from "./dom.js";
import { clockSeconds, iso } from "./format.js";

// API_CACHE is the service worker's cache of API answers (worker/sw.js).
export const API_CACHE = "bluelamp-api";

// officerRoles may use the app: they book on to units (GET /api/v1/me/unit).
const officerRoles = ["response_officer", "neighbourhood_officer", "supervisor"];

// registerWorker installs the service worker that makes the app work
// offline. Without one (an old browser, a page not served over HTTPS) the
// app still works while there is a network.
export function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch((err) => {
    console.warn("the officer app cannot work offline here:", err);
  });
}

// boot starts a signed-in page and returns {me, db, outbox, conn}. It
// throws (after saying why on the page) when there is no one signed in
// that it can serve.
export async function boot() {
  registerWorker();
  const conn = connection();
  let me;
  try {
    me = await read("/me");
  } catch (err) {
    if (err instanceof Problem && err.status !== 401) {
      stop("Not signed in", err.status === 503 || err.status === 0
        ? "There is no connection, and no saved sign-in on this phone. Sign in when you have a signal."
        : err.message);
    }
    throw err;
  }
  const user = me.data.user;
  if (!user.roles.some((r) => officerRoles.includes(r))) {
    stop("This app is for officers",
      "Your account has no officer role, so it cannot book on to a unit. Use the console instead.", "/", "Go to the console");
    throw new Error("not an officer");
  }
  const db = await openDB();
  const outbox = new Outbox({ db, user: user.id });
  showOutbox(outbox);
  outbox.start(window);
  addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") outbox.flush(); });
  return { me: user, db, outbox, conn, offlineSince: me.cached ? me.fetchedAt : null, avl: positions(outbox) };
}

// positions reports the phone's position while the officer is booked on
// (avl.js), on every signed-in page. It returns {state, on(fn)}: state is
// "off" (not booked on), "on", "denied" or "unavailable".
function positions(outbox) {
  const avl = { state: "off", listeners: new Set(), on(fn) { this.listeners.add(fn); fn(this.state); } };
  read("/me/unit").then((r) => {
    const p = new Positions({ outbox, unit: r.data.unit.id });
    p.start((s) => {
      avl.state = s;
      for (const fn of avl.listeners) fn(s);
    });
    addEventListener("pagehide", () => p.send());
    avl.positions = p;
  }).catch(() => { /* not booked on: nothing to report for */ });
  return avl;
}

// stop replaces the page's content with a message and a way on.
function stop(title, text, href = signInPage, link = "Sign in") {
  fill($("#main"), el("section", { class: "card", "aria-labelledby": "stop-h" },
    el("h1", { id: "stop-h" }, title), el("p", {}, text), el("a", { class: "button", href }, link)));
}

// connection drives the header's indicator: the live stream's state, or
// offline.
function connection() {
  const pill = $("#conn");
  const labels = { live: "live", online: "online", reconnecting: "reconnecting…", offline: "offline", connecting: "connecting…" };
  const set = (s) => {
    if (!navigator.onLine) s = "offline";
    pill.textContent = labels[s] || s;
    pill.className = "conn " + s;
    document.body.dataset.conn = s;
  };
  addEventListener("offline", () => set("offline"));
  set("connecting");
  return { set };
}

// showOutbox keeps the header's counter and the page's outbox list (if it
// has one) up to date.
function showOutbox(outbox) {
  const badge = $("#queue");
  const list = $("#outbox-list");
  const card = $("#outbox");
  let sending = 0;
  const draw = async () => {
    // Positions are the phone's, not the officer's doing: not listed.
    const items = (await outbox.items()).filter((i) => i.kind !== "positions");
    const pending = items.filter((i) => i.state === PENDING);
    const conflicts = items.filter((i) => i.state === CONFLICT);
    badge.hidden = pending.length + conflicts.length === 0;
    badge.textContent = [pending.length && `${pending.length} waiting`, conflicts.length && `${conflicts.length} refused`].filter(Boolean).join(" · ");
    badge.className = "queue" + (conflicts.length ? " conflict" : "");
    document.body.dataset.pending = String(pending.length);
    document.body.dataset.conflicts = String(conflicts.length);
    if (!list) return;
    card.hidden = pending.length + conflicts.length === 0;
    badge.href = "#outbox";
    $("#outbox-h").textContent = conflicts.length ? (pending.length ? "Not accepted, and waiting to send" : "Not accepted") : "Waiting to send";
    fill(list, [...conflicts, ...pending].map((i) => outboxItem(outbox, i, i.seq === sending)));
  };
  outbox.on((ev) => {
    if (ev.type === "sending") sending = ev.item.seq;
    else sending = 0;
    if (ev.type === "conflict") announce(`Not accepted: ${ev.item.label}. ${ev.item.message}`, true);
    if (ev.type === "auth") showAuth();
    draw();
  });
  draw();
}

// outboxItem shows one action: waiting, being sent, or refused with the
// server's reason and a button to say it has been read.
export function outboxItem(outbox, i, sending) {
  const state = i.state === CONFLICT ? "Not accepted" : sending ? "Sending…" : "Waiting to send";
  return el("li", { class: "ob " + i.state, dataset: { seq: i.seq, kind: i.kind } },
    el("span", { class: "ob-label" }, i.label),
    el("span", { class: "ob-meta" }, `Taken at `, el("time", { datetime: iso(i.takenAt) }, clockSeconds(i.takenAt)), ` · `,
      el("strong", { class: "ob-state" }, state)),
    i.state === CONFLICT && el("span", { class: "ob-msg" }, i.message),
    i.state === PENDING && i.lastError && el("span", { class: "ob-err" }, i.lastError),
    i.state === CONFLICT && el("button", { type: "button", class: "secondary small", onclick: () => outbox.dismiss(i.seq) },
      "I have read this"));
}

function showAuth() {
  const b = $("#auth");
  if (!b) return;
  b.hidden = false;
}

// signOut ends the session and deletes what this phone kept for the user:
// the API copies and the finished actions. Actions still waiting stay, to
// be sent when the same officer signs in again.
export async function signOut({ me, db }) {
  await api("DELETE", "/session");
  await clearKept(db, me.id);
  location.href = signInPage + "?notice=signed_out";
}

// clearKept deletes the API copies and user's finished records.
export async function clearKept(db, user) {
  if ("caches" in globalThis) await caches.delete(API_CACHE);
  if (db && user) await forget(db, user);
}
