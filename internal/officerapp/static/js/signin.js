// The sign-in page: a password sign-in through the API, then the app.
import { $ } from "./dom.js";
import { registerWorker, API_CACHE } from "./shell.js";

const notices = {
  signed_out: "You have signed out.",
  expired: "Your session has ended. Sign in again; anything waiting to send is still on this phone.",
};

registerWorker();
const form = $("#signin");
const error = $("#signin-error");
const notice = notices[new URLSearchParams(location.search).get("notice")];
if (notice) {
  $("#signin-notice").textContent = notice;
  $("#signin-notice").hidden = false;
}
$("#username").focus();

const fail = (text, field) => {
  error.textContent = text;
  error.hidden = false;
  for (const id of ["username", "password"]) {
    const input = $("#" + id);
    if (field === "both" || field === id) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "signin-error");
    } else {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
  }
};

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const username = $("#username").value.trim();
  const password = $("#password").value;
  if (!username || !password) {
    fail("Enter your username and password.", !username ? "username" : "password");
    $(!username ? "#username" : "#password").focus();
    return;
  }
  const button = form.querySelector("button");
  button.disabled = true;
  let res;
  try {
    res = await fetch("/api/v1/session", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    button.disabled = false;
    fail("No connection: signing in needs a signal. Try again when you have one.");
    return;
  }
  if (!res.ok) {
    button.disabled = false;
    const p = await res.json().catch(() => null);
    const detail = (p && p.detail) || `Sign-in failed (HTTP ${res.status}).`;
    fail(detail[0].toUpperCase() + detail.slice(1) + (detail.endsWith(".") ? "" : "."), "both");
    $("#password").value = "";
    $("#password").focus();
    return;
  }
  // Copies of another officer's unit and job must not show for this one.
  if ("caches" in globalThis) await caches.delete(API_CACHE);
  location.href = "/app/";
});
