// trackDialog shows a unit's breadcrumbs on demand: "Track" on the unit
// board or "Show track" in a unit's map popup asks for a reason and a time
// range (the last hour by default), reads GET /api/v1/units/{id}/track with
// the justification headers — an s.62 consultation, recorded with the
// reason — and draws it on the map. On a page without a map the button
// opens the map page, which asks there.
import { api, Problem } from "./api.js";
import { $, announce } from "./dom.js";
import { openDialog } from "./forms.js";

export function trackDialog(store, map) {
  const dlg = $("#dlg-track");
  document.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-track]");
    if (!b) return;
    const id = Number(b.dataset.track);
    if (!map) {
      location.href = `/map?track=${id}`;
      return;
    }
    if (dlg) askTrack(store, map, id, dlg);
  });
}

// askTrack opens the reason dialog for unit id's track.
export function askTrack(store, map, id, dlg = $("#dlg-track")) {
  const u = store.units.get(id);
  if (!u || !dlg) return;
  map.map.closePopup();
  dlg.querySelector(".dlg-unit").textContent = u.call_sign;
  openDialog(dlg, {
    prepare: (f) => {
      const now = store.now();
      // To the end of this minute, so the latest fixes are in.
      f.elements.to.value = localInput(now + 60e3);
      f.elements.from.value = localInput(now - 3600e3);
      f.elements.incident.value = u.incident_number || "";
    },
    submit: async (body) => {
      const from = Date.parse(body.from);
      const to = Date.parse(body.to);
      const errors = {};
      if (!Number.isFinite(from)) errors.from = "is required";
      if (!Number.isFinite(to)) errors.to = "is required";
      else if (Number.isFinite(from) && to <= from) errors.to = "must be after from";
      if (Object.keys(errors).length) throw new Problem(400, { detail: "Choose the time range to show.", errors });
      const headers = { "Bluelamp-Reason": body.reason };
      // Header values must be ASCII: the API percent-decodes this one.
      if (body.justification) headers["Bluelamp-Justification"] = encodeURIComponent(body.justification);
      if (body.incident) {
        if (!/^[\x20-\x7e]+$/.test(body.incident)) throw new Problem(400, { detail: "That is not an incident number.", errors: { incident: "must be an incident number such as 26/000123" } });
        headers["Bluelamp-Incident"] = body.incident;
      }
      const q = `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
      const res = await api("GET", `/units/${id}/track?${q}`, undefined, headers);
      announce(map.showTrack(u, res));
    },
  });
}

// localInput is a time as a datetime-local input's value, in this
// computer's time zone, to the minute.
function localInput(ms) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
