// The list of declared major incidents, live.
import { boot } from "./page.js";
import { $, el, fill } from "./dom.js";
import { gradeClass, gradeSetting, label } from "./format.js";

const store = boot();
const list = $("#majors");
const draw = () => {
  const majors = [...store.incidents.values()].filter((i) => i.major && i.status === "OPEN");
  fill(list, ...majors.map((i) => el("li", { dataset: { id: i.id } }, el("a", { href: `/major/${i.id}` }, i.major.name),
    ` · ${i.number} · `, el("span", { class: `badge ${gradeClass(i.grade)}` }, gradeSetting(store.settings, i.grade).code),
    ` ${label(store.codes.categories, i.category)} · declared by ${i.major.declared_by}`)));
  $("#majors-empty").hidden = majors.length > 0;
};
store.on((ch) => { if (ch.incidents.length || ch.reload) draw(); });
