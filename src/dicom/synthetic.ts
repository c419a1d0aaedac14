/**
 * Synthetic CT series as DICOM Part 10 bytes (Explicit VR Little Endian, or RLE Lossless), for
 * benchmarks and tests that need big or unusual series without files in git.
 *
 * The phantom is analytic: air outside an elliptic body of soft tissue (40 HU) holding a fat layer,
 * two lungs (-850 HU), a spine-like bone disc (700 HU) and an aorta (200 HU), varying along z.
 */
import type { Vec3 } from '../volume/types';
import { encodeRle } from './codecs/rle';
import type { DicomInputFile } from './types';

export interface SyntheticSeriesOptions {
  /** Slice positions along the stacking direction in mm (default k × spacing[2]). */
  positions?: number[];
  /** ImageOrientationPatient (default axial [1,0,0, 0,1,0]). */
  orientation?: [number, number, number, number, number, number];
  /** Gantry tilt in degrees: the column cosine is tilted about the row axis, slices stack along +z. */
  tiltDegrees?: number;
  /** ImagePositionPatient of slice 0 (default centres the matrix on the z axis at z = 0). */
  origin?: Vec3;
  transferSyntax?: 'explicit-le' | 'rle';
  modality?: string;
  seriesInstanceUID?: string;
  seriesDescription?: string;
  imageType?: string[];
  rescaleSlope?: number;
  rescaleIntercept?: number;
  /** Only for tests of the privacy rule; defaults to an obviously synthetic value. */
  patientName?: string;
  patientId?: string;
}

const enc = new TextEncoder();

class Writer {
  private chunks: Uint8Array[] = [];
  size = 0;
  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }
  element(group: number, element: number, vr: string, value: Uint8Array): void {
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr);
    const head = new Uint8Array(long ? 12 : 8);
    const v = new DataView(head.buffer);
    v.setUint16(0, group, true);
    v.setUint16(2, element, true);
    head[4] = vr.charCodeAt(0);
    head[5] = vr.charCodeAt(1);
    if (long) v.setUint32(8, value.length, true);
    else v.setUint16(6, value.length, true);
    this.push(head);
    this.push(value);
  }
  /** Encapsulated pixel data with one fragment per frame and an empty basic offset table. */
  encapsulated(fragment: Uint8Array): void {
    const head = new Uint8Array(12 + 8 + 8);
    const v = new DataView(head.buffer);
    v.setUint16(0, 0x7fe0, true);
    v.setUint16(2, 0x0010, true);
    head[4] = 0x4f; // 'O'
    head[5] = 0x42; // 'B'
    v.setUint32(8, 0xffffffff, true);
    v.setUint16(12, 0xfffe, true); // empty basic offset table item
    v.setUint16(14, 0xe000, true);
    v.setUint32(16, 0, true);
    v.setUint16(20, 0xfffe, true); // fragment item
    v.setUint16(22, 0xe000, true);
    v.setUint32(24, fragment.length, true);
    this.push(head);
    this.push(fragment);
    const end = new Uint8Array(8);
    const e = new DataView(end.buffer);
    e.setUint16(0, 0xfffe, true);
    e.setUint16(2, 0xe0dd, true);
    this.push(end);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** Text value padded to even length (UI with NUL, others with space). */
function text(value: string, vr: string): Uint8Array {
  const b = enc.encode(value);
  if (b.length % 2 === 0) return b;
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  out[b.length] = vr === 'UI' ? 0 : 0x20;
  return out;
}

function us(value: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, value, true);
  return b;
}

function ds(values: number[]): string {
  return values.map((x) => Number(x.toFixed(6)).toString()).join('\\');
}

/** Analytic phantom in HU at patient position (x, y, z) mm. */
export function phantomHu(x: number, y: number, z: number): number {
  const body = (x / 160) ** 2 + (y / 110) ** 2;
  if (body > 1) return -1000;
  const wobble = 1 + 0.1 * Math.sin(z / 40);
  if (((x - 30) / 12) ** 2 + ((y + 20) / 12) ** 2 <= 1) return 200; // aorta
  if ((x / 22) ** 2 + ((y - 60) / 20) ** 2 <= 1) return 700; // vertebral body
  if (((Math.abs(x) - 80) / (45 * wobble)) ** 2 + ((y + 5) / 60) ** 2 <= 1) return -850; // lungs
  if (body > 0.85) return -100; // subcutaneous fat
  return 40;
}

/**
 * Bytes of slice `k` of a synthetic series. Generating slices one at a time lets a benchmark feed a
 * 512×512×1000 series without holding every file twice.
 */
export function makeSyntheticCtSlice(
  dims: [number, number, number],
  spacing: [number, number, number],
  k: number,
  options: SyntheticSeriesOptions = {},
): DicomInputFile {
  const [cols, rows, slices] = dims;
  const tilt = ((options.tiltDegrees ?? 0) * Math.PI) / 180;
  const iop = options.orientation ?? [1, 0, 0, 0, Math.cos(tilt), -Math.sin(tilt)];
  const u: Vec3 = [iop[0], iop[1], iop[2]];
  const v: Vec3 = [iop[3], iop[4], iop[5]];
  const n: Vec3 = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  const stackDir: Vec3 = options.tiltDegrees ? [0, 0, 1] : n;
  const origin: Vec3 = options.origin ?? [-((cols - 1) * spacing[0]) / 2, -((rows - 1) * spacing[1]) / 2, 0];
  const position = options.positions?.[k] ?? k * spacing[2];
  const ipp: Vec3 = [origin[0] + position * stackDir[0], origin[1] + position * stackDir[1], origin[2] + position * stackDir[2]];
  const slope = options.rescaleSlope ?? 1;
  const intercept = options.rescaleIntercept ?? -1024;

  const pixels = new Uint16Array(cols * rows);
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const x = ipp[0] + i * spacing[0] * u[0] + j * spacing[1] * v[0];
      const y = ipp[1] + i * spacing[0] * u[1] + j * spacing[1] * v[1];
      const z = ipp[2] + i * spacing[0] * u[2] + j * spacing[1] * v[2];
      const stored = Math.round((phantomHu(x, y, z) - intercept) / slope);
      pixels[j * cols + i] = Math.max(0, Math.min(65535, stored));
    }
  }

  const uidRoot = '2.25.1234567890123456789';
  const seriesUid = options.seriesInstanceUID ?? `${uidRoot}.${cols}.${rows}.${slices}`;
  const sopInstance = `${seriesUid}.${k + 1}`;
  const rle = options.transferSyntax === 'rle';
  const tsUid = rle ? '1.2.840.10008.1.2.5' : '1.2.840.10008.1.2.1';
  const ctSop = '1.2.840.10008.5.1.4.1.1.2';

  const meta = new Writer();
  meta.element(0x0002, 0x0001, 'OB', new Uint8Array([0, 1]));
  meta.element(0x0002, 0x0002, 'UI', text(ctSop, 'UI'));
  meta.element(0x0002, 0x0003, 'UI', text(sopInstance, 'UI'));
  meta.element(0x0002, 0x0010, 'UI', text(tsUid, 'UI'));
  meta.element(0x0002, 0x0012, 'UI', text('2.25.42', 'UI'));
  const metaBytes = meta.bytes();

  const w = new Writer();
  w.push(new Uint8Array(128));
  w.push(enc.encode('DICM'));
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, metaBytes.length, true);
  w.element(0x0002, 0x0000, 'UL', groupLength);
  w.push(metaBytes);
  w.element(0x0008, 0x0008, 'CS', text((options.imageType ?? ['ORIGINAL', 'PRIMARY', 'AXIAL']).join('\\'), 'CS'));
  w.element(0x0008, 0x0016, 'UI', text(ctSop, 'UI'));
  w.element(0x0008, 0x0018, 'UI', text(sopInstance, 'UI'));
  w.element(0x0008, 0x0060, 'CS', text(options.modality ?? 'CT', 'CS'));
  w.element(0x0008, 0x103e, 'LO', text(options.seriesDescription ?? `Synthetic CT ${cols}x${rows}x${slices}`, 'LO'));
  w.element(0x0010, 0x0010, 'PN', text(options.patientName ?? 'SYNTHETIC^PHANTOM', 'PN'));
  w.element(0x0010, 0x0020, 'LO', text(options.patientId ?? 'SYNTH-0001', 'LO'));
  w.element(0x0018, 0x0050, 'DS', text(ds([spacing[2]]), 'DS'));
  w.element(0x0018, 0x1120, 'DS', text(ds([options.tiltDegrees ?? 0]), 'DS'));
  w.element(0x0018, 0x1210, 'SH', text('SYNTH', 'SH'));
  w.element(0x0020, 0x000d, 'UI', text(`${uidRoot}.1`, 'UI'));
  w.element(0x0020, 0x000e, 'UI', text(seriesUid, 'UI'));
  w.element(0x0020, 0x0011, 'IS', text('1', 'IS'));
  w.element(0x0020, 0x0013, 'IS', text(String(k + 1), 'IS'));
  w.element(0x0020, 0x0032, 'DS', text(ds(ipp), 'DS'));
  w.element(0x0020, 0x0037, 'DS', text(ds(iop), 'DS'));
  w.element(0x0020, 0x0052, 'UI', text(`${uidRoot}.2`, 'UI'));
  w.element(0x0028, 0x0002, 'US', us(1));
  w.element(0x0028, 0x0004, 'CS', text('MONOCHROME2', 'CS'));
  w.element(0x0028, 0x0010, 'US', us(rows));
  w.element(0x0028, 0x0011, 'US', us(cols));
  w.element(0x0028, 0x0030, 'DS', text(ds([spacing[1], spacing[0]]), 'DS'));
  w.element(0x0028, 0x0100, 'US', us(16));
  w.element(0x0028, 0x0101, 'US', us(16));
  w.element(0x0028, 0x0102, 'US', us(15));
  w.element(0x0028, 0x0103, 'US', us(0));
  w.element(0x0028, 0x1052, 'DS', text(ds([intercept]), 'DS'));
  w.element(0x0028, 0x1053, 'DS', text(ds([slope]), 'DS'));
  w.element(0x0028, 0x1054, 'LO', text('HU', 'LO'));
  if (rle) w.encapsulated(encodeRle(pixels));
  else w.element(0x7fe0, 0x0010, 'OW', new Uint8Array(pixels.buffer));
  return { name: `synthetic-${String(k + 1).padStart(4, '0')}.dcm`, bytes: w.bytes() };
}

/**
 * A whole synthetic CT series: dims = [columns, rows, slices], spacing in mm along i, j, k.
 * Patient identity is the obviously fake SYNTHETIC^PHANTOM unless options say otherwise.
 */
export function makeSyntheticCtSeries(
  dims: [number, number, number],
  spacing: [number, number, number],
  options: SyntheticSeriesOptions = {},
): DicomInputFile[] {
  const files: DicomInputFile[] = [];
  for (let k = 0; k < dims[2]; k++) files.push(makeSyntheticCtSlice(dims, spacing, k, options));
  return files;
}
