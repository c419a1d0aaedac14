/**
 * Test fixture helper: sets string values of existing top-level elements of an Explicit VR Little
 * Endian data set (e.g. the anonymized sample series, whose UIDs and patient fields are empty) by
 * splicing the bytes. Pixel data and everything else stay byte for byte the same.
 */
import { dicomParser } from '../../src/dicom/header';

const SHORT_STRING_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'PN', 'SH', 'TM', 'UI']);

/** `values` maps tags written like `x00100010` to their new value. Each tag must already be present. */
export function setStringElements(bytes: Uint8Array, values: Record<string, string>, name = 'file'): Uint8Array {
  const dataSet = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
  const explicitLE = dataSet.string('x00020010') !== '1.2.840.10008.1.2' && dataSet.string('x00020010') !== '1.2.840.10008.1.2.2';
  if (!explicitLE) throw new Error(`${name}: only Explicit VR Little Endian data sets can be patched`);
  const edits = Object.entries(values).map(([tag, value]) => {
    const element = dataSet.elements[tag];
    if (!element) throw new Error(`${name}: element ${tag} is not present`);
    if (!element.vr || !SHORT_STRING_VRS.has(element.vr)) throw new Error(`${name}: element ${tag} has VR ${element.vr}, not a short string`);
    const padded = value.length % 2 ? value + (element.vr === 'UI' ? '\0' : ' ') : value;
    if (padded.length > 0xffff) throw new Error(`${name}: value for ${tag} is too long`);
    return { start: element.dataOffset - 2, end: element.dataOffset + element.length, value: new TextEncoder().encode(padded) };
  });
  edits.sort((a, b) => a.start - b.start);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const edit of edits) {
    parts.push(bytes.subarray(at, edit.start));
    const length = new Uint8Array(2);
    new DataView(length.buffer).setUint16(0, edit.value.length, true);
    parts.push(length, edit.value);
    at = edit.end;
  }
  parts.push(bytes.subarray(at));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
