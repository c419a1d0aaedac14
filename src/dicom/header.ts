/**
 * Parse one DICOM file's header into a typed record (no pixel decoding).
 *
 * dicom-parser does the byte-level work; this module turns its data set into the handful of
 * attributes HoloCT needs, per frame for multi-frame (Enhanced / Legacy Converted) objects.
 */
import * as dicomParserNs from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { inflateSync } from 'fflate';
import type { Vec3 } from '../volume/types';
import { DicomImportError, type DicomInputFile } from './types';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as `default`, Vite as the namespace.
const dicomParser: typeof dicomParserNs =
  (dicomParserNs as unknown as { default?: typeof dicomParserNs }).default ?? dicomParserNs;
export { dicomParser };

export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  deflatedLE: '1.2.840.10008.1.2.1.99',
  explicitBE: '1.2.840.10008.1.2.2',
  rle: '1.2.840.10008.1.2.5',
} as const;

export const SOP = {
  ct: '1.2.840.10008.5.1.4.1.1.2',
  enhancedCt: '1.2.840.10008.5.1.4.1.1.2.1',
  legacyEnhancedCt: '1.2.840.10008.5.1.4.1.1.2.2',
  secondaryCapture: '1.2.840.10008.5.1.4.1.1.7',
  seg: '1.2.840.10008.5.1.4.1.1.66.4',
  labelMapSeg: '1.2.840.10008.5.1.4.1.1.66.7',
  doseSr: '1.2.840.10008.5.1.4.1.1.88.67',
} as const;

/** Geometry and value mapping of one frame (a slice). Missing values are undefined. */
export interface FrameHeader {
  /** 0-based frame number inside its file. */
  frame: number;
  /** ImagePositionPatient: LPS mm of the centre of the first transmitted pixel. */
  position?: Vec3;
  /** ImageOrientationPatient: row cosine (direction of increasing column index), column cosine. */
  orientation?: [number, number, number, number, number, number];
  /** PixelSpacing: [between rows (mm along column cosine), between columns (mm along row cosine)]. */
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  rescaleType?: string;
  /** InStackPositionNumber / InstanceNumber, for tie-breaking only. */
  order?: number;
}

/** The header of one file. Holds patient identity only in `patientName`/`patientId` (local use). */
export interface FileHeader {
  name: string;
  transferSyntaxUID: string;
  sopClassUID: string;
  sopInstanceUID: string;
  modality: string;
  imageType: string[];
  seriesInstanceUID: string;
  seriesDescription: string;
  seriesNumber?: number;
  frameOfReferenceUID: string;
  instanceNumber?: number;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  photometric: string;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  numberOfFrames: number;
  convolutionKernel?: string;
  /** BodyPartExamined (0018,0015), e.g. 'HEAD', 'CHEST'. */
  bodyPartExamined?: string;
  /** StudyDescription (0008,1030). */
  studyDescription?: string;
  /** ProtocolName (0018,1030). */
  protocolName?: string;
  gantryTilt?: number;
  hasPixelData: boolean;
  /** Float / Double Float Pixel Data present instead of integer Pixel Data. */
  hasFloatPixelData: boolean;
  isMultiFrameFunctionalGroups: boolean;
  frames: FrameHeader[];
  /** LOCAL DISPLAY ONLY. */
  patientName?: string;
  /** LOCAL DISPLAY ONLY. */
  patientId?: string;
}

/** dicom-parser and its helpers throw strings; turn anything thrown into a readable reason. */
export function reasonOf(error: unknown): string {
  if (error instanceof DicomImportError) return error.message;
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  // dicom-parser throws { exception: string, dataSet } objects for malformed data sets.
  if (error && typeof error === 'object' && typeof (error as { exception?: unknown }).exception === 'string') {
    return (error as { exception: string }).exception;
  }
  return String(error);
}

/** True when the bytes start like DICOM Part 10 ("DICM" at 128) or a bare group-0008 data set. */
export function looksLikeDicom(bytes: Uint8Array): boolean {
  if (bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d) return true;
  // A bare data set (no preamble) starts with a group 0002 or 0008 tag, little endian.
  return bytes.length >= 8 && (bytes[0] === 0x08 || bytes[0] === 0x02) && bytes[1] === 0x00 && bytes[3] === 0x00;
}

/** Parse the whole data set. Throws DicomImportError naming the file. */
export function parseDataSet(file: DicomInputFile): DataSet {
  if (!looksLikeDicom(file.bytes)) {
    throw new DicomImportError(`${file.name}: not a DICOM file (no "DICM" marker at byte 128)`, { fileName: file.name });
  }
  try {
    return dicomParser.parseDicom(file.bytes, {
      // Deflated Explicit VR Little Endian: the data set after the meta header is raw deflate.
      inflater: ((bytes: Uint8Array, position: number) => {
        const inflated = inflateSync(bytes.subarray(position));
        const out = new Uint8Array(position + inflated.length);
        out.set(bytes.subarray(0, position));
        out.set(inflated, position);
        return out;
      }) as unknown as (arr: Uint8Array, position: number) => void,
    });
  } catch (error) {
    throw new DicomImportError(`${file.name}: not a readable DICOM file (${tidyParserMessage(reasonOf(error))})`, {
      cause: error,
      fileName: file.name,
    });
  }
}

function tidyParserMessage(message: string): string {
  return message.replace(/^dicomParser\.\w+: /, '').replace(/^parseDicom: /, '');
}

function str(ds: DataSet, tag: string): string | undefined {
  const v = ds.string(tag);
  return v === undefined || v === '' ? undefined : v.trim();
}

function strs(ds: DataSet, tag: string): string[] {
  const v = ds.string(tag);
  return v ? v.split('\\').map((s) => s.trim()).filter((s) => s !== '') : [];
}

function nums(ds: DataSet, tag: string): number[] | undefined {
  const raw = ds.string(tag);
  if (!raw) return undefined;
  const values = raw.split('\\').map((s) => Number.parseFloat(s));
  return values.every(Number.isFinite) ? values : undefined;
}

function num(ds: DataSet, tag: string): number | undefined {
  const v = nums(ds, tag);
  return v && v.length > 0 ? v[0] : undefined;
}

function us(ds: DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2) return undefined;
  return ds.uint16(tag);
}

function vec3(values: number[] | undefined): Vec3 | undefined {
  return values && values.length >= 3 ? [values[0], values[1], values[2]] : undefined;
}

function firstItem(ds: DataSet | undefined, tag: string): DataSet | undefined {
  const el: Element | undefined = ds?.elements[tag];
  return el?.items?.[0]?.dataSet;
}

/** Geometry/value attributes found in a functional group item (or a classic header). */
function groupValues(item: DataSet | undefined): Partial<FrameHeader> {
  if (!item) return {};
  const out: Partial<FrameHeader> = {};
  const pos = firstItem(item, 'x00209113');
  const ori = firstItem(item, 'x00209116');
  const meas = firstItem(item, 'x00289110');
  const pvt = firstItem(item, 'x00289145');
  const content = firstItem(item, 'x00209111');
  if (pos) out.position = vec3(nums(pos, 'x00200032'));
  if (ori) {
    const o = nums(ori, 'x00200037');
    if (o && o.length >= 6) out.orientation = [o[0], o[1], o[2], o[3], o[4], o[5]];
  }
  if (meas) {
    const ps = nums(meas, 'x00280030');
    if (ps && ps.length >= 2) out.pixelSpacing = [ps[0], ps[1]];
    const t = num(meas, 'x00180050');
    if (t !== undefined) out.sliceThickness = t;
  }
  if (pvt) {
    const slope = num(pvt, 'x00281053');
    const intercept = num(pvt, 'x00281052');
    if (slope !== undefined) out.rescaleSlope = slope;
    if (intercept !== undefined) out.rescaleIntercept = intercept;
    const type = str(pvt, 'x00281054');
    if (type) out.rescaleType = type;
  }
  if (content) {
    const inStack = content.elements['x00209057'] ? content.uint32('x00209057') : undefined;
    if (inStack !== undefined) out.order = inStack;
  }
  return out;
}

function frameTypeOf(item: DataSet | undefined): string[] {
  const ft = firstItem(item, 'x00189329');
  return ft ? strs(ft, 'x00089007') : [];
}

/** Extract the header of a parsed data set. */
export function readHeader(name: string, ds: DataSet): FileHeader {
  const numberOfFrames = Math.max(1, Math.round(num(ds, 'x00280008') ?? 1));
  const shared = ds.elements['x52009229']?.items?.[0]?.dataSet;
  const perFrame = ds.elements['x52009230']?.items ?? [];
  const isFg = shared !== undefined || perFrame.length > 0;

  const classic: FrameHeader = {
    frame: 0,
    position: vec3(nums(ds, 'x00200032')),
    orientation: undefined,
    pixelSpacing: undefined,
    sliceThickness: num(ds, 'x00180050'),
    rescaleSlope: num(ds, 'x00281053') ?? 1,
    rescaleIntercept: num(ds, 'x00281052') ?? 0,
    rescaleType: str(ds, 'x00281054'),
    order: num(ds, 'x00200013'),
  };
  const iop = nums(ds, 'x00200037');
  if (iop && iop.length >= 6) classic.orientation = [iop[0], iop[1], iop[2], iop[3], iop[4], iop[5]];
  const ps = nums(ds, 'x00280030');
  if (ps && ps.length >= 2) classic.pixelSpacing = [ps[0], ps[1]];

  const sharedValues = groupValues(shared);
  const frames: FrameHeader[] = [];
  for (let f = 0; f < numberOfFrames; f++) {
    if (isFg) {
      const own = groupValues(perFrame[f]?.dataSet);
      frames.push({
        ...classic,
        ...stripUndefined(sharedValues),
        ...stripUndefined(own),
        frame: f,
        order: own.order ?? f + 1,
      });
    } else {
      frames.push({ ...classic, frame: f });
    }
  }

  let imageType = strs(ds, 'x00080008');
  if (imageType.length === 0 && isFg) imageType = frameTypeOf(shared).length ? frameTypeOf(shared) : frameTypeOf(perFrame[0]?.dataSet);
  const kernel = strs(ds, 'x00181210');
  const pixelData = ds.elements['x7fe00010'];

  return {
    name,
    transferSyntaxUID: str(ds, 'x00020010') ?? TS.implicitLE,
    sopClassUID: str(ds, 'x00080016') ?? str(ds, 'x00020002') ?? '',
    sopInstanceUID: str(ds, 'x00080018') ?? str(ds, 'x00020003') ?? '',
    modality: str(ds, 'x00080060') ?? '',
    imageType,
    seriesInstanceUID: str(ds, 'x0020000e') ?? '',
    seriesDescription: str(ds, 'x0008103e') ?? '',
    seriesNumber: num(ds, 'x00200011'),
    frameOfReferenceUID: str(ds, 'x00200052') ?? '',
    instanceNumber: num(ds, 'x00200013'),
    rows: us(ds, 'x00280010') ?? 0,
    columns: us(ds, 'x00280011') ?? 0,
    samplesPerPixel: us(ds, 'x00280002') ?? 1,
    photometric: str(ds, 'x00280004') ?? '',
    bitsAllocated: us(ds, 'x00280100') ?? 0,
    bitsStored: us(ds, 'x00280101') ?? us(ds, 'x00280100') ?? 0,
    pixelRepresentation: us(ds, 'x00280103') ?? 0,
    numberOfFrames,
    convolutionKernel: kernel.length ? kernel.join('\\') : undefined,
    bodyPartExamined: str(ds, 'x00180015'),
    studyDescription: str(ds, 'x00081030'),
    protocolName: str(ds, 'x00181030'),
    gantryTilt: num(ds, 'x00181120'),
    hasPixelData: pixelData !== undefined && (pixelData.length > 0 || pixelData.encapsulatedPixelData === true),
    hasFloatPixelData: ds.elements['x7fe00008'] !== undefined || ds.elements['x7fe00009'] !== undefined,
    isMultiFrameFunctionalGroups: isFg,
    frames,
    patientName: str(ds, 'x00100010'),
    patientId: str(ds, 'x00100020'),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Parse and read the header of one file. Throws DicomImportError naming the file. */
export function parseHeader(file: DicomInputFile): { header: FileHeader; dataSet: DataSet } {
  const dataSet = parseDataSet(file);
  try {
    return { header: readHeader(file.name, dataSet), dataSet };
  } catch (error) {
    throw new DicomImportError(`${file.name}: unreadable DICOM header (${reasonOf(error)})`, { cause: error, fileName: file.name });
  }
}
