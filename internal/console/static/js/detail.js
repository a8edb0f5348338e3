// Detail is the console's incident panel: the incident with its clocks,
// recommendations with one-keystroke dispatch, assigned units with status
// buttons, THRIVE, contacts (callers' details on demand, audited), the full
// log, and the actions the user's roles allow. It stays live: the store's
// changes redraw it and new log lines are appended as they are written.
import { api, Problem } from "./api.js";
import { el, $, $$, announce, fill } from "./dom.js";
import { fillForm, openDialog, showProblems, clearProblems, showWhen } from "./forms.js";
import { attendanceClocks, codeFor, codeLabel, fmtDistance, fmtDuration, gradeClass, gradeSetting, hhmm, label,
  parseDuration, resourcingLabel, stateClass } from "./format.js";
import { clockEl } from "./views.js";

const maxKeyed = 5;

// formKinds name officers' forms as the panel lists them.
const formKinds = { STOP_SEARCH: "Stop and search", CRIME_REPORT: "Crime report", NOTEBOOK_ENTRY: "Notebook entry", USE_OF_FORCE: "Use of force" };

// formsRecorded are the events that add a form, which may be linked to an
// incident. Their payloads are personal data, redacted on the stream, so
// which incident is not known: the open panel asks again. formsChanged
// change a form already recorded, named by the event's subject.
const formsRecorded = new Set(["stop_search.recorded", "crime_report.recorded", "use_of_force.recorded", "notebook.entry_added"]);
const formsChanged = new Set(["crime_report.decided", "crime_report.outcome_recorded"]);

export class Detail {
  constructor(root, store, { onOpen = () => {} } = {}) {
    this.root = root;
    this.store = store;
    this.onOpen = onOpen;
    this.id = null;
    this.seenLog = new Set();
    this.recs = [];
    this.recTimer = 0;
    this.recState = "";
    this.formTimer = 0;
    this.forms = null; // ids of the open incident's forms, once loaded
    root.addEventListener("click", (e) => this.click(e));
    const lf = $("#log-form");
    if (lf) lf.addEventListener("submit", (e) => this.addLog(e));
    const sf = $("#send-form");
    if (sf) sf.addEventListener("submit", (e) => this.send(e));
    const close = $("#dlg-close form");
    if (close) showWhen(close);
  }

  get inc() { return this.id ? this.store.incidents.get(this.id) : null; }
  get tz() { return this.store.settings.time_zone; }

  async open(id) {
    this.id = id;
    this.correcting(0);
    this.seenLog.clear();
    this.recs = [];
    $("#detail-empty").hidden = true;
    $("#detail-body").hidden = false;
    fill($("#det-log"));
    fill($("#det-contacts"));
    fill($("#det-forms"), el("p", { class: "hint" }, "Loading…"));
    this.forms = null;
    const known = this.store.incidents.get(id);
    if (known && !known.partial) this.draw();
    else fill($("#det-head"), el("p", { class: "hint" }, "Loading…"));
    history.replaceState(null, "", `/control?incident=${id}`);
    this.onOpen(id);
    try {
      const [inc, log] = await Promise.all([api("GET", `/incidents/${id}`), api("GET", `/incidents/${id}/log`)]);
      if (this.id !== id) return;
      this.store.putIncident(inc);
      this.draw();
      for (const e of log.entries) this.logEntry(e);
      $("#det-log").scrollTop = $("#det-log").scrollHeight;
      this.loadRecs();
      this.loadForms();
    } catch (err) {
      if (this.id !== id) return;
      fill($("#det-head"), el("p", { class: "alert error", role: "alert" }, err.message));
    }
  }

  draw() {
    const inc = this.inc;
    if (!inc) return;
    const s = this.store;
    const g = gradeSetting(s.settings, inc.grade);
    $("#detail-h").textContent = `Incident ${inc.number}`;
    const loc = inc.location || {};
    const closed = inc.status === "CLOSED";
    fill($("#det-head"),
      el("p", { class: "det-title" }, el("span", { class: `badge ${gradeClass(inc.grade)}` }, g.code), ` ${g.label} · `,
        el("b", {}, label(s.codes.categories, inc.category)),
        (inc.qualifiers || []).map((q) => [" ", el("span", { class: "tag" }, label(s.codes.qualifiers, q))]),
        inc.classification === "OFFICIAL-SENSITIVE" ? [" ", el("span", { class: "tag sensitive" }, "OFFICIAL-SENSITIVE")] : null,
        inc.major ? [" ", el("a", { class: "tag major", href: `/major/${inc.id}` }, `MAJOR: ${inc.major.name}`)] : null,
        inc.major_link_id ? [" ", el("a", { class: "tag major", href: `/major/${inc.major_link_id}` }, "Linked to a major incident")] : null),
      el("p", { class: "det-sum" }, inc.summary),
      el("dl", { class: "facts compact" },
        el("dt", {}, "Where"), el("dd", {}, [loc.address, loc.grid_ref ? `OS ${loc.grid_ref}` : "", loc.rural ? "rural" : "urban"].filter(Boolean).join(" · ")),
        el("dt", {}, "Status"), el("dd", { id: "det-status" }, closed ? `Closed ${hhmm(inc.closed_at, this.tz)} by ${inc.closed_by}${inc.closing ? ": " + label(s.codes.results, inc.closing.result) : ""}` : `Open · ${resourcingLabel(inc.resourcing)}`),
        el("dt", {}, "Received"), el("dd", {}, `${hhmm(inc.received_at, this.tz)} by ${label(s.codes.channels, inc.channel)} · opened by ${inc.opened_by}`),
        inc.original_grade !== inc.grade ? [el("dt", {}, "Re-graded"), el("dd", {}, `from ${gradeSetting(s.settings, inc.original_grade).label} (${hhmm(inc.original_graded_at, this.tz)}) to ${g.label} (${hhmm(inc.graded_at, this.tz)})`)] : null,
        el("dt", {}, "Attendance"), el("dd", { class: "clocks" }, attendanceClocks(inc, g, s.now()).map(clockEl))));
    for (const b of $$("#det-actions button", this.root)) {
      b.disabled = closed && b.dataset.act !== "log";
    }
    const sf = $("#send-form");
    if (sf) sf.hidden = closed;
    const eido = $("#det-eido");
    eido.href = `/api/v1/incidents/${inc.id}/eido`;
    eido.setAttribute("download", ""); // the server names the file
    this.drawUnits();
    this.unitList();
    this.drawThrive();
    this.drawContacts();
    if (closed) this.drawRecs();
  }

  drawUnits() {
    const inc = this.inc;
    const s = this.store;
    const as = [...(inc.assignments || [])].sort((a, b) => openFirst(a) - openFirst(b) || Date.parse(a.assigned_at) - Date.parse(b.assigned_at));
    const box = $("#det-units");
    if (!as.length) {
      fill(box, el("p", { class: "hint" }, "No unit assigned yet."));
      return;
    }
    const codes = { EN_ROUTE: codeFor(s.settings, "EN_ROUTE"), AT_SCENE: codeFor(s.settings, "AT_SCENE"), AVAILABLE: codeFor(s.settings, "AVAILABLE") };
    fill(box, el("table", { class: "plain units-table" },
      el("thead", {}, el("tr", {}, ["Unit", "Unit state", "On this job", "Times", ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, as.map((a) => {
        const u = s.units.get(a.unit_id);
        const open = ["ASSIGNED", "EN_ROUTE", "AT_SCENE"].includes(a.state);
        const times = [`assigned ${hhmm(a.assigned_at, this.tz)}`, a.en_route_at && `en route ${hhmm(a.en_route_at, this.tz)}`,
          a.at_scene_at && `at scene ${hhmm(a.at_scene_at, this.tz)}`, a.ended_at && `ended ${hhmm(a.ended_at, this.tz)}`].filter(Boolean).join(", ");
        const btn = (state, text) => el("button", { type: "button", class: "small", dataset: { unitStatus: a.unit_id, code: codes[state] },
          disabled: u && u.state === state ? true : null }, text);
        return el("tr", { dataset: { unit: a.unit_id }, class: open ? "" : "ended" },
          el("th", { scope: "row" }, a.call_sign, a.diverted_from ? el("span", { class: "tag divert" }, `diverted from ${a.diverted_from}`) : null),
          el("td", {}, u ? el("span", { class: `state ${stateClass(u.state)}` }, label(s.codes.unit_states, u.state)) : ""),
          el("td", {}, codeLabel(a.state)),
          el("td", { class: "times" }, times),
          el("td", { class: "btns" }, open && s.can.dispatch ? [btn("EN_ROUTE", "En route"), btn("AT_SCENE", "At scene"), btn("AVAILABLE", "Clear"),
            el("button", { type: "button", class: "small secondary", dataset: { standDown: a.unit_id, callSign: a.call_sign } }, "Stand down")] : null));
      }))));
  }

  drawThrive() {
    const t = this.inc.thrive;
    const box = $("#det-thrive");
    if (!t) {
      fill(box, el("p", { class: "hint" }, "No assessment recorded."));
      return;
    }
    const s = this.store;
    const lv = (x) => (x ? codeLabel(x) : "–");
    const yes = (b, text) => (b ? text : null);
    fill(box,
      el("p", { class: "hint" }, `Version ${t.version} · ${hhmm(t.assessed_at, this.tz)} by ${t.assessed_by} · supports ${gradeSetting(s.settings, t.grade).label}`),
      el("dl", { class: "facts thrive" },
        el("dt", { title: "Threat" }, "T"), el("dd", {}, [t.threat.description, t.threat.parties && t.threat.parties.length ? `to ${t.threat.parties.join(", ")}` : "",
          t.threat.subjects, t.threat.time_since_event].filter(Boolean).join(" · ")),
        el("dt", { title: "Harm" }, "H"), el("dd", {}, `${lv(t.harm.severity)} severity${t.harm.types && t.harm.types.length ? ": " + t.harm.types.map(codeLabel).join(", ") : ""}`),
        el("dt", { title: "Risk" }, "R"), el("dd", {}, `likelihood ${lv(t.risk.likelihood)}, rating ${lv(t.risk.rating)}${t.risk.interim_risk ? " · interim: " + t.risk.interim_risk : ""}`),
        el("dt", { title: "Investigation" }, "I"), el("dd", {}, [t.investigation.lines_of_enquiry, yes(t.investigation.scene_advice_given, `scene advice: ${t.investigation.scene_advice || "given"}`),
          yes(t.investigation.forensic_opportunity, "forensic opportunity")].filter(Boolean).join(" · ") || "–"),
        el("dt", { title: "Vulnerability" }, "V"), el("dd", {}, [(t.vulnerability.parties || []).join(", "), (t.vulnerability.factors || []).map(codeLabel).join(", "),
          yes(t.vulnerability.safeguarding_needed, "safeguarding needed")].filter(Boolean).join(" · ") || "none identified"),
        el("dt", { title: "Engagement" }, "E"), el("dd", {}, [t.engagement.caller_needs, t.engagement.update_preference && `updates by ${t.engagement.update_preference}`,
          yes(t.engagement.referral_offered, "referral offered")].filter(Boolean).join(" · ") || "–"),
        t.prevention || t.intervention ? [el("dt", { title: "Prevention and intervention" }, "+"), el("dd", {}, [t.prevention, t.intervention].filter(Boolean).join(" · "))] : null),
      el("p", { class: "rationale" }, el("b", {}, "Rationale: "), t.rationale));
  }

  drawContacts() {
    const inc = this.inc;
    const box = $("#det-contacts");
    if (box.dataset.shown === String(inc.id)) return;
    const refs = inc.contacts || [];
    fill(box,
      refs.length ? el("ul", { class: "refs" }, refs.map((r) => el("li", {}, r))) : el("p", { class: "hint" }, "No contact recorded."),
      refs.length && this.store.can.contacts ? el("button", { type: "button", class: "small secondary", dataset: { act: "contacts" } }, "Show callers' details (recorded)") : null);
    delete box.dataset.shown;
  }

  logEntry(e) {
    if (this.seenLog.has(e.id) || e.incident_id !== this.id) return;
    this.seenLog.add(e.id);
    const list = $("#det-log");
    const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const li = el("li", { class: `k-${e.kind.toLowerCase()}`, dataset: { id: e.id, seq: e.event_seq } },
      el("time", { datetime: e.time }, hhmm(e.time, this.tz)), " ", el("span", { class: "kind" }, codeLabel(e.kind)), " ",
      el("span", { class: "text" }, e.text), e.corrects ? el("span", { class: "hint-inline" }, ` (corrects ${this.entryName(e.corrects)})`) : null,
      " ", el("span", { class: "actor" }, e.actor),
      this.store.can.log ? [" ", el("button", { type: "button", class: "link", dataset: { correct: e.id }, "aria-label": `Correct entry ${e.id}` }, "Correct")] : null);
    const next = [...list.children].find((x) => Number(x.dataset.id) > e.id);
    list.insertBefore(li, next || null);
    if (atEnd) list.scrollTop = list.scrollHeight;
  }

  // entryName names a log entry as the log shows it: "the 10:42 Contact entry".
  entryName(id) {
    const li = $(`#det-log li[data-id="${id}"]`);
    if (!li) return `entry ${id}`;
    return `the ${$("time", li).textContent} ${$(".kind", li).textContent} entry`;
  }

  // loadForms lists the forms officers filed for the open incident:
  // summaries that name no one, so reading them needs no justification.
  async loadForms() {
    const id = this.id;
    if (!id) return;
    let r;
    try {
      r = await api("GET", `/incidents/${id}/forms?limit=100`);
    } catch (err) {
      if (this.id === id) fill($("#det-forms"), el("p", { class: "alert error" }, err.message));
      return;
    }
    if (this.id !== id) return;
    const known = this.forms;
    this.forms = new Set(r.forms.map((f) => f.id));
    const fresh = known ? r.forms.filter((f) => !known.has(f.id)) : [];
    this.drawForms(r.forms, r.total, new Set(fresh.map((f) => f.id)));
    for (const f of fresh) announce(`${formKinds[f.kind] || codeLabel(f.kind)} ${f.reference || ""} filed by ${f.collar_number} for ${this.inc?.number || "this incident"}.`);
  }

  drawForms(forms, total, fresh) {
    const box = $("#det-forms");
    if (!forms.length) {
      fill(box, el("p", { class: "hint" }, "No form filed yet."));
      return;
    }
    const tz = this.tz;
    fill(box, el("table", { class: "plain forms-table" },
      el("thead", {}, el("tr", {}, ["Form", "Reference", "Summary", "Officer", "Taken"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, forms.map((f) => {
        const taken = hhmm(f.taken_at, tz);
        const recorded = hhmm(f.recorded_at, tz);
        const decision = f.kind === "CRIME_REPORT"
          ? (f.decision ? ` · ${codeLabel(f.decision)}${f.decision_late ? " (late)" : ""}` : f.decision_due ? ` · decision due ${hhmm(f.decision_due, tz)}` : "")
          : "";
        return el("tr", { class: fresh.has(f.id) ? "changed" : "", dataset: { form: f.id, kind: f.kind } },
          el("th", { scope: "row" }, formKinds[f.kind] || codeLabel(f.kind)),
          el("td", { class: "ref" }, f.reference || "–"),
          el("td", {}, `${f.label || ""}${decision}`),
          el("td", {}, f.collar_number),
          el("td", { class: "times" }, el("time", { datetime: f.taken_at }, taken), recorded !== taken ? ` (recorded ${recorded})` : ""));
      }))),
      total > forms.length ? el("p", { class: "hint" }, `The newest ${forms.length} of ${total} are shown.`) : null);
  }

  scheduleForms() {
    clearTimeout(this.formTimer);
    this.formTimer = setTimeout(() => this.loadForms(), 700);
  }

  // apply is one change from the store.
  apply(ch) {
    if (!this.id) return;
    if (ch.reload) {
      this.open(this.id);
      return;
    }
    if (this.forms && (formsRecorded.has(ch.type) || (formsChanged.has(ch.type) && this.forms.has(Number(String(ch.subject).split("/")[1]))))) {
      this.scheduleForms();
    }
    for (const e of ch.entries) if (e.incident_id === this.id) this.logEntry(e);
    const mine = ch.incidents.some((i) => i.id === this.id);
    if (ch.units.length) this.unitList();
    if (mine) this.draw();
    else if (ch.units.some((u) => (this.inc?.assignments || []).some((a) => a.unit_id === u.id))) this.drawUnits();
    if ((mine || ch.units.length) && this.store.can.dispatch) this.scheduleRecs();
  }

  scheduleRecs() {
    clearTimeout(this.recTimer);
    this.recTimer = setTimeout(() => this.loadRecs(), 300);
  }

  async loadRecs() {
    const inc = this.inc;
    if (!this.store.can.dispatch || !inc) return;
    if (inc.status !== "OPEN") {
      this.recs = [];
      this.drawRecs();
      return;
    }
    const id = inc.id;
    try {
      const r = await api("GET", `/incidents/${id}/recommendations?limit=${maxKeyed}`);
      if (this.id !== id) return;
      this.recs = r.recommendations;
      this.recState = "";
    } catch (err) {
      if (this.id !== id) return;
      this.recs = [];
      this.recState = err.status === 503 ? "Recommendations are not available just now; they will come back by themselves. Meanwhile send a unit by its call sign." : err.message;
    }
    this.drawRecs();
  }

  drawRecs() {
    const box = $("#det-recs");
    if (!box) return;
    const inc = this.inc;
    if (!inc || inc.status !== "OPEN") {
      fill(box, el("p", { class: "hint" }, "The incident is closed."));
      return;
    }
    if (this.recState) {
      fill(box, el("p", { class: "alert notice" }, this.recState));
      return;
    }
    if (!this.recs.length) {
      fill(box, el("p", { class: "hint" }, "No available unit has the skills this incident needs."));
      return;
    }
    fill(box, el("table", { class: "plain recs" },
      el("thead", {}, el("tr", {}, ["Key", "Unit", "Type", "Distance", "ETA", "", ""].map((h, i) => el("th", { scope: "col", class: i === 0 ? "key" : "" }, h)))),
      el("tbody", {}, this.recs.map((r, i) => el("tr", { class: r.diversion ? "diversion" : "", dataset: { unit: r.unit.id } },
        el("td", { class: "key" }, el("kbd", {}, i === 0 ? "D" : String(i + 1))),
        el("th", { scope: "row" }, r.unit.call_sign),
        el("td", {}, r.unit.type),
        el("td", {}, fmtDistance(r.distance_m)),
        el("td", {}, fmtDuration(parseDuration(r.eta))),
        el("td", {}, r.diversion ? el("span", { class: "tag divert" }, `DIVERSION from ${r.unit.incident_number || "its job"}`) : label(this.store.codes.unit_states, r.unit.state)),
        el("td", {}, el("button", { type: "button", class: r.diversion ? "small danger" : "small primary", dataset: { dispatch: i } },
          r.diversion ? "Divert " : "Dispatch ", el("kbd", {}, String(i + 1))))))),
      ));
  }

  // dispatch sends recommendation n (0 is the top one).
  async dispatch(n) {
    const inc = this.inc;
    const r = this.recs[n];
    if (!inc || !this.store.can.dispatch) return;
    if (!r) {
      announce(this.recs.length ? `There is no recommendation ${n + 1}.` : "There is no recommendation to dispatch.", true);
      return;
    }
    try {
      await api("POST", `/incidents/${inc.id}/assignments`, { unit_id: r.unit.id, divert: r.diversion });
      announce(`${r.unit.call_sign} ${r.diversion ? "diverted" : "dispatched"} to ${inc.number}.`);
    } catch (err) {
      $("#det-recs").prepend(el("p", { class: "alert error", role: "alert" }, err.message));
      this.scheduleRecs();
    }
  }

  // send assigns a unit the controller names by call sign.
  async send(e) {
    e.preventDefault();
    const form = e.target;
    const inc = this.inc;
    if (!inc) return;
    clearProblems(form);
    const sign = form.elements.call_sign.value.trim().toUpperCase();
    const u = [...this.store.units.values()].find((x) => x.call_sign.toUpperCase() === sign);
    try {
      if (!u) throw new Problem(400, { detail: "There is no unit with that call sign.", errors: { call_sign: sign ? `no unit is called ${sign}` : "is required" } });
      await api("POST", `/incidents/${inc.id}/assignments`, { unit_id: u.id, divert: form.elements.divert.checked });
      form.reset();
      announce(`${u.call_sign} sent to ${inc.number}.`);
    } catch (err) {
      if (err instanceof Problem) showProblems(form, err);
      else throw err;
    }
  }

  // unitList offers the call signs of units that can be sent.
  unitList() {
    const dl = $("#unit-signs");
    if (!dl) return;
    const us = [...this.store.units.values()].filter((u) => u.state !== "OFF_DUTY").sort((a, b) => a.call_sign.localeCompare(b.call_sign));
    fill(dl, ...us.map((u) => el("option", { value: u.call_sign }, `${u.type} · ${label(this.store.codes.unit_states, u.state)}`)));
  }

  async setStatus(unitID, code) {
    try {
      const u = await api("POST", `/units/${unitID}/status`, { code });
      this.store.putUnit(u);
      announce(`${u.call_sign}: ${label(this.store.codes.unit_states, u.state)}.`);
    } catch (err) {
      $("#det-units").prepend(el("p", { class: "alert error", role: "alert" }, err.message));
    }
  }

  click(e) {
    const b = e.target.closest("button");
    if (!b || b.disabled) return;
    if (b.dataset.dispatch !== undefined) this.dispatch(Number(b.dataset.dispatch));
    else if (b.dataset.unitStatus) this.setStatus(Number(b.dataset.unitStatus), b.dataset.code);
    else if (b.dataset.standDown) this.standDown(Number(b.dataset.standDown), b.dataset.callSign);
    else if (b.dataset.correct) this.correcting(Number(b.dataset.correct));
    else if (b.id === "log-uncorrect") this.correcting(0);
    else if (b.dataset.act) this.act(b.dataset.act);
  }

  // act runs one of the panel's actions (a button or its shortcut key).
  act(name) {
    const inc = this.inc;
    if (!inc) return;
    const closed = inc.status !== "OPEN";
    const dlg = $(`#dlg-${name}`);
    switch (name) {
      case "dispatch-top":
        if (!closed) this.dispatch(0);
        return;
      case "log": {
        const t = $("#log-text");
        if (t) {
          t.focus();
          t.scrollIntoView({ block: "nearest" });
        }
        return;
      }
      case "thrive":
        if (!dlg || closed) return;
        openDialog(dlg, { title: inc.number,
          prepare: (f) => fillForm(f, { ...(inc.thrive || {}), grade: inc.grade }),
          submit: async (body) => {
            this.store.putIncident(await api("POST", `/incidents/${inc.id}/assessments`, body));
            const t = await api("GET", `/incidents/${inc.id}/assessments`);
            if (t.assessments.length) this.store.incidents.get(inc.id).thrive = t.assessments[t.assessments.length - 1];
            this.draw();
            announce(`THRIVE re-assessed for ${inc.number}.`);
          } });
        return;
      case "grade":
        if (!dlg || closed) return;
        openDialog(dlg, { title: inc.number,
          prepare: (f) => { for (const r of f.elements.grade) r.checked = r.value === inc.grade; },
          submit: async (body) => { this.store.putIncident(await api("POST", `/incidents/${inc.id}/grade`, body)); this.draw(); announce(`${inc.number} re-graded.`); } });
        return;
      case "close":
        if (!dlg || closed) return;
        openDialog(dlg, { title: inc.number,
          prepare: (f) => {
            f.elements.category.value = inc.category;
            for (const q of f.querySelectorAll("[name=qualifiers]")) q.checked = (inc.qualifiers || []).includes(q.value);
          },
          submit: async (body) => { this.store.putIncident(await api("POST", `/incidents/${inc.id}/close`, body)); this.draw(); announce(`${inc.number} closed.`); } });
        return;
      case "major":
        if (!dlg || closed) return;
        openDialog(dlg, { title: inc.number,
          submit: async (body) => { this.store.putIncident(await api("POST", `/incidents/${inc.id}/major`, body)); this.draw(); announce(`Major incident declared on ${inc.number}.`); } });
        return;
      case "methane":
        if (!dlg || closed) return;
        openDialog(dlg, { title: inc.number,
          prepare: (f) => {
            f.elements.major_incident.checked = Boolean(inc.major);
            f.elements.exact_location.value = [inc.location?.address, inc.location?.grid_ref && `OS ${inc.location.grid_ref}`].filter(Boolean).join(", ");
          },
          submit: async (body) => { await api("POST", `/incidents/${inc.id}/methane`, body); announce("M/ETHANE report sent."); } });
        return;
      case "link": {
        if (!dlg || closed) return;
        const majors = [...this.store.incidents.values()].filter((i) => i.major && i.status === "OPEN" && i.id !== inc.id);
        openDialog(dlg, { title: inc.number,
          prepare: (f) => {
            fill(f.elements.major_id, ...majors.map((m) => el("option", { value: m.id }, `${m.major.name} (${m.number})`)));
            $("#link-none").hidden = majors.length > 0;
          },
          submit: async (body) => { this.store.putIncident(await api("POST", `/incidents/${inc.id}/link`, body)); this.draw(); announce(`${inc.number} linked.`); } });
        return;
      }
      case "contacts":
        if (!dlg) return;
        openDialog(dlg, { title: inc.number,
          submit: async (body) => {
            const headers = { "Bluelamp-Reason": body.reason, "Bluelamp-Incident": inc.number };
            // Header values must be ASCII: the API percent-decodes this one.
            if (body.justification) headers["Bluelamp-Justification"] = encodeURIComponent(body.justification);
            const r = await api("GET", `/incidents/${inc.id}/contacts`, undefined, headers);
            this.showContacts(r.contacts);
          } });
    }
  }

  standDown(unitID, callSign) {
    const inc = this.inc;
    const dlg = $("#dlg-standdown");
    for (const s of $$(".dlg-unit", dlg)) s.textContent = callSign;
    openDialog(dlg, { title: inc.number,
      submit: async (body) => { await api("POST", `/incidents/${inc.id}/assignments/${unitID}/stand-down`, body); announce(`${callSign} stood down.`); } });
  }

  showContacts(cs) {
    const s = this.store;
    const box = $("#det-contacts");
    box.dataset.shown = String(this.id);
    fill(box, el("ul", { class: "contacts" }, cs.map((c) => el("li", {},
      el("p", {}, el("b", {}, c.reference), ` · ${label(s.codes.channels, c.channel)} · ${hhmm(c.received_at, this.tz)} · taken by ${c.handled_by}`),
      el("p", {}, c.caller.anonymous ? "Anonymous caller" : `${c.caller.name || "Name not given"}${c.caller.number ? " · " + c.caller.number : ""}${c.caller.callback ? " · can be called back" : ""}`),
      el("p", { class: "account" }, c.account),
      checks(c.checks)))));
    box.querySelector("li")?.setAttribute("tabindex", "-1");
    box.querySelector("li")?.focus();
  }

  // correcting marks the next log entry as a correction of entry id (0: not).
  correcting(id) {
    const form = $("#log-form");
    if (!form) return;
    form.dataset.corrects = id ? String(id) : "";
    const note = $("#log-correcting");
    note.hidden = !id;
    $("span", note).textContent = id ? this.entryName(id) : "";
    if (id) $("#log-text").focus();
  }

  async addLog(e) {
    e.preventDefault();
    const form = e.target;
    const inc = this.inc;
    if (!inc) return;
    clearProblems(form);
    const body = { text: form.elements.text.value };
    if (form.dataset.corrects) body.corrects = Number(form.dataset.corrects);
    try {
      const entry = await api("POST", `/incidents/${inc.id}/log`, body);
      this.logEntry(entry);
      form.elements.text.value = "";
      this.correcting(0);
      const list = $("#det-log");
      list.scrollTop = list.scrollHeight;
      announce("Log entry added.");
    } catch (err) {
      if (err instanceof Problem) showProblems(form, err);
    }
  }
}

function openFirst(a) {
  return ["ASSIGNED", "EN_ROUTE", "AT_SCENE"].includes(a.state) ? 0 : 1;
}

export function checks(c) {
  if (!c) return null;
  const items = [];
  if (c.repeat_caller && c.repeat_caller.length) items.push(`Repeat caller: ${c.repeat_caller.join(", ")}`);
  if (c.repeat_location && c.repeat_location.length) items.push(`Repeat location: ${c.repeat_location.join(", ")}`);
  if (c.vulnerable) items.push("Earlier contact assessed a vulnerable person");
  if (c.asb_case_review) items.push("ASB Case Review threshold reached (3 reports in 6 months)");
  return el("ul", { class: "checks-list" }, items.length ? items.map((i) => el("li", { class: "flag" }, i)) : el("li", {}, "No repeat or vulnerability flags."));
}
