// drawReceipt shows a stop-search receipt (PACE Code A 4.10A): the
// reference as text and as a QR code of the public receipt page's address,
// when and where, the officer's number (and name unless withheld), the
// power used and how to get the full record. It names no one searched.
import { $, el, fill } from "./dom.js";
import qrcode from "./vendor/qrcode-generator-2.0.4/qrcode.mjs";

const date = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric" });
const dateTime = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

// receiptURL is the public page the QR code opens.
export function receiptURL(ref) {
  return `${location.origin}/app/receipt?ref=${encodeURIComponent(ref)}`;
}

export function drawReceipt(r) {
  $("#r-ref").textContent = r.reference;
  const qr = qrcode(0, "M");
  qr.addData(receiptURL(r.reference));
  qr.make();
  const img = $("#r-qr");
  img.src = qr.createDataURL(6, 4);
  img.alt = `QR code for receipt ${r.reference}`;
  fill($("#r-facts"),
    fact("Force", r.force_name),
    fact("When", dateTime.format(new Date(r.searched_at))),
    fact("Where", r.place || "not given"),
    fact("Officer", [r.collar_number, r.officer_name].filter(Boolean).join(" ")),
    fact("Power used", r.legislation),
    fact("Record until", date.format(new Date(r.request_until))));
  $("#r-how").textContent = `You can ask ${r.force_name} for the full record of this search until ${date.format(new Date(r.request_until))}: ` +
    `quote reference ${r.reference} at a police station, or scan the code to ask online.`;
}

function fact(name, value) {
  return [el("dt", {}, name), el("dd", {}, value)];
}
