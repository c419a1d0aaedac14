/**
 * DICOM Segmentation → label map on a given grid (the CT the SEG was made on), so a SEG from the
 * PACS (HoloCT's own or another tool's, e.g. dcmqi / 3D Slicer) can be shown on its study.
 *
 * Supports BINARY and FRACTIONAL SEGs in an uncompressed transfer syntax whose frames lie on the
 * grid's planes (same orientation and pixel spacing, positions on voxel centres). Each voxel gets the
 * number of the segment covering it; where segments overlap, the higher segment number wins and the
 * overlap is counted.
 */
import type { Grid, LabelMap, Vec3 } from '../volume/types';
import { codesForClass, sameConcept, type CodedConcept } from './codes';
import { dcmjs, exactBuffer, type NaturalDataset } from './dcmjs';
import { SEG_SOP_CLASS_UID } from './write';

export interface SegSegment {
  segmentNumber: number;
  label: string;
  description?: string;
  category?: CodedConcept;
  type?: CodedConcept;
  algorithmType?: string;
  algorithmName?: string;
}

export interface ReadSeg {
  /** One value per voxel of the grid: the segment number (0 = none). */
  labels: LabelMap;
  segments: SegSegment[];
  studyInstanceUID: string;
  seriesInstanceUID: string;
  frameOfReferenceUID: string;
  /** The series the SEG says it was derived from (ReferencedSeriesSequence). */
  referencedSeriesUIDs: string[];
  /** Voxels claimed by more than one segment (the higher number was kept). */
  overlapVoxels: number;
}

export class SegReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SegReadError';
  }
}

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99']);

function first(value: unknown): NaturalDataset | undefined {
  return Array.isArray(value) ? (value[0] as NaturalDataset | undefined) : (value as NaturalDataset | undefined);
}

function numbers(value: unknown): number[] | undefined {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const out = list.map((v) => Number(v));
  return out.length && out.every(Number.isFinite) ? out : undefined;
}

function code(value: unknown): CodedConcept | undefined {
  const item = first(value);
  if (!item || typeof item.CodeValue !== 'string') return undefined;
  return { CodeValue: item.CodeValue, CodingSchemeDesignator: String(item.CodingSchemeDesignator ?? ''), CodeMeaning: String(item.CodeMeaning ?? '') };
}

/** A functional group item: the frame's own, else the shared one. */
function group(perFrame: NaturalDataset | undefined, shared: NaturalDataset | undefined, name: string): NaturalDataset | undefined {
  return first(perFrame?.[name]) ?? first(shared?.[name]);
}

function pixelBytes(value: unknown): Uint8Array {
  const parts = (Array.isArray(value) ? value : [value]).filter((p): p is ArrayBuffer => p instanceof ArrayBuffer);
  if (parts.length === 1) return new Uint8Array(parts[0]);
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(new Uint8Array(p), at); at += p.byteLength; }
  return out;
}

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/**
 * Reads a SEG onto `grid`. `name` is for messages. Throws {@link SegReadError} naming the file and
 * the reason when the bytes are not a SEG HoloCT can read, or its frames do not lie on the grid.
 */
export function readSegmentation(bytes: Uint8Array, grid: Grid, name = 'DICOM SEG'): ReadSeg {
  let ds: NaturalDataset;
  let transferSyntax = '';
  try {
    const dict = dcmjs.data.DicomMessage.readFile(exactBuffer(bytes), { ignoreErrors: true });
    ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    const meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta);
    transferSyntax = String(meta.TransferSyntaxUID ?? '');
  } catch (error) {
    throw new SegReadError(`${name}: not a readable DICOM file (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  if (ds.SOPClassUID !== SEG_SOP_CLASS_UID) {
    throw new SegReadError(`${name}: SOP class ${String(ds.SOPClassUID ?? 'missing')} is not Segmentation Storage (${SEG_SOP_CLASS_UID})${ds.SOPClassUID === '1.2.840.10008.5.1.4.1.1.66.7' ? ': label-map SEGs are not supported yet' : ''}`);
  }
  if (!UNCOMPRESSED.has(transferSyntax)) throw new SegReadError(`${name}: transfer syntax ${transferSyntax || 'missing'} is compressed; HoloCT reads uncompressed SEGs only`);
  const type = String(ds.SegmentationType ?? '');
  if (type !== 'BINARY' && type !== 'FRACTIONAL') throw new SegReadError(`${name}: SegmentationType ${type || 'missing'} is not BINARY or FRACTIONAL`);

  const rows = Number(ds.Rows);
  const cols = Number(ds.Columns);
  const frameCount = Number(ds.NumberOfFrames ?? 1);
  if (!(rows > 0 && cols > 0 && frameCount > 0)) throw new SegReadError(`${name}: no Rows, Columns or NumberOfFrames`);
  const perFrame = (Array.isArray(ds.PerFrameFunctionalGroupsSequence) ? ds.PerFrameFunctionalGroupsSequence : []) as NaturalDataset[];
  const shared = first(ds.SharedFunctionalGroupsSequence);
  if (perFrame.length !== frameCount) throw new SegReadError(`${name}: ${perFrame.length} per-frame functional groups for ${frameCount} frames`);

  const segments: SegSegment[] = ((Array.isArray(ds.SegmentSequence) ? ds.SegmentSequence : []) as NaturalDataset[]).map((s) => ({
    segmentNumber: Number(s.SegmentNumber),
    label: String(s.SegmentLabel ?? ''),
    ...(s.SegmentDescription ? { description: String(s.SegmentDescription) } : {}),
    category: code(s.SegmentedPropertyCategoryCodeSequence),
    type: code(s.SegmentedPropertyTypeCodeSequence),
    algorithmType: s.SegmentAlgorithmType ? String(s.SegmentAlgorithmType) : undefined,
    algorithmName: s.SegmentAlgorithmName ? String(s.SegmentAlgorithmName) : undefined,
  }));
  if (segments.some((s) => !(Number.isInteger(s.segmentNumber) && s.segmentNumber >= 1 && s.segmentNumber <= 255))) {
    throw new SegReadError(`${name}: segment numbers must be 1..255 to fit a label map`);
  }

  const pixels = pixelBytes(ds.PixelData);
  const plane = rows * cols;
  const bitsPerPixel = type === 'BINARY' ? 1 : 8;
  if (pixels.length * 8 < frameCount * plane * bitsPerPixel) throw new SegReadError(`${name}: pixel data holds ${pixels.length} bytes, too few for ${frameCount} frames of ${cols}×${rows}`);
  const threshold = type === 'FRACTIONAL' ? Number(ds.MaximumFractionalValue ?? 255) / 2 : 0.5;

  const [nx, ny, nz] = grid.dims;
  const d = grid.direction;
  const u: Vec3 = [d[0], d[1], d[2]];
  const v: Vec3 = [d[3], d[4], d[5]];
  const n: Vec3 = [d[6], d[7], d[8]];
  const out = new Uint8Array(nx * ny * nz);
  let overlapVoxels = 0;

  for (let f = 0; f < frameCount; f++) {
    const where = `${name} frame ${f + 1}`;
    const segmentNumber = Number(group(perFrame[f], shared, 'SegmentIdentificationSequence')?.ReferencedSegmentNumber);
    if (!segments.some((s) => s.segmentNumber === segmentNumber)) throw new SegReadError(`${where}: refers to segment ${segmentNumber}, which the SEG does not define`);
    const position = numbers(group(perFrame[f], shared, 'PlanePositionSequence')?.ImagePositionPatient);
    const orientation = numbers(group(perFrame[f], shared, 'PlaneOrientationSequence')?.ImageOrientationPatient);
    const spacing = numbers(group(perFrame[f], shared, 'PixelMeasuresSequence')?.PixelSpacing);
    if (!position || position.length < 3 || !orientation || orientation.length < 6 || !spacing || spacing.length < 2) {
      throw new SegReadError(`${where}: no plane position, orientation or pixel spacing`);
    }
    const fu: Vec3 = [orientation[0], orientation[1], orientation[2]];
    const fv: Vec3 = [orientation[3], orientation[4], orientation[5]];
    if (dot(fu, u) < 0.999 || dot(fv, v) < 0.999) throw new SegReadError(`${where}: its orientation is not the CT's (SEG frames must lie on the CT's slices)`);
    if (Math.abs(spacing[1] - grid.spacing[0]) > 1e-3 || Math.abs(spacing[0] - grid.spacing[1]) > 1e-3) {
      throw new SegReadError(`${where}: pixel spacing ${spacing.join('\\')} mm differs from the CT's ${grid.spacing[1]}\\${grid.spacing[0]} mm`);
    }
    const offset: Vec3 = [position[0] - grid.origin[0], position[1] - grid.origin[1], position[2] - grid.origin[2]];
    const fi = dot(offset, u) / grid.spacing[0];
    const fj = dot(offset, v) / grid.spacing[1];
    const fk = dot(offset, n) / grid.spacing[2];
    const i0 = Math.round(fi);
    const j0 = Math.round(fj);
    const k = Math.round(fk);
    if (Math.abs(fi - i0) > 0.05 || Math.abs(fj - j0) > 0.05 || Math.abs(fk - k) > 0.05) {
      throw new SegReadError(`${where}: position (${position.map((x) => x.toFixed(2)).join(', ')}) mm is not on the CT's voxel grid`);
    }
    if (k < 0 || k >= nz) throw new SegReadError(`${where}: slice at ${position.map((x) => x.toFixed(2)).join(', ')} mm is outside the CT's ${nz} slices`);
    const frameBase = f * plane;
    for (let r = 0; r < rows; r++) {
      const j = j0 + r;
      if (j < 0 || j >= ny) continue;
      for (let c = 0; c < cols; c++) {
        const i = i0 + c;
        if (i < 0 || i >= nx) continue;
        const p = frameBase + r * cols + c;
        const on = bitsPerPixel === 1 ? (pixels[p >> 3] >> (p & 7)) & 1 : pixels[p] >= threshold ? 1 : 0;
        if (!on) continue;
        const at = i + j * nx + k * nx * ny;
        if (out[at] !== 0 && out[at] !== segmentNumber) {
          overlapVoxels++;
          if (segmentNumber < out[at]) continue;
        }
        out[at] = segmentNumber;
      }
    }
  }

  const referenced = ((Array.isArray(ds.ReferencedSeriesSequence) ? ds.ReferencedSeriesSequence : []) as NaturalDataset[]).map((s) => String(s.SeriesInstanceUID ?? ''));
  return {
    labels: { dims: [...grid.dims], spacing: [...grid.spacing], origin: [...grid.origin], direction: [...grid.direction], data: out },
    segments,
    studyInstanceUID: String(ds.StudyInstanceUID ?? ''),
    seriesInstanceUID: String(ds.SeriesInstanceUID ?? ''),
    frameOfReferenceUID: String(ds.FrameOfReferenceUID ?? ''),
    referencedSeriesUIDs: referenced.filter(Boolean),
    overlapVoxels,
  };
}

/**
 * Segment numbers → the model's class ids, by the segments' type codes: SNOMED CT (type and
 * category must both match) or, for older SEGs, the SNOMED-RT type. Segments no class matches map to
 * 0 and are listed in `unmatched`.
 */
export function segmentsToClasses(seg: ReadSeg, classes: readonly { id: number; name: string }[]): { labels: LabelMap; unmatched: SegSegment[] } {
  const lut = new Uint8Array(256);
  const unmatched: SegSegment[] = [];
  for (const s of seg.segments) {
    const match = classes.find((c) => {
      const codes = codesForClass(c.name);
      if (!s.type) return false;
      if (codes.legacyType && sameConcept(s.type, codes.legacyType)) return true;
      return sameConcept(s.type, codes.type) && (!s.category || sameConcept(s.category, codes.category));
    });
    if (match) lut[s.segmentNumber] = match.id;
    else unmatched.push(s);
  }
  const data = new Uint8Array(seg.labels.data.length);
  for (let i = 0; i < data.length; i++) data[i] = lut[seg.labels.data[i]];
  return { labels: { ...seg.labels, data }, unmatched };
}
