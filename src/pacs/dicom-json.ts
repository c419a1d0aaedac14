/**
 * Readers for the DICOM JSON model (PS3.18 F.2) that QIDO-RS answers with: `{ "0020000D": { vr, Value } }`.
 */

export type DicomJsonDataset = Record<string, { vr?: string; Value?: unknown[] } | undefined>;

export const TAG = {
  studyDate: '00080020',
  accessionNumber: '00080050',
  modality: '00080060',
  modalitiesInStudy: '00080061',
  studyDescription: '00081030',
  seriesDescription: '0008103E',
  patientName: '00100010',
  patientId: '00100020',
  studyInstanceUID: '0020000D',
  seriesInstanceUID: '0020000E',
  seriesNumber: '00200011',
  instanceNumber: '00200013',
  sopInstanceUID: '00080018',
  numberOfStudyRelatedSeries: '00201206',
  numberOfStudyRelatedInstances: '00201208',
  numberOfSeriesRelatedInstances: '00201209',
} as const;

function values(dataset: DicomJsonDataset, tag: string): unknown[] {
  // Keys are upper-case hex in the standard; some servers send lower case.
  return dataset[tag]?.Value ?? dataset[tag.toLowerCase()]?.Value ?? [];
}

/** First value as a string ('' → undefined). A person name gives its Alphabetic form. */
export function stringOf(dataset: DicomJsonDataset, tag: string): string | undefined {
  const v = values(dataset, tag)[0];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const alphabetic = (v as { Alphabetic?: unknown }).Alphabetic;
    return typeof alphabetic === 'string' && alphabetic.trim() ? alphabetic.trim() : undefined;
  }
  const s = String(v).trim();
  return s ? s : undefined;
}

export function stringsOf(dataset: DicomJsonDataset, tag: string): string[] {
  return values(dataset, tag).map((v) => String(v).trim()).filter(Boolean);
}

export function numberOf(dataset: DicomJsonDataset, tag: string): number | undefined {
  const v = values(dataset, tag)[0];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
