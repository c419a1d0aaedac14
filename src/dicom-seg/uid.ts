/**
 * New DICOM UIDs as `2.25.<UUID as a decimal integer>` (PS3.5 B.2): no organisation root needed,
 * and a random (version 4) UUID makes collisions as unlikely as UUIDs themselves — no clock, no
 * counter, no host name in the UID.
 */

/** A fresh UID from a random UUID (Web Crypto: browser, worker and Node alike). */
export function newUid(uuid: string = globalThis.crypto.randomUUID()): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}
