// Forms post JSON to the API. Field names are the API's field paths
// ("caller.number", "casualties.number"), so a problem's fields find their
// inputs, and each message is shown beside its field (GOV.UK pattern): the
// field is marked invalid and described by the message, a summary lists
// them all with links, and the first bad field takes the focus.
import { el, $, $$, fill } from "./dom.js";

// formJSON builds the request body from a form's named fields. Fields in a
// hidden section are left out. data-type: list (checkboxes → array), csv
// (text → array), int and float (numbers; empty is left out).
export function formJSON(form) {
  const out = {};
  for (const f of form.elements) {
    if (!f.name || f.disabled || f.closest("[hidden]")) continue;
    const type = f.dataset.type;
    let v;
    if (f.type === "checkbox") {
      if (type === "list") {
        const list = getPath(out, f.name) || [];
        if (f.checked) list.push(f.value);
        setPath(out, f.name, list);
        continue;
      }
      v = f.checked;
    } else if (f.type === "radio") {
      if (!f.checked) continue;
      v = f.value;
    } else if (f.tagName === "BUTTON" || f.type === "file") {
      continue;
    } else {
      v = f.value.trim();
      if (type === "int" || type === "float") {
        if (v === "") continue;
        v = Number(v);
      } else if (type === "csv") {
        v = v.split(",").map((s) => s.trim()).filter(Boolean);
      }
    }
    setPath(out, f.name, v);
  }
  return out;
}

// fillForm sets a form's named fields from obj, by the same paths and
// types formJSON reads them with.
export function fillForm(form, obj) {
  for (const f of form.elements) {
    if (!f.name || f.type === "file" || f.tagName === "BUTTON") continue;
    const v = getPath(obj, f.name);
    if (f.type === "checkbox") f.checked = f.dataset.type === "list" ? Array.isArray(v) && v.includes(f.value) : Boolean(v);
    else if (f.type === "radio") f.checked = v === f.value;
    else if (f.dataset.type === "csv") f.value = Array.isArray(v) ? v.join(", ") : "";
    else f.value = v === undefined || v === null ? "" : String(v);
  }
}

function getPath(o, path) {
  return path.split(".").reduce((x, k) => (x ? x[k] : undefined), o);
}

export function setPath(o, path, v) {
  const ks = path.split(".");
  let x = o;
  for (const k of ks.slice(0, -1)) x = x[k] = x[k] || {};
  x[ks[ks.length - 1]] = v;
}

// fieldFor finds the input (or fieldset) a problem's field name means,
// trying shorter names ("incident.thrive.harm" for "incident.thrive.harm.x").
function fieldFor(form, name) {
  for (let n = name; n; n = n.includes(".") ? n.slice(0, n.lastIndexOf(".")) : "") {
    const q = CSS.escape(n);
    const f = form.querySelector(`[data-fields~="${q}"]`) || form.querySelector(`[name="${q}"]:not([type=radio]):not([type=checkbox])`) ||
      form.querySelector(`[data-field="${q}"]`);
    if (f && !f.closest("[hidden]")) return f;
  }
  return null;
}

function labelOf(f) {
  if (f.tagName === "FIELDSET") return $("legend", f)?.textContent.trim() || "";
  const l = f.id && f.form ? f.form.querySelector(`label[for="${CSS.escape(f.id)}"]`) : null;
  return l ? l.textContent.replace(/\s+/g, " ").trim() : f.name;
}

let seq = 0;

export function clearProblems(form) {
  for (const e of $$(".field-error", form)) e.remove();
  for (const f of $$("[aria-invalid]", form)) {
    f.removeAttribute("aria-invalid");
    const ids = (f.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && !x.startsWith("err-"));
    if (ids.length) f.setAttribute("aria-describedby", ids.join(" "));
    else f.removeAttribute("aria-describedby");
  }
  const s = $(".problem-summary", form);
  if (s) {
    s.hidden = true;
    fill(s);
  }
}

// showProblems puts a Problem's messages beside its fields and focuses the
// first bad one; a problem naming no field is shown in the summary.
export function showProblems(form, problem) {
  clearProblems(form);
  const summary = $(".problem-summary", form);
  const loose = [];
  const bad = [];
  for (const [name, msg] of Object.entries(problem.fields || {})) {
    const f = fieldFor(form, name);
    if (!f) {
      loose.push(el("li", {}, `${name.replaceAll("_", " ")}: ${msg}`));
      continue;
    }
    const id = `err-${++seq}`;
    const text = `${labelOf(f)}: ${unchosen(f) ? "choose one" : msg}`;
    const p = el("p", { class: "field-error", id }, el("span", { class: "visually-hidden" }, "Error: "), text);
    const inputs = f.tagName === "FIELDSET" || f.getAttribute("role") === "group" ? $$("input, select, textarea", f) : [f];
    for (const i of inputs) {
      i.setAttribute("aria-invalid", "true");
      i.setAttribute("aria-describedby", `${i.getAttribute("aria-describedby") || ""} ${id}`.trim());
    }
    if (f.tagName === "FIELDSET") $("legend", f).after(p);
    else (f.closest(".inline-form") || f).after(p);
    bad.push({ f: inputs[0], text });
  }
  bad.sort((a, b) => (a.f.compareDocumentPosition(b.f) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  const linked = bad.map((b) => {
    const a = el("a", { href: `#${b.f.id || ""}` }, b.text);
    a.addEventListener("click", (e) => {
      e.preventDefault();
      b.f.focus();
    });
    return el("li", {}, a);
  });
  if (summary) {
    const detail = problem.message.charAt(0).toUpperCase() + problem.message.slice(1);
    fill(summary, el("p", { class: "title" }, "There is a problem"), el("p", {}, detail),
      linked.length + loose.length ? el("ul", {}, linked, loose) : null);
    summary.hidden = false;
  }
  if (bad.length) bad[0].f.focus();
  else if (summary) {
    summary.tabIndex = -1;
    summary.focus();
  }
}

// unchosen reports whether f is a choice (a select or a set of radios)
// left empty: its problem is then simply that nothing was chosen.
function unchosen(f) {
  if (f.tagName === "SELECT") return f.value === "";
  const radios = f.querySelectorAll ? $$("input[type=radio]", f) : [];
  return radios.length > 0 && !radios.some((r) => r.checked);
}

// dialogForm opens a dialog whose form submits through submit(body);
// problems show beside the fields, success closes it.
export function openDialog(dlg, { prepare, submit, title }) {
  const form = $("form", dlg);
  clearProblems(form);
  form.reset();
  for (const s of $$(".dlg-inc", dlg)) s.textContent = title || "";
  if (prepare) prepare(form);
  form.dispatchEvent(new Event("change"));
  form.onsubmit = async (e) => {
    e.preventDefault();
    const button = $("button[type=submit]", form);
    button.disabled = true;
    try {
      await submit(formJSON(form), form);
      dlg.close();
    } catch (err) {
      if (err && err.fields !== undefined) showProblems(form, err);
      else throw err;
    } finally {
      button.disabled = false;
    }
  };
  for (const b of $$("[data-close]", dlg)) b.onclick = () => dlg.close();
  dlg.showModal();
  const first = $("[autofocus], input:not([type=hidden]):not([type=checkbox]), select, textarea", form);
  if (first) first.focus();
}

// showWhen shows the parts of a form marked data-when="name=V1,V2" while
// the field called name has one of those values.
export function showWhen(form) {
  const update = () => {
    for (const w of $$("[data-when]", form)) {
      const [name, vals] = w.dataset.when.split("=");
      const f = form.elements[name];
      w.hidden = !vals.split(",").includes(f ? f.value : "");
    }
  };
  form.addEventListener("change", update);
  update();
}
