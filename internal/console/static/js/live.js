// connect reads the force's event stream (GET /api/v1/events, server-sent
// events whose id is the force's sequence number) from after, and hands
// each event to onEvent once, in order.
//
// After a dropped connection it resumes where it stopped: EventSource
// reconnects by itself with Last-Event-ID, and when the browser gives up
// (the server was down, or refused) connect opens a new stream from the
// last sequence it applied, backing off to 30 s. When the server says the
// client cannot resume (its position is past the log, or too far behind),
// onReset reloads the page's state from the API and returns the sequence
// that state is at, and the stream starts again from there.
//
// onStatus hears "live", "reconnecting" and "reloading".
const reloadCodes = new Set(["last_event_id_ahead", "too_far_behind", "resync_required"]);

export function connect({ after, onEvent, onReset, onStatus = () => {} }) {
  let last = after;
  let es = null;
  let backoff = 1000;
  let timer = 0;

  const open = (from) => {
    clearTimeout(timer);
    es = new EventSource(`/api/v1/events?after=${from}`);
    es.addEventListener("ready", () => {
      backoff = 1000;
      onStatus("live");
    });
    es.onmessage = (m) => {
      const seq = Number(m.lastEventId);
      if (seq && seq <= last) return;
      if (seq) last = seq;
      onEvent(JSON.parse(m.data));
    };
    es.addEventListener("error", (m) => {
      let code = "";
      if (m.data) {
        try { code = JSON.parse(m.data).code; } catch { /* a frame we cannot read is a dropped one */ }
      }
      if (code === "signed_out") {
        es.close();
        location.href = "/signin?notice=expired";
        return;
      }
      if (reloadCodes.has(code)) {
        es.close();
        resync();
        return;
      }
      onStatus("reconnecting");
      if (es.readyState === EventSource.CLOSED) retry();
    });
  };

  const retry = (wait = backoff) => {
    es.close();
    clearTimeout(timer);
    timer = setTimeout(() => open(last), wait);
    backoff = Math.min(backoff * 2, 30000);
  };

  const resync = async () => {
    onStatus("reloading");
    try {
      last = await onReset();
      open(last);
    } catch {
      timer = setTimeout(resync, backoff);
      backoff = Math.min(backoff * 2, 30000);
    }
  };

  open(after);
  return {
    get last() { return last; },
    // drop closes the connection as a network failure would, for wait ms;
    // the stream then resumes by itself. Tests use it.
    drop(wait) { onStatus("reconnecting"); retry(wait); },
    // resumeFrom reconnects as if seq were the last event seen: past the
    // end of the log, the server refuses and the page reloads. Tests use it.
    resumeFrom(seq) { es.close(); last = seq; open(seq); },
    close() { clearTimeout(timer); es.close(); },
  };
}
