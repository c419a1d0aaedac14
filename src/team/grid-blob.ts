/**
 * A voxel grid and its values as one compressed, self-describing byte string: how the label map and
 * the CT travel in a team session. Layout before zlib: "HCTG", u32 LE length of a JSON header, the
 * header ({kind, dtype, dims, spacing, origin, direction}: geometry only, nothing else), zero padding
 * to 8 bytes, then the voxels little-endian, i fastest. zlib (not gzip) so the same grid always gives
 * the same bytes, hence the same sha256 (gzip stamps the time). Pure: no DOM or Node API.
 */
import { unzlibSync, zlibSync } from 'fflate';
import type { Grid, LabelMap, Vec3 } from '../volume/types';
import { voxelCount } from '../volume/types';

export type GridBlobKind = 'labels' | 'ct';
type Dtype = 'uint8' | 'int16le';

interface GridHeader {
  kind: GridBlobKind;
  dtype: Dtype;
  dims: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: Grid['direction'];
}

export class GridBlobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GridBlobError';
  }
}

const MAGIC = [0x48, 0x43, 0x54, 0x47]; // "HCTG"
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Largest grid a blob may declare (2^30 voxels): a damaged header must not make us allocate gigabytes. */
const MAX_VOXELS = 2 ** 30;

export function encodeLabelBlob(labels: LabelMap): Uint8Array {
  return encode('labels', 'uint8', labels, labels.data);
}

export function encodeCtBlob(volume: Grid & { data: Int16Array }): Uint8Array {
  let bytes = new Uint8Array(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength);
  if (!HOST_LITTLE_ENDIAN) bytes = swap16(bytes);
  return encode('ct', 'int16le', volume, bytes);
}

export function decodeLabelBlob(blob: Uint8Array): LabelMap {
  const { header, data } = decode(blob, 'labels');
  return { ...geometry(header), data: data.slice() };
}

export function decodeCtBlob(blob: Uint8Array): Grid & { data: Int16Array } {
  const { header, data } = decode(blob, 'ct');
  const own = HOST_LITTLE_ENDIAN ? data.slice() : swap16(data);
  return { ...geometry(header), data: new Int16Array(own.buffer, own.byteOffset, own.byteLength / 2) };
}

function geometry(h: Grid): Grid {
  return { dims: [...h.dims], spacing: [...h.spacing], origin: [...h.origin], direction: [...h.direction] };
}

function encode(kind: GridBlobKind, dtype: Dtype, grid: Grid, voxels: Uint8Array): Uint8Array {
  // only geometry is copied: whatever else the caller's object carries stays behind
  const header: GridHeader = { kind, dtype, ...geometry(grid) };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = (8 + json.length + 7) & ~7;
  const raw = new Uint8Array(start + voxels.length);
  raw.set(MAGIC, 0);
  new DataView(raw.buffer).setUint32(4, json.length, true);
  raw.set(json, 8);
  raw.set(voxels, start);
  return zlibSync(raw, { level: 6 });
}

function decode(blob: Uint8Array, kind: GridBlobKind): { header: GridHeader; data: Uint8Array } {
  let raw: Uint8Array;
  try {
    raw = unzlibSync(blob);
  } catch (error) {
    throw new GridBlobError(`${kind} blob does not decompress: ${(error as Error).message}`, { cause: error });
  }
  if (raw.length < 8 || MAGIC.some((b, i) => raw[i] !== b)) throw new GridBlobError(`${kind} blob is not a HoloCT grid (no "HCTG" magic)`);
  const jsonLength = new DataView(raw.buffer, raw.byteOffset).getUint32(4, true);
  if (8 + jsonLength > raw.length) throw new GridBlobError(`${kind} blob header runs past its end`);
  let header: GridHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(raw.subarray(8, 8 + jsonLength))) as GridHeader;
  } catch (error) {
    throw new GridBlobError(`${kind} blob header is not JSON`, { cause: error });
  }
  checkHeader(header, kind);
  const start = (8 + jsonLength + 7) & ~7;
  const expected = voxelCount(header) * (header.dtype === 'uint8' ? 1 : 2);
  if (raw.length - start !== expected) throw new GridBlobError(`${kind} blob holds ${raw.length - start} bytes of voxels, its grid ${header.dims.join('×')} needs ${expected}`);
  return { header, data: raw.subarray(start) };
}

function checkHeader(h: GridHeader, kind: GridBlobKind): void {
  const bad = (why: string) => new GridBlobError(`${kind} blob header: ${why}`);
  if (typeof h !== 'object' || h === null) throw bad('not an object');
  if (h.kind !== kind) throw bad(`kind is ${JSON.stringify(h.kind)}, expected "${kind}"`);
  if (h.dtype !== (kind === 'labels' ? 'uint8' : 'int16le')) throw bad(`dtype ${JSON.stringify(h.dtype)} is not ${kind === 'labels' ? 'uint8' : 'int16le'}`);
  const vec = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!vec(h.dims, 3) || !h.dims.every((d) => Number.isInteger(d) && d >= 1)) throw bad('dims must be 3 positive integers');
  if (h.dims[0] * h.dims[1] * h.dims[2] > MAX_VOXELS) throw bad(`grid ${h.dims.join('×')} is larger than ${MAX_VOXELS} voxels`);
  if (!vec(h.spacing, 3) || !h.spacing.every((s) => s > 0)) throw bad('spacing must be 3 positive numbers');
  if (!vec(h.origin, 3)) throw bad('origin must be 3 numbers');
  if (!vec(h.direction, 9)) throw bad('direction must be 9 numbers');
}

function swap16(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 2) {
    out[i] = bytes[i + 1];
    out[i + 1] = bytes[i];
  }
  return out;
}
