// Keyboard shortcuts: single keys, no modifier, ignored while typing in a
// field or while a dialog is open. In a text field, Esc leaves the field
// (so the shortcuts work again) and Ctrl+Enter submits its form.
const handlers = new Map();

export function onKey(keys, fn) {
  for (const k of [].concat(keys)) handlers.set(k, fn);
}

function typing(t) {
  if (!t || !t.tagName) return false;
  if (t.isContentEditable) return true;
  if (t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
  return t.tagName === "INPUT" && !["checkbox", "radio", "button", "submit", "reset"].includes(t.type);
}

document.addEventListener("keydown", (e) => {
  const t = e.target;
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    const f = t.form || (t.closest && t.closest("form"));
    if (f && !f.classList.contains("signout")) {
      e.preventDefault();
      f.requestSubmit();
    }
    return;
  }
  if (typing(t)) {
    if (e.key === "Escape" && !t.closest("dialog")) {
      t.blur();
      e.preventDefault();
    }
    return;
  }
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
  // Enter and Space on a button or link are that control's own.
  if ((e.key === "Enter" || e.key === " ") && t.closest && t.closest("button, a, summary, [role=button]")) return;
  if (document.querySelector("dialog[open]")) return;
  const fn = handlers.get(e.key) || handlers.get(e.key.toLowerCase());
  if (!fn) return;
  e.preventDefault();
  fn(e);
});
