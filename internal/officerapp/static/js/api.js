// The JSON API, as the app's pages call it: same-origin, session cookie,
// RFC 9457 problems thrown as Problem. Writes do not come through here:
// they go through the outbox (outbox.js). Reads of the app's own data may
// be answered by the service worker's copy when there is no network; read
// says so.

export class Problem extends Error {
  constructor(status, body) {
    super((body && body.detail) || `The request failed (HTTP ${status}).`);
    this.status = status;
    this.code = (body && body.code) || "";
    this.fields = (body && (body.errors || body.fields)) || {};
  }
}

// signInPage is where a refused session goes.
export const signInPage = "/app/signin";

// request calls METHOD /api/v1PATH and returns the Response, or throws a
// Problem: status 0 when there is no network. A refused session (401) goes
// to the sign-in page.
async function request(method, path, body, headers = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch("/api/v1" + path, init);
  } catch {
    throw new Problem(0, { code: "offline", detail: "No connection. Try again when you have a signal." });
  }
  if (res.status === 401) {
    location.href = signInPage + (location.pathname === "/app/" ? "" : "?notice=expired");
    // The page is going: what called is left waiting, not failed.
    return new Promise(() => {});
  }
  return res;
}

async function decode(res) {
  if (res.status === 204) return null;
  const type = res.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new Problem(res.status, data);
  return data;
}

// api calls METHOD /api/v1PATH with an optional JSON body and returns the
// decoded answer (null for 204). For writes that need an answer now
// (booking on): everything an officer does on the job goes through the
// outbox instead.
export async function api(method, path, body, headers) {
  return decode(await request(method, path, body, headers));
}

// read GETs /api/v1PATH and returns {data, cached, fetchedAt}: cached is
// true when the answer is the phone's saved copy (no network), fetchedAt
// when that copy was fetched.
export async function read(path, headers) {
  const res = await request("GET", path, undefined, headers);
  const data = await decode(res);
  const cached = res.headers.get("Bluelamp-From-Cache") === "true";
  const at = res.headers.get("Bluelamp-Fetched-At");
  return { data, cached, fetchedAt: at ? new Date(at) : null };
}
