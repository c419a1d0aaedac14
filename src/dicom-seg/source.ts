/**
 * What a DICOM Segmentation needs to know about the series it segments: the study it belongs to,
 * the frame of reference, the voxel grid HoloCT built from it, and which source image each slice of
 * that grid came from. Read from the same files and the same stacking plan as `loadSeriesVolume`,
 * so the grid is exactly the grid of the label map.
 */
import type { CodecRegistry } from '../dicom/codecs/registry';
import { buildStacks } from '../dicom/series';
import type { DicomInputFile } from '../dicom/types';
import type { Grid } from '../volume/types';
import { dcmjs, exactBuffer, type NaturalDataset } from './dcmjs';

/** One source image (a classic single-frame instance, or one frame of a multi-frame instance). */
export interface SourceImageRef {
  sopClassUID: string;
  sopInstanceUID: string;
  /** 1-based frame number inside a multi-frame instance; absent for single-frame instances. */
  frameNumber?: number;
}

/**
 * The Patient and General Study module values a SEG of this study must repeat (PS3.3 A.51: a SEG is
 * an instance of the same study, so it carries that study's patient and study identification).
 * Only the attributes of Type 1 and 2 in those two modules, copied as the source holds them.
 */
export const STUDY_MODULE_KEYWORDS = [
  // Patient module (C.7.1.1), Type 2.
  'PatientName',
  'PatientID',
  'PatientBirthDate',
  'PatientSex',
  // General Study module (C.7.2.1): StudyInstanceUID Type 1, the rest Type 2.
  'StudyInstanceUID',
  'StudyDate',
  'StudyTime',
  'ReferringPhysicianName',
  'StudyID',
  'AccessionNumber',
] as const;

export type StudyModule = Partial<Record<(typeof STUDY_MODULE_KEYWORDS)[number], unknown>>;

export interface SegSource {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  frameOfReferenceUID: string;
  /** The grid of the volume `loadSeriesVolume` returns for this series (= the label map's grid). */
  grid: Grid;
  /** Per grid slice k: the source image(s) it was made from (two where slices were interpolated). */
  sliceSources: SourceImageRef[][];
  /** Every distinct source instance of the series that contributes a slice. */
  instances: { sopClassUID: string; sopInstanceUID: string }[];
  /**
   * The patient and study module of the source (see {@link STUDY_MODULE_KEYWORDS}), as dcmjs
   * naturalizes it. Patient identity: only for the SEG that goes back to the same study's PACS.
   */
  studyModule: StudyModule;
}

export class SegSourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SegSourceError';
  }
}

/** The study module of one source file, read with dcmjs (it decodes the character set to UTF-8). */
function readStudyModule(file: DicomInputFile): StudyModule {
  let natural: NaturalDataset;
  try {
    const dict = dcmjs.data.DicomMessage.readFile(exactBuffer(file.bytes), { untilTag: '7FE00010', includeUntilTagValue: false, ignoreErrors: true });
    natural = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  } catch (error) {
    throw new SegSourceError(`${file.name}: cannot read the patient and study attributes (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const module: StudyModule = {};
  for (const keyword of STUDY_MODULE_KEYWORDS) if (natural[keyword] !== undefined) module[keyword] = natural[keyword];
  return module;
}

/**
 * The SEG source of one series among `files` (a {@link SeriesSummary.id} or SeriesInstanceUID, as
 * for `loadSeriesVolume`). Throws {@link SegSourceError} when the series is not there, cannot form a
 * volume, or lacks the UIDs a SEG must reference.
 */
export function readSegSource(files: DicomInputFile[], seriesId: string, options: { codecs?: CodecRegistry } = {}): SegSource {
  const { stacks } = buildStacks(files, options.codecs);
  const stack = stacks.find((s) => s.id === seriesId) ?? stacks.filter((s) => s.summary.seriesInstanceUID === seriesId).sort((a, b) => b.summary.score - a.summary.score)[0];
  if (!stack) throw new SegSourceError(`series ${seriesId}: not found among the ${files.length} files given`);
  if (!stack.plan) throw new SegSourceError(`series ${seriesId}: ${stack.summary.refusal ?? 'cannot be loaded as a volume'}`);
  const plan = stack.plan;
  const kept = plan.order.map((i) => stack.planFrames[i]);
  const first = kept[0].header;
  const studyModule = readStudyModule(files[kept[0].file]);
  const studyInstanceUID = typeof studyModule.StudyInstanceUID === 'string' ? studyModule.StudyInstanceUID.trim() : '';

  const missing: string[] = [];
  if (!studyInstanceUID) missing.push('StudyInstanceUID');
  if (!first.seriesInstanceUID) missing.push('SeriesInstanceUID');
  if (!first.frameOfReferenceUID) missing.push('FrameOfReferenceUID');
  if (kept.some((f) => !f.header.sopInstanceUID || !f.header.sopClassUID)) missing.push('SOPInstanceUID/SOPClassUID of every image');
  if (missing.length) {
    throw new SegSourceError(`series ${seriesId}: the files have no ${missing.join(', ')}; a DICOM SEG must reference its source study, series and images by UID (was the series anonymized without new UIDs?)`);
  }

  const refOf = (k: number): SourceImageRef => {
    const { header, frame } = kept[k];
    return {
      sopClassUID: header.sopClassUID,
      sopInstanceUID: header.sopInstanceUID,
      ...(header.numberOfFrames > 1 ? { frameNumber: frame.frame + 1 } : {}),
    };
  };
  const sliceSources = plan.recipes.map((r) => (r.weight > 0 ? [refOf(r.source), refOf(r.source + 1)] : [refOf(r.source)]));
  const instances = new Map<string, { sopClassUID: string; sopInstanceUID: string }>();
  for (const refs of sliceSources) for (const r of refs) instances.set(r.sopInstanceUID, { sopClassUID: r.sopClassUID, sopInstanceUID: r.sopInstanceUID });

  return {
    studyInstanceUID,
    seriesInstanceUID: first.seriesInstanceUID,
    frameOfReferenceUID: first.frameOfReferenceUID,
    grid: { dims: [...plan.grid.dims], spacing: [...plan.grid.spacing], origin: [...plan.grid.origin], direction: [...plan.grid.direction] },
    sliceSources,
    instances: [...instances.values()],
    studyModule,
  };
}

/** A person name as dcmjs naturalizes it ([{ Alphabetic }] or a string) → "Family, Given". */
function personName(value: unknown): string {
  const first = Array.isArray(value) ? value[0] : value;
  const text = typeof first === 'string' ? first : first && typeof first === 'object' ? String((first as { Alphabetic?: unknown }).Alphabetic ?? '') : '';
  return text.split('^').filter(Boolean).join(', ');
}

const MODULE_LABELS: Record<(typeof STUDY_MODULE_KEYWORDS)[number], string> = {
  PatientName: 'Patient name',
  PatientID: 'Patient ID',
  PatientBirthDate: 'Birth date',
  PatientSex: 'Sex',
  StudyInstanceUID: 'Study UID',
  StudyDate: 'Study date',
  StudyTime: 'Study time',
  ReferringPhysicianName: 'Referring physician',
  StudyID: 'Study ID',
  AccessionNumber: 'Accession number',
};

/**
 * The copied patient and study module as [label, value] lines, for the user to read before the SEG
 * is sent (LOCAL DISPLAY: it holds the patient's identity). Empty values are listed as "(empty)".
 */
export function describeStudyModule(module: StudyModule): Array<[string, string]> {
  return STUDY_MODULE_KEYWORDS.map((k) => {
    const v = module[k];
    const text = k === 'PatientName' || k === 'ReferringPhysicianName' ? personName(v) : Array.isArray(v) ? v.join('\\') : v === undefined || v === null ? '' : String(v);
    return [MODULE_LABELS[k], text || '(empty)'];
  });
}
