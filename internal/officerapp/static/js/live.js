// connect reads the force's event stream (GET /api/v1/events, server-sent
// events whose id is the force's sequence number) and hands each event to
// onEvent once, in order.
//
// The app keeps no copy of the force's state, only the officer's unit and
// job, which it re-reads whenever the stream (re)starts: onReady is called
// on every "ready" frame, so nothing that happened while the stream was down
// is missed. After a drop the stream resumes from the last event applied
// (EventSource sends Last-Event-ID by itself; when the browser gives up,
// connect reopens, backing off to 30 s). When the server says the phone
// cannot resume (it is too far behind), the stream starts again from the
// head, and onReady re-reads.
//
// The browser's offline event closes the stream at once, and its online
// event reopens it: a phone in a basement shows "offline" straight away
// rather than when a heartbeat is missed.
//
// onStatus hears "live", "reconnecting" and "offline".
const restartCodes = new Set(["last_event_id_ahead", "too_far_behind", "resync_required"]);

export function connect({ onEvent, onReady = () => {}, onStatus = () => {}, onSignedOut = () => {} }) {
  let last = 0;
  let es = null;
  let backoff = 1000;
  let timer = 0;

  const open = () => {
    clearTimeout(timer);
    if (es) es.close();
    if (!navigator.onLine) {
      onStatus("offline");
      return;
    }
    es = new EventSource(last ? `/api/v1/events?after=${last}` : "/api/v1/events");
    es.addEventListener("ready", (m) => {
      backoff = 1000;
      if (!last) {
        try { last = JSON.parse(m.data).head; } catch { /* the next event sets it */ }
      }
      onStatus("live");
      onReady();
    });
    es.onmessage = (m) => {
      const seq = Number(m.lastEventId);
      if (seq && seq <= last) return;
      if (seq) last = seq;
      let e;
      try { e = JSON.parse(m.data); } catch { return; }
      onEvent(e);
    };
    es.addEventListener("error", (m) => {
      let code = "";
      if (m.data) {
        try { code = JSON.parse(m.data).code; } catch { /* a frame we cannot read is a dropped one */ }
      }
      if (code === "signed_out") {
        es.close();
        onSignedOut();
        return;
      }
      if (restartCodes.has(code)) {
        last = 0;
        open();
        return;
      }
      onStatus(navigator.onLine ? "reconnecting" : "offline");
      if (es.readyState === EventSource.CLOSED) retry();
    });
  };

  const retry = () => {
    es.close();
    clearTimeout(timer);
    timer = setTimeout(open, backoff);
    backoff = Math.min(backoff * 2, 30000);
  };

  const offline = () => {
    clearTimeout(timer);
    if (es) es.close();
    onStatus("offline");
  };
  const online = () => {
    backoff = 1000;
    onStatus("reconnecting");
    open();
  };
  addEventListener("offline", offline);
  addEventListener("online", online);
  open();
  return {
    get last() { return last; },
    close() {
      removeEventListener("offline", offline);
      removeEventListener("online", online);
      clearTimeout(timer);
      if (es) es.close();
    },
  };
}
