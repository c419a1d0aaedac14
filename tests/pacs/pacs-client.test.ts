import { beforeAll, describe, expect, inject, it } from 'vitest';
import { voxelSha256 } from '../../src/dicom/index';
import { PacsError, retrieveSeries, searchSeries, searchStudies, searchStudiesByText, type PacsConnection } from '../../src/pacs/index';
import { loadInput } from '../../src/pipeline/input';
import { readFolder, sampleForPacs, SAMPLE, SAMPLE_DIR, SECOND } from './fixture';
import { freePort } from './orthanc';

/** src/pacs against the live test Orthanc (tests/pacs/orthanc-setup.ts), directly and through the app's proxy. */
describe('PACS client against a live Orthanc', () => {
  let orthanc: PacsConnection;
  const sampleSeries = { studyInstanceUID: SAMPLE.studyInstanceUID, seriesInstanceUID: SAMPLE.seriesInstanceUID };

  beforeAll(() => {
    orthanc = { baseUrl: inject('orthancDicomWeb') };
  });

  it('lists both studies for an empty search, and finds the sample study by patient name, ID, accession and date', async () => {
    const all = await searchStudiesByText(orthanc, '');
    expect(all.map((s) => s.studyInstanceUID).sort()).toEqual([SAMPLE.studyInstanceUID, SECOND.studyInstanceUID].sort());

    for (const text of ['pacs test', 'holoct', SAMPLE.patientId, SAMPLE.accessionNumber, '2022-12-08', '20221201-20221231']) {
      const found = await searchStudiesByText(orthanc, text);
      expect(found.map((s) => s.studyInstanceUID), text).toEqual([SAMPLE.studyInstanceUID]);
    }
    const [study] = await searchStudies(orthanc, { patientName: 'HOLOCT*' });
    expect(study).toMatchObject({
      studyInstanceUID: SAMPLE.studyInstanceUID,
      patientName: SAMPLE.patientName,
      patientId: SAMPLE.patientId,
      studyDate: SAMPLE.studyDate,
      accessionNumber: SAMPLE.accessionNumber,
      modalities: ['CT'],
      seriesCount: 1,
      instanceCount: SAMPLE.instances,
    });
    const other = await searchStudiesByText(orthanc, 'mister');
    expect(other.map((s) => [s.patientName, s.patientId])).toEqual([[SECOND.patientName, SECOND.patientId]]);
    expect(await searchStudiesByText(orthanc, 'nobody by this name')).toEqual([]);
  });

  it('lists the series of the sample study', async () => {
    const series = await searchSeries(orthanc, SAMPLE.studyInstanceUID);
    expect(series).toEqual([{ ...sampleSeries, modality: 'CT', description: SAMPLE.seriesDescription, seriesNumber: undefined, instanceCount: SAMPLE.instances }]);
  });

  it('retrieves all 20 instances byte for byte, and loadInput gives exactly the volume of the folder', async () => {
    const progress: Array<[number, number]> = [];
    const files = await retrieveSeries(orthanc, sampleSeries, { onProgress: (done, total) => progress.push([done, total]) });
    expect(files).toHaveLength(SAMPLE.instances);
    expect(progress[0]).toEqual([0, 20]);
    expect(progress.at(-1)).toEqual([20, 20]);
    expect(progress.map(([d]) => d)).toEqual(Array.from({ length: 21 }, (_, i) => i));

    // The PACS returns the stored files unchanged (transfer-syntax=*: still JPEG 2000, no transcoding).
    const uploaded = new Map(sampleForPacs().map((f) => [Buffer.from(f.bytes).toString('base64'), f.name]));
    for (const file of files) expect(uploaded.has(Buffer.from(file.bytes).toString('base64')), file.name).toBe(true);

    const fromPacs = await loadInput(files);
    const fromFolder = await loadInput(readFolder(SAMPLE_DIR));
    expect(fromPacs.volume.dims).toEqual([512, 512, 20]);
    expect(voxelSha256(fromPacs.volume)).toBe(voxelSha256(fromFolder.volume));
    expect(fromPacs.volume.spacing).toEqual(fromFolder.volume.spacing);
    expect(fromPacs.volume.origin).toEqual(fromFolder.volume.origin);
    expect(fromPacs.volume.direction).toEqual(fromFolder.volume.direction);
    expect(fromPacs.series?.transferSyntaxes).toEqual(['1.2.840.10008.1.2.4.90']);
    // the identity is there for the local case line only
    expect(fromPacs.patient).toEqual({ name: SAMPLE.patientName, id: SAMPLE.patientId });
  });

  it('cancels a retrieval: rejects with the abort reason and asks for no more instances', async () => {
    const controller = new AbortController();
    let requests = 0;
    const counting: PacsConnection = {
      baseUrl: orthanc.baseUrl,
      fetch: (input, init) => {
        if (/\/instances\/[\d.]+$/.test(String(input))) requests++;
        return fetch(input, init);
      },
    };
    const result = retrieveSeries(counting, sampleSeries, {
      signal: controller.signal,
      concurrency: 2,
      onProgress: (done) => { if (done === 5) controller.abort(new DOMException('cancelled by the test', 'AbortError')); },
    });
    await expect(result).rejects.toMatchObject({ name: 'AbortError', message: 'cancelled by the test' });
    expect(requests).toBeGreaterThanOrEqual(5);
    expect(requests).toBeLessThanOrEqual(7);
  });

  it('gives a clear error for a wrong server URL', async () => {
    const port = await freePort();
    await expect(searchStudiesByText({ baseUrl: `http://127.0.0.1:${port}/dicom-web` }, 'x')).rejects.toThrow(
      new RegExp(`cannot reach the DICOMweb server at http://127\\.0\\.0\\.1:${port}/dicom-web \\(the study search\\): .*ECONNREFUSED`));
    const wrongPath = `${inject('orthancRest')}/not-dicom-web`;
    const error = await searchStudies({ baseUrl: wrongPath }, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PacsError);
    expect((error as PacsError).message).toMatch(/answered HTTP 404 Not Found to the study search — check the DICOMweb root URL/);
    await expect(retrieveSeries(orthanc, { studyInstanceUID: SAMPLE.studyInstanceUID, seriesInstanceUID: '1.2.3.4' })).rejects.toThrow(
      /series 1\.2\.3\.4 has no instances/);
  });

  it('reaches Orthanc through the app server\'s /dicomweb proxy (HOLOCT_PACS_URL)', async () => {
    const proxied: PacsConnection = { baseUrl: `${inject('pacsAppUrl')}/dicomweb` };
    const [study] = await searchStudiesByText(proxied, SAMPLE.patientId);
    expect(study.studyInstanceUID).toBe(SAMPLE.studyInstanceUID);
    const files = await retrieveSeries(proxied, sampleSeries);
    expect(voxelSha256((await loadInput(files)).volume)).toBe(voxelSha256((await loadInput(readFolder(SAMPLE_DIR))).volume));
    // only /dicomweb and below is proxied: a look-alike path stays with the app server
    await expect(searchStudies({ baseUrl: `${inject('pacsAppUrl')}/dicomweb-not` }, {})).rejects.toThrow(/dicomweb-not answered HTTP 404 Not Found/);
  });
});
