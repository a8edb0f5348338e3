// The app's IndexedDB database, on the phone: the outbox of actions taken
// (outbox.js) and the jobs this phone has shown (rememberJob). No DOM.
//
// Both hold police information on the device: shell.js deletes the signed-in
// user's records at sign-out once nothing is waiting to send, and nothing
// here is ever shown to another user (every record carries its user's id).

export const DB_NAME = "bluelamp-officer";
const DB_VERSION = 1;

// openDB opens (creating or upgrading) the database called name.
export function openDB(name = DB_NAME) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains("outbox")) {
        // seq is the order actions were taken in: replays follow it.
        db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      }
      if (!db.objectStoreNames.contains("jobs")) db.createObjectStore("jobs", { keyPath: "key" });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error("the app's database is open in an older version of the app: close its other tabs"));
  });
}

// run runs fn(store) in one transaction on store and resolves with what
// fn's last request returned, once the transaction has committed.
export function run(db, storeName, mode, fn) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(storeName, mode);
    let out;
    const req = fn(t.objectStore(storeName));
    if (req) req.onsuccess = () => { out = req.result; };
    t.oncomplete = () => resolve(out);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error("transaction aborted"));
  });
}

// all returns every record in storeName that keep accepts, in key order.
export async function all(db, storeName, keep = () => true) {
  const rows = await run(db, storeName, "readonly", (s) => s.getAll());
  return (rows || []).filter(keep);
}

// rememberJob keeps a note of a job the phone showed user, for the list of
// recent jobs: enough to recognise it, not the incident's log; and, when
// given, the warning markers found at its location, so the officer still
// sees them with no signal.
export function rememberJob(db, user, inc, now = new Date(), markers = undefined) {
  const key = `${user}:${inc.id}`;
  return run(db, "jobs", "readwrite", (s) => {
    const get = s.get(key);
    get.onsuccess = () => {
      const old = get.result;
      s.put({
        key, user, id: inc.id, number: inc.number, summary: inc.summary, grade: inc.grade, category: inc.category,
        address: (inc.location && inc.location.address) || "", status: inc.status,
        firstSeen: old ? old.firstSeen : now.toISOString(), lastSeen: now.toISOString(),
        markers: markers !== undefined ? markers : old && old.markers, markersAt: markers !== undefined ? now.toISOString() : old && old.markersAt,
      });
    };
    return null;
  });
}

// recentJobs returns user's remembered jobs, most recently seen first.
export async function recentJobs(db, user, limit = 20) {
  const rows = await all(db, "jobs", (j) => j.user === user);
  rows.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  return rows.slice(0, limit);
}

// forget deletes user's remembered jobs and finished outbox records. What
// is waiting to send, or a conflict the officer has not yet seen, stays.
export async function forget(db, user) {
  const jobs = await all(db, "jobs", (j) => j.user === user);
  const done = await all(db, "outbox", (i) => i.user === user && i.state !== "pending" && i.state !== "conflict");
  await run(db, "jobs", "readwrite", (s) => { for (const j of jobs) s.delete(j.key); return null; });
  await run(db, "outbox", "readwrite", (s) => { for (const i of done) s.delete(i.seq); return null; });
}

// jobOf returns what the phone kept about user's job id, or undefined.
export function jobOf(db, user, id) {
  return run(db, "jobs", "readonly", (s) => s.get(`${user}:${id}`));
}
