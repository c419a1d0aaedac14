/**
 * What the test PACS holds: two studies of two patients.
 *
 * 1. The 20-slice JPEG 2000 sample series (../shared/data/totalseg/dicom). It is anonymized with
 *    empty UIDs and patient fields, which Orthanc refuses ("missing StudyInstanceUID…"), so a temp
 *    copy gets a test patient, study, series and SOP instance UIDs spliced into the header; pixel
 *    data stays byte for byte the same.
 * 2. One conformance file, transfer-syntaxes/CTImage.dcm (patient MISTER^CT), as it is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DicomInputFile } from '../../src/dicom/types';
import { dicomParser } from '../../src/dicom/header';
import { setStringElements } from './dicom-patch';

export const SAMPLE_DIR = '../shared/data/totalseg/dicom';
export const SECOND_STUDY_FILE = '../shared/data/dicom-conformance/transfer-syntaxes/CTImage.dcm';

export const SAMPLE = {
  patientName: 'HOLOCT^PACS TEST',
  patientId: 'HOLOCT-PACS-0001',
  accessionNumber: 'HCTACC0001',
  studyDate: '20221208',
  studyInstanceUID: '2.25.1802948317263648712940193847561209384',
  seriesInstanceUID: '2.25.1802948317263648712940193847561209385',
  seriesDescription: 'CT Body 3.0',
  instances: 20,
} as const;

export const SECOND = {
  patientName: 'MISTER^CT',
  patientId: '2178309',
  studyInstanceUID: '1.2.840.113619.2.30.1.1762295590.1623.978668949.886',
} as const;

export function readFolder(dir: string): DicomInputFile[] {
  return readdirSync(dir).sort().map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
}

/** The sample series with the test identity (see above), in file-name order. */
export function sampleForPacs(): DicomInputFile[] {
  return readFolder(SAMPLE_DIR).map((file) => {
    const meta = dicomParser.parseDicom(file.bytes, { untilTag: 'x00020010' });
    const sopInstanceUID = meta.string('x00020003');
    const sopClassUID = meta.string('x00020002');
    if (!sopInstanceUID || !sopClassUID) throw new Error(`${file.name}: no MediaStorageSOPInstanceUID / SOPClassUID in the meta header`);
    const bytes = setStringElements(file.bytes, {
      x00080016: sopClassUID,
      x00080018: sopInstanceUID,
      x00080050: SAMPLE.accessionNumber,
      x00100010: SAMPLE.patientName,
      x00100020: SAMPLE.patientId,
      x0020000d: SAMPLE.studyInstanceUID,
      x0020000e: SAMPLE.seriesInstanceUID,
    }, file.name);
    return { name: file.name, bytes };
  });
}
