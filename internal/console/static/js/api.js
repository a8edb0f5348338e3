// The JSON API, as the console pages call it: same-origin, session cookie,
// RFC 9457 problems thrown as Problem with the fields they name.

export class Problem extends Error {
  constructor(status, body) {
    super((body && body.detail) || `The request failed (HTTP ${status}).`);
    this.status = status;
    this.code = (body && body.code) || "";
    this.fields = (body && (body.errors || body.fields)) || {};
    this.requestID = (body && body.request_id) || "";
  }
}

// api calls METHOD /api/v1PATH with an optional JSON body and returns the
// decoded answer (null for 204). A refused session goes back to sign-in.
export async function api(method, path, body, headers = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    // A string is a document already in JSON (an EIDO hand-over).
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch("/api/v1" + path, init);
  } catch {
    throw new Problem(0, { detail: "bluelamp could not be reached. Check the connection and try again." });
  }
  if (res.status === 401) {
    location.href = "/signin?notice=expired";
    throw new Problem(401, { detail: "Your session has ended." });
  }
  if (res.status === 204) return null;
  const type = res.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new Problem(res.status, data);
  return data;
}
