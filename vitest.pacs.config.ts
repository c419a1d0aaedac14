import { defineConfig } from 'vitest/config';

// PACS tests (`npm run test:pacs`): a real Orthanc with the DICOMweb plugin (Debian `orthanc` +
// `orthanc-dicomweb`) started on loopback and filled with the sample series, the app built and served
// with its /dicomweb proxy pointing at it, then Node tests of src/pacs and a browser test of the app.
export default defineConfig({
  test: {
    include: ['tests/pacs/**/*.test.ts'],
    environment: 'node',
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    globalSetup: ['tests/pacs/orthanc-setup.ts', 'tests/pacs/app-setup.ts'],
  },
});
