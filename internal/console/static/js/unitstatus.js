// unitStatusDialog lets a dispatcher set any unit's status from its call
// sign on the unit board: the force's radio codes, as buttons would send.
import { api } from "./api.js";
import { $, announce } from "./dom.js";
import { openDialog } from "./forms.js";
import { label } from "./format.js";

export function unitStatusDialog(store) {
  const dlg = $("#dlg-status");
  if (!dlg) return;
  document.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-status-unit]");
    if (!b) return;
    const u = store.units.get(Number(b.dataset.statusUnit));
    if (!u) return;
    dlg.querySelector(".dlg-unit").textContent = u.call_sign;
    openDialog(dlg, {
      prepare: (f) => { for (const r of f.elements.code) r.checked = r.value === u.status_code; },
      submit: async (body) => {
        const nu = await api("POST", `/units/${u.id}/status`, body);
        store.putUnit(nu);
        announce(`${nu.call_sign}: ${label(store.codes.unit_states, nu.state)}.`);
      },
    });
  });
}
