import { gunzipSync, gzipSync } from 'fflate';
import { gridFromRasAffine, rasAffine, type Affine } from './geometry';
import type { Grid, LabelMap, Vec3, Volume } from './types';

/** NIfTI-1 reading and writing (.nii and .nii.gz). NIfTI affines are RAS; HoloCT grids are LPS. */

export class NiftiError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NiftiError';
  }
}

const DATATYPES: Record<number, { name: string; bytes: number }> = {
  2: { name: 'uint8', bytes: 1 },
  4: { name: 'int16', bytes: 2 },
  8: { name: 'int32', bytes: 4 },
  16: { name: 'float32', bytes: 4 },
  64: { name: 'float64', bytes: 8 },
  256: { name: 'int8', bytes: 1 },
  512: { name: 'uint16', bytes: 2 },
  768: { name: 'uint32', bytes: 4 },
};

export interface NiftiImage {
  grid: Grid;
  /** Voxel values after scl_slope/scl_inter, i fastest. */
  values: Float32Array | Int16Array | Uint8Array;
  /** The datatype stored in the file, e.g. "int16". */
  storedType: string;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parses a NIfTI-1 file (gzipped or not). `name` only serves error messages. */
export function readNifti(input: Uint8Array, name = 'NIfTI file'): NiftiImage {
  let bytes: Uint8Array;
  try {
    bytes = isGzip(input) ? gunzipSync(input) : input;
  } catch (error) {
    throw new NiftiError(`${name}: the gzip stream is corrupt or truncated`, { cause: error });
  }
  if (bytes.length < 348) throw new NiftiError(`${name}: too short for a NIfTI-1 header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little = true;
  if (view.getInt32(0, true) !== 348) {
    if (view.getInt32(0, false) === 348) little = false;
    else if (view.getInt32(0, true) === 540 || view.getInt32(0, false) === 540) throw new NiftiError(`${name}: NIfTI-2 is not supported; save as NIfTI-1`);
    else throw new NiftiError(`${name}: not a NIfTI-1 file (sizeof_hdr is not 348)`);
  }
  const magic = String.fromCharCode(bytes[344], bytes[345], bytes[346]);
  if (magic !== 'n+1') {
    throw new NiftiError(`${name}: ${magic === 'ni1' ? 'a .hdr/.img pair is not supported; use a single .nii' : 'bad NIfTI magic'}`);
  }
  const i16 = (o: number) => view.getInt16(o, little);
  const f32 = (o: number) => view.getFloat32(o, little);
  const ndim = i16(40);
  const dims: Vec3 = [i16(42), i16(44), ndim >= 3 ? i16(46) : 1];
  for (let d = 4; d <= ndim && d <= 7; d++) {
    if (i16(40 + 2 * d) > 1) throw new NiftiError(`${name}: ${ndim}-D images with more than one volume are not supported`);
  }
  if (dims.some((n) => !(n > 0))) throw new NiftiError(`${name}: invalid dimensions ${dims.join('×')}`);
  const datatype = i16(70);
  const type = DATATYPES[datatype];
  if (!type) throw new NiftiError(`${name}: unsupported NIfTI datatype ${datatype}`);
  const pixdim: Vec3 = [f32(80), f32(84), f32(88)];
  const voxOffset = Math.round(f32(108));
  let slope = f32(112);
  const inter = f32(116);
  if (!slope || !Number.isFinite(slope)) slope = 1;
  const qformCode = i16(252);
  const sformCode = i16(254);

  let ras: Affine;
  if (sformCode > 0) {
    ras = Float64Array.from([
      f32(280), f32(284), f32(288), f32(292),
      f32(296), f32(300), f32(304), f32(308),
      f32(312), f32(316), f32(320), f32(324),
      0, 0, 0, 1,
    ]);
  } else if (qformCode > 0) {
    ras = quaternionAffine(f32(256), f32(260), f32(264), f32(268), f32(272), f32(276), pixdim, f32(76));
  } else {
    // ANALYZE-style fallback: no orientation known; NIfTI says to use pixdim only.
    ras = Float64Array.from([Math.abs(pixdim[0]) || 1, 0, 0, 0, 0, Math.abs(pixdim[1]) || 1, 0, 0, 0, 0, Math.abs(pixdim[2]) || 1, 0, 0, 0, 0, 1]);
  }
  const count = dims[0] * dims[1] * dims[2];
  const needed = voxOffset + count * type.bytes;
  if (bytes.length < needed) throw new NiftiError(`${name}: truncated: ${bytes.length} bytes, the header needs ${needed}`);
  const grid = gridFromRasAffine(ras, dims);
  const values = decodeValues(view, voxOffset, count, datatype, little, slope, inter);
  return { grid, values, storedType: type.name };
}

function quaternionAffine(b: number, c: number, d: number, qx: number, qy: number, qz: number, pixdim: Vec3, qfac: number): Affine {
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    const n = 1 / Math.hypot(b, c, d);
    b *= n; c *= n; d *= n; a = 0;
  } else a = Math.sqrt(a);
  const [sx, sy] = pixdim;
  const sz = qfac < 0 ? -pixdim[2] : pixdim[2];
  const r = [
    a * a + b * b - c * c - d * d, 2 * b * c - 2 * a * d, 2 * b * d + 2 * a * c,
    2 * b * c + 2 * a * d, a * a + c * c - b * b - d * d, 2 * c * d - 2 * a * b,
    2 * b * d - 2 * a * c, 2 * c * d + 2 * a * b, a * a + d * d - c * c - b * b,
  ];
  return Float64Array.from([
    r[0] * sx, r[1] * sy, r[2] * sz, qx,
    r[3] * sx, r[4] * sy, r[5] * sz, qy,
    r[6] * sx, r[7] * sy, r[8] * sz, qz,
    0, 0, 0, 1,
  ]);
}

function decodeValues(
  view: DataView, offset: number, count: number, datatype: number, little: boolean, slope: number, inter: number,
): Float32Array | Int16Array | Uint8Array {
  const read: (o: number) => number = {
    2: (o: number) => view.getUint8(o),
    4: (o: number) => view.getInt16(o, little),
    8: (o: number) => view.getInt32(o, little),
    16: (o: number) => view.getFloat32(o, little),
    64: (o: number) => view.getFloat64(o, little),
    256: (o: number) => view.getInt8(o),
    512: (o: number) => view.getUint16(o, little),
    768: (o: number) => view.getUint32(o, little),
  }[datatype]!;
  const size = DATATYPES[datatype].bytes;
  const identity = slope === 1 && inter === 0;
  if (datatype === 2 && identity) {
    return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
  }
  // Integer data that stays integral and fits int16 (CT in HU) is kept compact as Int16Array.
  const integral = datatype !== 16 && datatype !== 64 && Number.isInteger(slope) && Number.isInteger(inter);
  const out = new Float32Array(count);
  let fitsInt16 = integral;
  for (let n = 0; n < count; n++) {
    const v = read(offset + n * size) * slope + inter;
    out[n] = v;
    if (fitsInt16 && (v < -32768 || v > 32767)) fitsInt16 = false;
  }
  return fitsInt16 ? Int16Array.from(out) : out;
}

/** Reads a CT volume in HU. */
export function readNiftiVolume(bytes: Uint8Array, name = 'NIfTI file'): Volume {
  const { grid, values } = readNifti(bytes, name);
  const data = values instanceof Uint8Array ? Int16Array.from(values) : values;
  return { ...grid, data };
}

/** Reads a label map (integer labels 0..255). */
export function readNiftiLabels(bytes: Uint8Array, name = 'NIfTI file'): LabelMap {
  const { grid, values } = readNifti(bytes, name);
  if (values instanceof Uint8Array) return { ...grid, data: values };
  const data = new Uint8Array(values.length);
  for (let n = 0; n < values.length; n++) {
    const v = Math.round(values[n]);
    if (v < 0 || v > 255) throw new NiftiError(`${name}: label ${v} at voxel ${n} is outside 0..255`);
    data[n] = v;
  }
  return { ...grid, data };
}

export interface WriteNiftiOptions {
  /** gzip the file (.nii.gz). Default true. */
  gzip?: boolean;
  /** Text for the 80-byte description field. Never put patient identity here. */
  description?: string;
}

/** Writes a grid with uint8 / int16 / float32 data as NIfTI-1 with identical sform and qform (code 1, scanner). */
export function writeNifti(grid: Grid, data: Uint8Array | Int16Array | Float32Array, options: WriteNiftiOptions = {}): Uint8Array {
  const count = grid.dims[0] * grid.dims[1] * grid.dims[2];
  if (data.length !== count) throw new NiftiError(`data length ${data.length} does not match dims ${grid.dims.join('×')}`);
  const [datatype, bitpix] = data instanceof Uint8Array ? [2, 8] : data instanceof Int16Array ? [4, 16] : [16, 32];
  const voxOffset = 352;
  const out = new Uint8Array(voxOffset + data.byteLength);
  const view = new DataView(out.buffer);
  view.setInt32(0, 348, true);
  view.setInt16(40, 3, true);
  grid.dims.forEach((n, i) => view.setInt16(42 + 2 * i, n, true));
  for (let i = 3; i < 7; i++) view.setInt16(42 + 2 * i, 1, true);
  view.setInt16(70, datatype, true);
  view.setInt16(72, bitpix, true);
  const ras = rasAffine(grid);
  const q = affineToQuaternion(grid, ras);
  view.setFloat32(76, q.qfac, true);
  grid.spacing.forEach((s, i) => view.setFloat32(80 + 4 * i, s, true));
  view.setFloat32(108, voxOffset, true);
  view.setFloat32(112, 1, true);
  view.setFloat32(116, 0, true);
  view.setUint8(123, 2); // xyzt_units: mm
  const description = (options.description ?? 'HoloCT').slice(0, 79);
  for (let i = 0; i < description.length; i++) out[148 + i] = description.charCodeAt(i) & 0x7f;
  view.setInt16(252, 1, true);
  view.setInt16(254, 1, true);
  [q.b, q.c, q.d, ras[3], ras[7], ras[11]].forEach((v, i) => view.setFloat32(256 + 4 * i, v, true));
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) view.setFloat32(280 + 16 * r + 4 * c, ras[r * 4 + c], true);
  out.set([0x6e, 0x2b, 0x31, 0], 344); // "n+1\0"
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), voxOffset);
  return options.gzip === false ? out : gzipSync(out, { level: 6 });
}

/** Quaternion (b, c, d) and qfac of the grid's RAS rotation, per the NIfTI-1 reference implementation. */
function affineToQuaternion(grid: Grid, ras: Affine): { b: number; c: number; d: number; qfac: number } {
  const col = (c: number) => [ras[c] / grid.spacing[c], ras[4 + c] / grid.spacing[c], ras[8 + c] / grid.spacing[c]];
  const [r11, r21, r31] = col(0);
  const [r12, r22, r32] = col(1);
  let [r13, r23, r33] = col(2);
  const det = r11 * (r22 * r33 - r32 * r23) - r12 * (r21 * r33 - r31 * r23) + r13 * (r21 * r32 - r31 * r22);
  let qfac = 1;
  if (det < 0) {
    qfac = -1;
    r13 = -r13; r23 = -r23; r33 = -r33;
  }
  let a = r11 + r22 + r33 + 1;
  let b: number, c: number, d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a; c = (0.25 * (r13 - r31)) / a; d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33), yd = 1 + r22 - (r11 + r33), zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd); c = (0.25 * (r12 + r21)) / b; d = (0.25 * (r13 + r31)) / b; a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd); b = (0.25 * (r12 + r21)) / c; d = (0.25 * (r23 + r32)) / c; a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd); b = (0.25 * (r13 + r31)) / d; c = (0.25 * (r23 + r32)) / d; a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) { b = -b; c = -c; d = -d; }
  }
  return { b, c, d, qfac };
}
