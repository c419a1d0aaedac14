/**
 * Label map → DICOM Segmentation (BINARY, PS3.3 A.51): one segment per structure present, one frame
 * per slice where that structure has voxels, each frame placed in the source's frame of reference
 * and derived from the source image it was segmented on.
 *
 * The data set is built here as plain naturalized attributes, and dcmjs encodes it (Explicit VR
 * Little Endian). dcmjs's `derivations.Segmentation` is not used: it copies its attributes from a
 * normalized multi-frame of the whole source CT (patient age, series and equipment attributes…),
 * while a SEG HoloCT sends back to the hospital must copy nothing beyond the study's required patient
 * and study modules; it also assumes one source frame per SEG frame, which a resampled (tilted or
 * unevenly spaced) series does not have.
 */
import type { ClassInfo, ModelManifest } from '../segmentation/manifest';
import type { Grid, LabelMap } from '../volume/types';
import { ALGORITHM_FAMILY_AI, codesForClass } from './codes';
import { dcmjs, type NaturalDataset } from './dcmjs';
import type { SegSource } from './source';
import { newUid } from './uid';

export const SEG_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.4';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** HoloCT's implementation class UID (a fixed 2.25 UUID UID, PS3.7 D.3.3.2). */
const IMPLEMENTATION_CLASS_UID = '2.25.302407916418390152962178914045866370394';

/** The model that made the labels, as the SEG names it. */
export interface SegAlgorithm {
  /** e.g. the manifest's `name`. */
  name: string;
  /** e.g. the manifest's training date or version. */
  version: string;
}

/**
 * The algorithm of a model manifest: its name, and as version its `version` field when a manifest
 * has one, else the date training recorded (the shipped manifest has no version field yet).
 */
export function algorithmOf(manifest: Pick<ModelManifest, 'name' | 'training'> & { version?: unknown }): SegAlgorithm {
  const version = typeof manifest.version === 'string' ? manifest.version : typeof manifest.training?.date === 'string' ? `trained ${manifest.training.date}` : 'unversioned';
  return { name: manifest.name, version };
}

export interface WriteSegOptions {
  /** Classes of the label map (the manifest's): ids, names, labels, colours. */
  classes: readonly ClassInfo[];
  algorithm: SegAlgorithm;
  /** HoloCT's own version, written as SoftwareVersions. */
  softwareVersion: string;
  seriesDescription?: string;
  /**
   * The source series' Body Part Examined when it lies outside the model's scope (ScopeCheck): the SEG
   * says its labels are not reliable where a PACS reader sees it, in the series and content descriptions.
   */
  outOfScope?: string;
  /** Default 901 (a number unlikely to clash with the scanner's series numbers). */
  seriesNumber?: number;
  /** Creation time, default now. */
  now?: Date;
  /** UID generator, default {@link newUid}. */
  uid?: () => string;
}

export interface WrittenSeg {
  /** DICOM Part 10 bytes. */
  bytes: Uint8Array;
  seriesInstanceUID: string;
  sopInstanceUID: string;
  /** Segments written, in SegmentNumber order (1-based numbers). */
  segments: { segmentNumber: number; classId: number; name: string; label: string; frames: number }[];
}

export class SegWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SegWriteError';
  }
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const dicomDate = (d: Date) => `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`;
const dicomTime = (d: Date) => `${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}`;

/** DS values: at most 16 characters, as DICOM requires. */
function ds(x: number): number {
  const v = Number(x.toPrecision(10));
  return Object.is(v, -0) ? 0 : v;
}

/** The grids agree when dims match and spacing, origin and axes agree within 1e-3 (mm or cosine). */
export function sameGrid(a: Grid, b: Grid, tolerance = 1e-3): boolean {
  const close = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => Math.abs(v - y[i]) <= tolerance);
  return a.dims.every((d, i) => d === b.dims[i]) && close(a.spacing, b.spacing) && close(a.origin, b.origin) && close(a.direction, b.direction);
}

/** "#rrggbb" → DICOM CIELab (PS3.3 C.10.7.1.1: L*a*b* scaled to 0..65535), via dcmjs's colour code. */
export function cielabOf(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  const lab = dcmjs.data.Colors.rgb2DICOMLAB([((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255]);
  return lab.map((x) => Math.min(65535, Math.max(0, Math.round(x)))) as [number, number, number];
}

/**
 * Packs frames of 0/1 pixels into BINARY SEG pixel data: one bit per pixel, frames back to back
 * without padding between them, the first pixel in the least significant bit (PS3.5 8.1.1).
 */
export function packBinaryFrames(labels: Uint8Array, plane: number, frames: { slice: number; classId: number }[]): Uint8Array {
  const bits = frames.length * plane;
  const out = new Uint8Array(Math.ceil(bits / 8) + (Math.ceil(bits / 8) % 2)); // even length (PS3.5 7.1.1)
  let bit = 0;
  for (const { slice, classId } of frames) {
    const base = slice * plane;
    for (let p = 0; p < plane; p++, bit++) if (labels[base + p] === classId) out[bit >> 3] |= 1 << (bit & 7);
  }
  return out;
}

function sourceImageItem(ref: SegSource['sliceSources'][number][number]): NaturalDataset {
  return {
    ReferencedSOPClassUID: ref.sopClassUID,
    ReferencedSOPInstanceUID: ref.sopInstanceUID,
    ...(ref.frameNumber !== undefined ? { ReferencedFrameNumber: ref.frameNumber } : {}),
    PurposeOfReferenceCodeSequence: [{ CodeValue: '121322', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Source image for image processing operation' }],
  };
}

/**
 * Writes the SEG. `labels` must lie on `source.grid` (the CT's own grid, as the pipeline returns it);
 * throws {@link SegWriteError} when it does not, when no structure is present, or when a class has
 * no codes.
 */
export function writeSegmentation(labels: LabelMap, source: SegSource, options: WriteSegOptions): WrittenSeg {
  if (!sameGrid(labels, source.grid)) {
    throw new SegWriteError(`the label map's grid (${labels.dims.join('×')}) is not the source series' grid (${source.grid.dims.join('×')}): labels must be on the CT's own grid`);
  }
  const [cols, rows, slices] = labels.dims;
  const plane = cols * rows;
  const now = options.now ?? new Date();
  const uid = options.uid ?? (() => newUid());

  // Which slices each class occupies: one pass over the label map.
  const present = new Map<number, Set<number>>();
  for (let k = 0; k < slices; k++) {
    const base = k * plane;
    for (let p = 0; p < plane; p++) {
      const id = labels.data[base + p];
      if (id === 0) continue;
      let s = present.get(id);
      if (!s) present.set(id, (s = new Set()));
      s.add(k);
    }
  }
  const classById = new Map(options.classes.map((c) => [c.id, c]));
  for (const id of present.keys()) if (!classById.has(id)) throw new SegWriteError(`label ${id} is not a class of the model`);
  const written = options.classes.filter((c) => present.has(c.id));
  if (written.length === 0) throw new SegWriteError('the label map is empty: there is no structure to write into a DICOM SEG');

  const algorithmIdentification = [{
    AlgorithmFamilyCodeSequence: [ALGORITHM_FAMILY_AI],
    AlgorithmName: options.algorithm.name.slice(0, 64),
    AlgorithmVersion: options.algorithm.version.slice(0, 64),
  }];
  const segments: WrittenSeg['segments'] = [];
  const frames: { slice: number; classId: number; segmentNumber: number }[] = [];
  const segmentSequence = written.map((c, n): NaturalDataset => {
    const segmentNumber = n + 1;
    const codes = codesForClass(c.name);
    const sliceList = [...present.get(c.id)!].sort((a, b) => a - b);
    for (const slice of sliceList) frames.push({ slice, classId: c.id, segmentNumber });
    segments.push({ segmentNumber, classId: c.id, name: c.name, label: c.label, frames: sliceList.length });
    return {
      SegmentNumber: segmentNumber,
      SegmentLabel: c.label.slice(0, 64),
      SegmentDescription: c.name,
      SegmentAlgorithmType: 'AUTOMATIC',
      SegmentAlgorithmName: options.algorithm.name.slice(0, 64),
      SegmentationAlgorithmIdentificationSequence: algorithmIdentification,
      SegmentedPropertyCategoryCodeSequence: [codes.category],
      SegmentedPropertyTypeCodeSequence: [codes.type],
      RecommendedDisplayCIELabValue: cielabOf(c.color),
    };
  });

  const d = labels.direction;
  const originOf = (k: number) => [0, 1, 2].map((a) => ds(labels.origin[a] + k * labels.spacing[2] * d[6 + a]));
  const dimensionOrganizationUID = uid();
  const seriesInstanceUID = uid();
  const sopInstanceUID = uid();

  const perFrame = frames.map((f): NaturalDataset => ({
    DerivationImageSequence: [{
      SourceImageSequence: source.sliceSources[f.slice].map(sourceImageItem),
      DerivationCodeSequence: [{ CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' }],
    }],
    FrameContentSequence: [{ DimensionIndexValues: [f.segmentNumber, f.slice + 1] }],
    PlanePositionSequence: [{ ImagePositionPatient: originOf(f.slice) }],
    SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segmentNumber }],
  }));

  const dataset: NaturalDataset = {
    _vrMap: { PixelData: 'OB' },
    // SOP Common
    SpecificCharacterSet: 'ISO_IR 192', // dcmjs writes text as UTF-8
    SOPClassUID: SEG_SOP_CLASS_UID,
    SOPInstanceUID: sopInstanceUID,
    InstanceCreationDate: dicomDate(now),
    InstanceCreationTime: dicomTime(now),
    // Patient and General Study: the source study's, copied, and nothing else of the source's
    // identity (see STUDY_MODULE_KEYWORDS). Type 2 attributes the source lacks are sent empty.
    PatientName: source.studyModule.PatientName ?? '',
    PatientID: source.studyModule.PatientID ?? '',
    PatientBirthDate: source.studyModule.PatientBirthDate ?? '',
    PatientSex: source.studyModule.PatientSex ?? '',
    StudyInstanceUID: source.studyInstanceUID,
    StudyDate: source.studyModule.StudyDate ?? '',
    StudyTime: source.studyModule.StudyTime ?? '',
    ReferringPhysicianName: source.studyModule.ReferringPhysicianName ?? '',
    StudyID: source.studyModule.StudyID ?? '',
    AccessionNumber: source.studyModule.AccessionNumber ?? '',
    // General Series + Segmentation Series
    Modality: 'SEG',
    SeriesInstanceUID: seriesInstanceUID,
    SeriesNumber: options.seriesNumber ?? 901,
    SeriesDescription: (options.outOfScope !== undefined ? `NOT RELIABLE: ${options.outOfScope} outside HoloCT model scope` : options.seriesDescription ?? `HoloCT segmentation (${options.algorithm.name})`).slice(0, 64),
    SeriesDate: dicomDate(now),
    SeriesTime: dicomTime(now),
    // Frame of Reference: the source's, so the SEG lies on the CT in any viewer.
    FrameOfReferenceUID: source.frameOfReferenceUID,
    PositionReferenceIndicator: '',
    // General and Enhanced General Equipment (HoloCT is software: no serial number exists, but the
    // Enhanced module makes DeviceSerialNumber Type 1, so it says so).
    Manufacturer: 'HoloCT',
    ManufacturerModelName: 'HoloCT',
    DeviceSerialNumber: 'SOFTWARE',
    SoftwareVersions: options.softwareVersion,
    // General Image + Segmentation Image
    InstanceNumber: 1,
    ContentDate: dicomDate(now),
    ContentTime: dicomTime(now),
    ImageType: ['DERIVED', 'PRIMARY'],
    ContentLabel: 'HOLOCT',
    ContentDescription: (options.outOfScope !== undefined ? `NOT RELIABLE: ${options.outOfScope} is outside the model's scope` : 'Automatic segmentation by HoloCT').slice(0, 64),
    ContentCreatorName: 'HoloCT',
    SegmentationType: 'BINARY',
    SegmentSequence: segmentSequence,
    LossyImageCompression: '00',
    // Image Pixel
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: cols,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    // Multi-frame Functional Groups + Dimensions
    NumberOfFrames: frames.length,
    SharedFunctionalGroupsSequence: [{
      PlaneOrientationSequence: [{ ImageOrientationPatient: [d[0], d[1], d[2], d[3], d[4], d[5]].map(ds) }],
      PixelMeasuresSequence: [{
        PixelSpacing: [ds(labels.spacing[1]), ds(labels.spacing[0])],
        SliceThickness: ds(labels.spacing[2]),
        SpacingBetweenSlices: ds(labels.spacing[2]),
      }],
    }],
    PerFrameFunctionalGroupsSequence: perFrame,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUID }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: dimensionOrganizationUID,
        DimensionIndexPointer: 0x0062000b, // ReferencedSegmentNumber
        FunctionalGroupPointer: 0x0062000a, // SegmentIdentificationSequence
        DimensionDescriptionLabel: 'ReferencedSegmentNumber',
      },
      {
        DimensionOrganizationUID: dimensionOrganizationUID,
        DimensionIndexPointer: 0x00200032, // ImagePositionPatient
        FunctionalGroupPointer: 0x00209113, // PlanePositionSequence
        DimensionDescriptionLabel: 'ImagePositionPatient',
      },
    ],
    // Common Instance Reference: the source series of the same study.
    ReferencedSeriesSequence: [{
      SeriesInstanceUID: source.seriesInstanceUID,
      ReferencedInstanceSequence: source.instances.map((i) => ({ ReferencedSOPClassUID: i.sopClassUID, ReferencedSOPInstanceUID: i.sopInstanceUID })),
    }],
    PixelData: packBinaryFrames(labels.data, plane, frames).buffer,
  };

  const meta: NaturalDataset = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SEG_SOP_CLASS_UID,
    MediaStorageSOPInstanceUID: sopInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: `HOLOCT_${options.softwareVersion}`.slice(0, 16),
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  let bytes: Uint8Array;
  try {
    const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
    bytes = new Uint8Array(dict.write());
  } catch (error) {
    throw new SegWriteError(`dcmjs could not encode the DICOM SEG: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { bytes, seriesInstanceUID, sopInstanceUID, segments };
}
