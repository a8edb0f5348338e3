// The public receipt page, opened from the QR code a person searched is
// shown (PACE Code A 4.10A): the receipt, and a form to ask for the full
// record. No sign-in, and no service worker: this is the person's phone.
import { $ } from "./dom.js";
import { drawReceipt } from "./receipt.js";
import { value, showProblems } from "./form.js";

const ref = new URLSearchParams(location.search).get("ref") || "";
const error = $("#pr-error");
const fail = (text) => {
  error.textContent = text;
  error.hidden = false;
};

async function call(method, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`/api/v1/public/stop-search/${encodeURIComponent(ref)}${body ? "/requests" : ""}`, init);
  const data = await res.json().catch(() => null);
  return { res, data };
}

if (!ref) {
  fail("This page needs a receipt reference, such as SS-7K3M-9QXD-2HFA.");
} else {
  try {
    const { res, data } = await call("GET");
    if (res.ok) {
      drawReceipt(data);
      $("#pr-receipt").hidden = false;
      $("#pr-request").hidden = false;
    } else if (res.status === 404) {
      fail(`Receipt ${ref} is not on the force's system yet. The officer's phone sends it when it has a signal: try again later, or quote the reference at a police station.`);
    } else {
      fail((data && data.detail) || `The receipt could not be found (HTTP ${res.status}).`);
    }
  } catch {
    fail("There is no connection. Try again when you have one.");
  }
}

$("#pr-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = { name: value("pr-name"), email: value("pr-email"), postal_address: value("pr-postal") };
  if (showProblems($("#pr-form"), "pr-problems", !body.email && !body.postal_address ? { "pr-email": "Give an email address or a postal address" } : {})) return;
  let res;
  let data;
  try {
    ({ res, data } = await call("POST", body));
  } catch {
    showProblems($("#pr-form"), "pr-problems", { "pr-email": "There is no connection. Try again when you have one" });
    return;
  }
  if (!res.ok) {
    const ids = { name: "pr-name", email: "pr-email", postal_address: "pr-postal" };
    const p = {};
    for (const [f, m] of Object.entries((data && data.errors) || {})) p[ids[f] || "pr-email"] = m;
    if (!Object.keys(p).length) p["pr-email"] = (data && data.detail) || `Your request was not accepted (HTTP ${res.status})`;
    showProblems($("#pr-form"), "pr-problems", p);
    return;
  }
  $("#pr-form").hidden = true;
  $("#pr-done").textContent = data.message;
  $("#pr-done").hidden = false;
});
