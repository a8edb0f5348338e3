// el builds an element: el("li", {class: "x", dataset: {id: 1}}, "text", child).
// Text is always text: nothing is parsed as HTML.
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  append(e, children);
  return e;
}

// fill replaces node's children, taking what el takes: nodes, text,
// nested arrays, and null or false for nothing.
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

function append(e, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else e.append(c instanceof Node ? c : String(c));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// announce says text to screen readers: politely, or through the page's
// alert region when assertive.
export function announce(text, assertive = false) {
  const region = document.getElementById(assertive ? "alerts" : "announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick is announced even when it repeats.
  setTimeout(() => { region.textContent = text; }, 50);
}
