// Logging an exhibit: a photo or file from the phone's camera or storage,
// with what it is, when and where. The upload is multipart/form-data (a
// metadata part, then the file) built here with a fixed boundary, so
// every copy the outbox sends is the same bytes under the same key.
import { read } from "./api.js";
import { $, announce } from "./dom.js";
import { boot } from "./shell.js";
import { value, radio, showProblems, here, localInput, fromLocalInput } from "./form.js";
import { DONE, CONFLICT } from "./outbox.js";

const ctx = await boot();
const { outbox } = ctx;
ctx.conn.set(navigator.onLine ? "online" : "offline");
addEventListener("online", () => ctx.conn.set("online"));

// maxFile is the server's default limit (--exhibit-max-size); a force may
// set another, and the server's answer then says so.
const maxFile = 25 << 20;
let job = null;
try {
  job = (await read("/me/unit")).data.incident || null;
} catch { /* not booked on */ }
if (job) {
  $("#ex-job-link").hidden = false;
  $("#ex-incident-label").textContent = `From my job ${job.number}`;
  if (job.location && job.location.address) $("#ex-job-address").hidden = false;
}
$("#ex-when").value = localInput();

let position = null;
$("#ex-here").addEventListener("click", async () => {
  $("#ex-position").textContent = "Finding your position…";
  try {
    position = await here();
    $("#ex-position").textContent = `Position added, to within ${Math.round(position.accuracy)} m.`;
  } catch (err) {
    $("#ex-position").textContent = err.message;
  }
});
$("#ex-job-address").addEventListener("click", () => {
  $("#ex-from").value = job.location.address;
  if (job.location.position) position = { ...job.location.position };
});

let preview = "";
$("#ex-file").addEventListener("change", () => {
  const f = $("#ex-file").files[0];
  if (preview) URL.revokeObjectURL(preview);
  preview = f && f.type.startsWith("image/") ? URL.createObjectURL(f) : "";
  $("#ex-preview").hidden = !preview;
  if (preview) $("#ex-preview").src = preview;
});

$("#ex-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const problems = {};
  const file = $("#ex-file").files[0];
  const when = fromLocalInput($("#ex-when").value);
  const meta = { origin: radio("origin"), description: value("ex-description"), seized_from: value("ex-from") };
  if (!meta.description) problems["ex-description"] = "Say what the exhibit is";
  if (!meta.seized_from) problems["ex-from"] = "Say where it was seized, or who gave it to you";
  if (!when) problems["ex-when"] = "Enter when";
  else if (when.getTime() > Date.now() + 5 * 60000) problems["ex-when"] = "The time cannot be in the future";
  else if (when.getTime() < Date.now() - 72 * 3600000) problems["ex-when"] = "An exhibit can be logged up to 72 hours after the fact";
  else meta.seized_at = when.toISOString();
  if (!file) problems["ex-file"] = "Take a photo or choose a file";
  else if (file.size === 0) problems["ex-file"] = "The file is empty";
  else if (file.size > maxFile) problems["ex-file"] = "The file is over 25 MB";
  if (position) meta.position = { lat: position.lat, lon: position.lon };
  if (job && !$("#ex-job-link").hidden && $("#ex-incident").checked) meta.incident_id = job.id;
  if (showProblems($("#ex-form"), "ex-problems", problems)) return;

  const id = crypto.randomUUID();
  const boundary = "bluelamp-" + id.replaceAll("-", "");
  const name = (file.name || "exhibit").replace(/[^\w.-]+/g, "_").slice(-200);
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(meta)}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${file.type || "application/octet-stream"}\r\n\r\n`;
  const raw = new Blob([head, file, `\r\n--${boundary}--\r\n`]);
  const item = await outbox.add({
    id, kind: "exhibit", label: `Exhibit: ${meta.description.slice(0, 60)}`, path: "/api/v1/exhibits",
    raw, contentType: `multipart/form-data; boundary=${boundary}`, meta: { incident: meta.incident_id || 0, size: file.size },
  });
  $("#ex-form").reset();
  $("#ex-preview").hidden = true;
  $("#ex-when").value = localInput();
  position = null;
  follow(item);
});

// follow shows what became of the exhibit just logged.
function follow(item) {
  const st = $("#ex-state");
  const draw = (i) => {
    st.hidden = false;
    st.className = "pending-status" + (i.state === DONE ? " sent" : i.state === CONFLICT ? " conflict" : "");
    st.textContent = i.state === DONE ? `Exhibit ${i.answer && i.answer.exhibit ? i.answer.exhibit.reference : ""} recorded: label it with this reference.`
      : i.state === CONFLICT ? `Not accepted: ${i.message}`
        : navigator.onLine ? "Sending the exhibit…" : "Exhibit kept on this phone, to send when there is a signal.";
  };
  draw(item);
  announce(st.textContent);
  outbox.on((ev) => { if (ev.item && ev.item.seq === item.seq) { draw(ev.item); announce(st.textContent); } });
}
