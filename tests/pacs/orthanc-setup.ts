import { readFileSync } from 'node:fs';
import { CHROMIUM, ORTHANC, ORTHANC_DICOMWEB, requirePrograms } from '../prereqs';
import { sampleForPacs, SECOND_STUDY_FILE } from './fixture';
import { startOrthanc } from './orthanc';

/**
 * Vitest globalSetup of `npm run test:pacs`: a throw-away Orthanc on loopback filled with the test
 * PACS content (tests/pacs/fixture.ts), stopped (and its storage deleted) afterwards. Its DICOMweb
 * root goes to the tests (`inject('orthancDicomWeb')`) and, as HOLOCT_PACS_URL, to the app server
 * that tests/pacs/app-setup.ts starts next.
 */
export default async function setup({ provide }: { provide: (key: string, value: unknown) => void }) {
  requirePrograms([ORTHANC, ORTHANC_DICOMWEB, CHROMIUM]);
  const orthanc = await startOrthanc();
  try {
    for (const file of sampleForPacs()) await orthanc.upload(file.bytes, file.name);
    await orthanc.upload(new Uint8Array(readFileSync(SECOND_STUDY_FILE)), SECOND_STUDY_FILE);
  } catch (error) {
    await orthanc.stop();
    throw error;
  }
  provide('orthancDicomWeb', orthanc.dicomWebUrl);
  provide('orthancRest', orthanc.restUrl);
  process.env.HOLOCT_PACS_URL = orthanc.dicomWebUrl;
  return () => orthanc.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    orthancDicomWeb: string;
    orthancRest: string;
  }
}
