/**
 * Files → stacks → series summaries (headers only), and the choice of the best CT for segmentation.
 */
import type { Vec3 } from '../volume/types';
import { defaultCodecRegistry, type CodecRegistry } from './codecs/registry';
import { GeometryError, planStack, type PlannerSlice, type StackPlan } from './geometry';
import { parseHeader, reasonOf, SOP, type FileHeader, type FrameHeader } from './header';
import type { DicomInputFile, ScanResult, SeriesSummary, SkippedFile } from './types';

/** One frame of one file, placed in a stack. */
export interface StackFrame {
  file: number;
  header: FileHeader;
  frame: FrameHeader;
}

/** A group of frames that can form one volume, with its summary and (when loadable) its plan. */
export interface Stack {
  id: string;
  frames: StackFrame[];
  summary: SeriesSummary;
  plan?: StackPlan;
  /** Frames in the plan's input order (index i of planStack's input is planFrames[i]). */
  planFrames: StackFrame[];
}

const MODALITY_NAMES: Record<string, string> = {
  MR: 'magnetic resonance',
  US: 'ultrasound',
  PT: 'PET',
  NM: 'nuclear medicine',
  CR: 'computed radiography',
  DX: 'digital radiography',
  XA: 'X-ray angiography',
  MG: 'mammography',
  OT: 'other',
  SC: 'secondary capture',
  SEG: 'segmentation',
  RTSTRUCT: 'RT structure set',
  RTDOSE: 'RT dose',
  SR: 'structured report',
  PR: 'presentation state',
  KO: 'key object selection',
  DOC: 'document',
};

function modalityText(m: string): string {
  return m ? `${m}${MODALITY_NAMES[m] ? ` (${MODALITY_NAMES[m]})` : ''}` : 'none given';
}

/** Reason a file is not an image HoloCT could stack, or undefined when it is one. */
function skipReason(h: FileHeader): string | undefined {
  const sop = h.sopClassUID;
  if (sop === SOP.doseSr || /\bDOSE\b/i.test(h.seriesDescription) && (sop === SOP.secondaryCapture || h.modality === 'SR')) {
    return 'radiation dose report, not an image series';
  }
  if (sop.startsWith('1.2.840.10008.5.1.4.1.1.88.') || h.modality === 'SR') return 'structured report (SR), not an image';
  if (sop === SOP.seg || sop === SOP.labelMapSeg || h.modality === 'SEG') return 'DICOM Segmentation object, not a CT image';
  if (h.modality === 'RTSTRUCT' || h.modality === 'RTPLAN' || h.modality === 'RTDOSE') return `${modalityText(h.modality)} object, not a CT image`;
  if (h.modality === 'PR' || h.modality === 'KO' || sop.startsWith('1.2.840.10008.5.1.4.1.1.11.')) return `${modalityText(h.modality || 'PR')}, not an image`;
  if (sop === '1.2.840.10008.5.1.4.1.1.104.1' || h.modality === 'DOC') return 'encapsulated document, not an image';
  if (!h.hasPixelData && !h.hasFloatPixelData) return `no pixel data (modality ${modalityText(h.modality)}, SOP class ${sop || 'none'})`;
  if (h.imageType.some((t) => t.toUpperCase() === 'LOCALIZER')) return 'localizer (scout) image, not part of a volume';
  if (/\bDOSE\b/i.test(h.imageType.join(' ')) || (sop === SOP.secondaryCapture && /dose/i.test(h.seriesDescription))) {
    return 'dose report screen capture, not an image series';
  }
  return undefined;
}

/** Series-level reasons HoloCT cannot build a volume (checked on every file of the stack). */
function refusalReasons(frames: StackFrame[], codecs: CodecRegistry): string[] {
  const reasons = new Set<string>();
  for (const { header: h, frame: f } of frames) {
    if (h.modality !== 'CT') reasons.add(`modality ${modalityText(h.modality)}: HoloCT loads CT only`);
    if (h.samplesPerPixel !== 1 || !/^MONOCHROME[12]$/.test(h.photometric)) {
      reasons.add(`photometric interpretation ${h.photometric || 'missing'} with ${h.samplesPerPixel} sample(s) per pixel: HoloCT needs grayscale (MONOCHROME1/2)`);
    }
    if (h.hasFloatPixelData && !h.hasPixelData) reasons.add('float pixel data is not supported');
    if (![8, 16, 32].includes(h.bitsAllocated)) reasons.add(`${h.bitsAllocated} bits allocated per sample is not supported (8, 16 or 32)`);
    if (!(h.rows > 0 && h.columns > 0)) reasons.add('no image size (Rows/Columns)');
    if (!codecs.supports(h.transferSyntaxUID)) reasons.add(`transfer syntax ${codecs.describe(h.transferSyntaxUID)} is not supported`);
    if (!f.pixelSpacing || !(f.pixelSpacing[0] > 0 && f.pixelSpacing[1] > 0)) reasons.add('no Pixel Spacing (0028,0030): the physical voxel size is unknown');
    if (!f.position) reasons.add('no Image Position (Patient) (0020,0032): slice placement unknown');
    if (!f.orientation) reasons.add('no Image Orientation (Patient) (0020,0037): slice orientation unknown');
  }
  return [...reasons];
}

function round(x: number, d: number): string {
  return (Math.round(x * 10 ** d) / 10 ** d).toFixed(d);
}

/** Stack key: one volume needs one series, frame of reference, orientation, matrix, spacing and image type. */
function stackKey(h: FileHeader, f: FrameHeader): string {
  const iop = f.orientation ? f.orientation.map((x) => round(x, 3)).join(',') : '-';
  const ps = f.pixelSpacing ? f.pixelSpacing.map((x) => round(x, 4)).join(',') : '-';
  const type = h.imageType.slice(0, 3).map((t) => t.toUpperCase()).join('\\');
  return [h.seriesInstanceUID, h.frameOfReferenceUID, iop, `${h.columns}x${h.rows}`, ps, type, h.sopClassUID === SOP.ct ? 'ct' : h.sopClassUID].join('|');
}

function isCtVolumeSop(sop: string): boolean {
  return sop === SOP.ct || sop === SOP.enhancedCt || sop === SOP.legacyEnhancedCt;
}

function score(s: Omit<SeriesSummary, 'score'>): number {
  if (!s.loadable) return 0;
  let v = 1;
  if (s.modality === 'CT') v += 1e7;
  if (s.segmentable) v += 1e6;
  if (s.orientation === 'axial') v += 1e5;
  if ((s.imageType[0] ?? '').toUpperCase() === 'ORIGINAL') v += 2e4;
  if ((s.imageType[1] ?? '').toUpperCase() === 'PRIMARY') v += 1e4;
  v += Math.min(s.dims?.[2] ?? s.sliceCount, 2000) * 4;
  // Thinner slices are better down to 0.5 mm; below that only more memory.
  const sz = s.spacing?.[2] ?? 10;
  v += Math.round((10 - Math.min(Math.max(sz, 0.5), 10)) * 100);
  return v;
}

function summarize(id: string, frames: StackFrame[], codecs: CodecRegistry): { summary: SeriesSummary; plan?: StackPlan; planFrames: StackFrame[] } {
  const h = frames[0].header;
  const files = new Set(frames.map((f) => f.file));
  const tsSet = [...new Set(frames.map((f) => f.header.transferSyntaxUID))];
  const notes: string[] = [];
  const reasons = refusalReasons(frames, codecs);
  let plan: StackPlan | undefined;
  if (reasons.length === 0) {
    try {
      plan = planStack(
        frames.map((f): PlannerSlice => ({
          position: f.frame.position as Vec3,
          orientation: f.frame.orientation as PlannerSlice['orientation'],
          pixelSpacing: f.frame.pixelSpacing as [number, number],
          rows: f.header.rows,
          columns: f.header.columns,
          order: f.frame.order ?? f.header.instanceNumber ?? 0,
          preference: codecs.isLossy(f.header.transferSyntaxUID) ? 1 : 0,
          label: f.header.numberOfFrames > 1 ? `${f.header.name} frame ${f.frame.frame + 1}` : f.header.name,
          sliceThickness: f.frame.sliceThickness,
        })),
      );
      notes.push(...plan.notes);
    } catch (error) {
      reasons.push(error instanceof GeometryError ? `slices do not form one volume: ${error.message}` : reasonOf(error));
    }
  }
  const rescaleTypes = [...new Set(frames.map((f) => f.frame.rescaleType).filter((t): t is string => !!t))];
  const notHu = rescaleTypes.filter((t) => t.toUpperCase() !== 'HU');
  if (notHu.length) notes.push(`values are not Hounsfield units (Rescale Type ${notHu.join(', ')})`);
  const lossy = tsSet.filter((ts) => codecs.isLossy(ts));
  if (lossy.length) notes.push(`lossy compression (${lossy.map((ts) => codecs.describe(ts)).join(', ')}): voxel values differ slightly from the original`);
  if (reasons.length === 0 && !isCtVolumeSop(h.sopClassUID)) notes.push(`SOP class ${h.sopClassUID} is not a CT image storage class`);
  const thickness = frames.find((f) => f.frame.sliceThickness !== undefined)?.frame.sliceThickness;
  const loadable = reasons.length === 0 && plan !== undefined;
  const segmentable = loadable && h.modality === 'CT' && notHu.length === 0 && (plan?.grid.dims[2] ?? 0) >= 2;
  const partial: Omit<SeriesSummary, 'score'> = {
    id,
    seriesInstanceUID: h.seriesInstanceUID,
    description: h.seriesDescription,
    seriesNumber: h.seriesNumber,
    modality: h.modality,
    sopClassUID: h.sopClassUID,
    imageType: h.imageType,
    fileCount: files.size,
    sliceCount: frames.length,
    dims: plan ? [...plan.grid.dims] : undefined,
    spacing: plan ? [...plan.grid.spacing] : undefined,
    sliceThickness: thickness,
    orientation: plan?.orientation,
    tiltDegrees: plan ? Math.round(plan.tiltDegrees * 100) / 100 : undefined,
    convolutionKernel: h.convolutionKernel,
    bodyPart: h.bodyPartExamined,
    studyDescription: h.studyDescription,
    protocolName: h.protocolName,
    transferSyntaxes: tsSet,
    notes,
    loadable,
    refusal: loadable ? undefined : reasons.join('; '),
    segmentable,
  };
  return { summary: { ...partial, score: score(partial) }, plan, planFrames: frames };
}

/**
 * Parse every file's header and group the images into stacks. Files that are not images of a
 * volume (non-DICOM, SR, dose reports, localizers, segmentations, no pixel data) are skipped with a
 * reason. Never throws for bad input: each bad file becomes a SkippedFile.
 */
export function buildStacks(files: DicomInputFile[], codecs: CodecRegistry = defaultCodecRegistry()): { stacks: Stack[]; skipped: SkippedFile[] } {
  const skipped: SkippedFile[] = [];
  const groups = new Map<string, StackFrame[]>();
  files.forEach((file, index) => {
    let header: FileHeader;
    try {
      header = parseHeader(file).header;
    } catch (error) {
      skipped.push({ name: file.name, reason: stripName(file.name, reasonOf(error)) });
      return;
    }
    const reason = skipReason(header);
    if (reason) {
      skipped.push({ name: file.name, reason });
      return;
    }
    for (const frame of header.frames) {
      const key = stackKey(header, frame);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push({ file: index, header, frame });
    }
  });

  // Stable ids: per SeriesInstanceUID, the stack with most frames keeps the bare UID.
  const byUid = new Map<string, StackFrame[][]>();
  for (const frames of groups.values()) {
    const h = frames[0].header;
    // Anonymizers sometimes blank the UID: fall back to frame of reference and description.
    const uid = h.seriesInstanceUID || `no-series-uid:${h.frameOfReferenceUID || 'no-frame-of-reference'}:${h.seriesDescription}`;
    const list = byUid.get(uid) ?? [];
    list.push(frames);
    byUid.set(uid, list);
  }
  const stacks: Stack[] = [];
  for (const [uid, list] of byUid) {
    list.sort((a, b) => b.length - a.length || a[0].file - b[0].file);
    list.forEach((frames, i) => {
      const id = i === 0 ? uid : `${uid}#${i + 1}`;
      const { summary, plan, planFrames } = summarize(id, frames, codecs);
      if (!frames[0].header.seriesInstanceUID) summary.notes.unshift('no SeriesInstanceUID in the files: grouped by frame of reference and series description');
      if (list.length > 1) {
        summary.notes.unshift(`SeriesInstanceUID shared with ${list.length - 1} other stack${list.length > 2 ? 's' : ''} of different geometry or image type: split into separate volumes`);
      }
      stacks.push({ id, frames, summary, plan, planFrames });
    });
  }
  stacks.sort((a, b) => b.summary.score - a.summary.score || a.id.localeCompare(b.id));
  return { stacks, skipped };
}

function stripName(name: string, reason: string): string {
  return reason.startsWith(`${name}: `) ? reason.slice(name.length + 2) : reason;
}

/**
 * Scan files (headers only, fast: no pixel decoding) into series summaries and skipped files.
 * Series come sorted best first (see {@link pickBestSeries}).
 */
export function scanDicomFiles(files: DicomInputFile[], options: { codecs?: CodecRegistry } = {}): ScanResult {
  const { stacks, skipped } = buildStacks(files, options.codecs);
  return { series: stacks.map((s) => s.summary), skipped };
}

/**
 * The best series to segment: a loadable axial CT volume with the most slices and the thinnest
 * reasonable spacing, ORIGINAL before DERIVED. Undefined when no series is a segmentable CT volume.
 */
export function pickBestSeries(series: SeriesSummary[]): SeriesSummary | undefined {
  let best: SeriesSummary | undefined;
  for (const s of series) if (s.segmentable && (!best || s.score > best.score)) best = s;
  return best;
}
