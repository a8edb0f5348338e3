// markerList shows warning markers (DOMAIN 2.7, 4.6) as they must be seen:
// first, officer-safety ones leading, each with its severity and detail.
import { el } from "./dom.js";
import { title } from "./format.js";

const rank = { HIGH: 0, MEDIUM: 1, LOW: 2 };

export function markerList(markers) {
  const ms = [...(markers || [])].sort((a, b) => Number(b.officer_safety) - Number(a.officer_safety) || (rank[a.severity] ?? 3) - (rank[b.severity] ?? 3));
  return el("ul", { class: "marker-list" }, ms.map((m) => el("li", { class: "marker sev-" + String(m.severity).toLowerCase() + (m.officer_safety ? " safety" : "") },
    el("strong", {}, m.label || m.code), " ",
    el("span", { class: "sev" }, [m.officer_safety ? "Officer safety · " : "", title(m.severity)].join("")),
    m.detail && el("span", { class: "detail" }, m.detail),
    el("span", { class: "src" }, [m.source, m.date].filter(Boolean).join(", ")))));
}
