// Helpers the app's forms share: reading fields, showing every problem at
// once (beside each field and in a summary that takes the focus), and the
// position from the phone.
import { $, $$, el, fill } from "./dom.js";

// value returns the trimmed value of the field with id.
export const value = (id) => ($("#" + id).value || "").trim();

// checked reports whether the checkbox with id is ticked.
export const checked = (id) => $("#" + id).checked;

// radio returns the value of the ticked radio button named name, or "".
export function radio(name) {
  const r = document.querySelector(`input[name="${name}"]:checked`);
  return r ? r.value : "";
}

// showProblems marks each field of problems ({id: message}) and fills the
// summary (#summaryId) with links to them, then focuses the summary. It
// clears the marks of an earlier attempt first. It returns whether there
// were any.
export function showProblems(form, summaryId, problems) {
  for (const f of $$("[aria-invalid]", form)) {
    f.removeAttribute("aria-invalid");
    f.removeAttribute("aria-describedby");
  }
  for (const e of $$(".field-error", form)) e.remove();
  const summary = $("#" + summaryId);
  const entries = Object.entries(problems);
  summary.hidden = entries.length === 0;
  if (!entries.length) return false;
  for (const [id, msg] of entries) {
    const field = $("#" + id);
    if (!field) continue;
    const err = el("p", { class: "field-error", id: `${id}-error` }, msg);
    const at = field.closest(".choices") || field;
    at.after(err);
    const target = field.closest(".choices") ? field.closest(".choices") : field;
    target.setAttribute("aria-invalid", "true");
    target.setAttribute("aria-describedby", `${id}-error`);
  }
  fill(summary, el("p", { class: "title" }, entries.length === 1 ? "There is a problem" : `There are ${entries.length} problems`),
    el("ul", {}, entries.map(([id, msg]) => el("li", {}, el("a", { href: "#" + id }, `${labelOf(id)}: ${msg}`)))));
  summary.focus();
  return true;
}

function labelOf(id) {
  const l = document.querySelector(`label[for="${id}"]`) || ($("#" + id) && $("#" + id).closest("fieldset") && $("#" + id).closest("fieldset").querySelector("legend"));
  return l ? l.textContent.replace(/\s*\(.*\)\s*$/, "").trim() : id;
}

// here asks the phone where it is: {lat, lon, accuracy}, or an Error with
// a message to show.
export function here(timeout = 15000) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error("This phone cannot give its position: type the address."));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }),
      (e) => reject(new Error(e.code === 1 ? "The app may not use your location: allow it in the phone's settings, or type the address."
        : "Your position could not be found: type the address.")),
      { enableHighAccuracy: true, timeout, maximumAge: 30000 });
  });
}

// localInput formats t for a datetime-local input, in the phone's time.
export function localInput(t = new Date()) {
  const p = (n) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}T${p(t.getHours())}:${p(t.getMinutes())}`;
}

// fromLocalInput reads a datetime-local value as a Date, or null.
export function fromLocalInput(v) {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

// options fills a <select> with a first empty choice and [value, label]s.
export function options(select, first, list) {
  fill(select, el("option", { value: "" }, first), list.map(([v, l]) => el("option", { value: v }, l)));
}

// placePicker wires a place: an address field (#P-address), "Use my
// position" (#P-here), "Use the job's address" (#P-job-address, shown when
// the job has one) and a line saying what was found (#P-position). get()
// returns the API's location ({address, position}) and whether it is empty.
export function placePicker(p, job) {
  let position = null;
  const out = $(`#${p}-position`);
  $(`#${p}-here`).addEventListener("click", async () => {
    out.textContent = "Finding your position…";
    try {
      position = await here();
      out.textContent = `Position found, to within ${Math.round(position.accuracy)} m.`;
    } catch (err) {
      out.textContent = err.message;
    }
  });
  const jobButton = $(`#${p}-job-address`);
  if (job && job.location && (job.location.address || job.location.position)) {
    jobButton.hidden = false;
    jobButton.addEventListener("click", () => {
      $(`#${p}-address`).value = job.location.address || "";
      position = job.location.position ? { ...job.location.position } : null;
      out.textContent = `The place of job ${job.number}.`;
    });
  }
  return {
    get() {
      const loc = {};
      const address = value(`${p}-address`);
      if (address) loc.address = address;
      if (position) loc.position = { lat: position.lat, lon: position.lon };
      return { location: loc, empty: !address && !position };
    },
    reset() {
      position = null;
      out.textContent = "";
    },
  };
}

// checks fills box with a checkbox for each [value, label], named name.
export function checks(box, name, list) {
  fill(box, list.map(([v, l]) => el("label", { class: "check" }, el("input", { type: "checkbox", name, value: v }), " ", l)));
}

// ticked returns the values of the ticked checkboxes named name.
export function ticked(name) {
  return $$(`input[name="${name}"]:checked`).map((b) => b.value);
}

// follow shows in the element with id what becomes of an outbox item:
// waiting, sent (sent(i) says it), or refused with the server's reason.
export function follow(outbox, item, id, sent) {
  const st = $("#" + id);
  const draw = (i) => {
    st.hidden = false;
    st.className = "pending-status" + (i.state === "done" ? " sent" : i.state === "conflict" ? " conflict" : "");
    st.textContent = i.state === "done" ? sent(i) : i.state === "conflict" ? `Not accepted: ${i.message}`
      : navigator.onLine ? "Sending…" : "Kept on this phone, to send when there is a signal.";
  };
  draw(item);
  outbox.on((ev) => { if (ev.item && ev.item.seq === item.seq) draw(ev.item); });
}

// jobLink shows the "linked to my job" box (#P-job-link) when there is a
// job, and returns a function giving the job's id when it is ticked.
export function jobLink(p, job, text) {
  if (!job) return () => 0;
  $(`#${p}-job-link`).hidden = false;
  $(`#${p}-incident-label`).textContent = `${text} ${job.number}`;
  return () => ($(`#${p}-incident`).checked ? job.id : 0);
}
