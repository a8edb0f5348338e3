// stopSearchReference returns the receipt reference of a stop-search whose
// client id is clientID, a version 4 UUID, exactly as the server makes it
// (bluelamp.StopSearchReference): so the officer can give the person their
// receipt before the form reaches the server. No DOM.
//
//  1. Read the UUID's last 16 hex digits as a 64-bit unsigned integer.
//  2. Keep its low 60 bits.
//  3. Write them as 12 Crockford base32 digits, most significant first.
//  4. "SS-" and the digits in three groups of four.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function stopSearchReference(clientID) {
  const id = String(clientID).toLowerCase();
  if (!v4.test(id)) return "";
  let n = BigInt("0x" + id.replaceAll("-", "").slice(16)) & ((1n << 60n) - 1n);
  const d = [];
  for (let i = 0; i < 12; i++) {
    d.unshift(crockford[Number(n & 31n)]);
    n >>= 5n;
  }
  const s = d.join("");
  return `SS-${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}

// requestUntil is the last day the person searched may ask for the full
// record: 3 months after the search, 12 if they were arrested (DOMAIN 4.1).
export function requestUntil(searchedAt, outcome) {
  const d = new Date(searchedAt);
  if (outcome === "Arrest") d.setFullYear(d.getFullYear() + 1);
  else d.setMonth(d.getMonth() + 3);
  return d;
}
