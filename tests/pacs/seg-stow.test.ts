import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { algorithmOf, readSegmentation, readSegSource, segmentsToClasses, writeSegmentation } from '../../src/dicom-seg/index';
import { listInstances, retrieveSeries, searchSeries, storeInstances, type PacsConnection } from '../../src/pacs/index';
import { loadInput } from '../../src/pipeline/input';
import { parseManifest } from '../../src/segmentation/manifest';
import { SAMPLE } from './fixture';

/**
 * Issue 10 §2 "Back to the PACS": a SEG of the sample study, made from the series as the app
 * retrieves it, goes back through the app server's /dicomweb proxy by STOW-RS and is found by
 * QIDO-RS under the same study (Modality SEG), and WADO-RS gives it back unchanged. The SEG is
 * deleted from the test Orthanc afterwards, so the other PACS tests see the study as it was.
 */
describe('DICOM SEG back to the PACS (STOW-RS through the app proxy)', () => {
  const orthanc: PacsConnection = { baseUrl: inject('orthancDicomWeb') };
  const proxy: PacsConnection = { baseUrl: `${inject('pacsAppUrl')}/dicomweb` };
  const manifest = parseManifest(JSON.parse(readFileSync('models/holoct-seg.json', 'utf8')), 'models/holoct-seg.json');
  let storedSeriesUID = '';

  afterAll(async () => {
    if (!storedSeriesUID) return;
    const rest = inject('orthancRest');
    const found = (await (await fetch(`${rest}/tools/lookup`, { method: 'POST', body: storedSeriesUID })).json()) as Array<{ ID: string; Type: string }>;
    for (const { ID, Type } of found) if (Type === 'Series') await fetch(`${rest}/series/${ID}`, { method: 'DELETE' });
    expect((await searchSeries(orthanc, SAMPLE.studyInstanceUID)).map((s) => s.modality)).toEqual(['CT']);
  });

  it('stores the SEG in the study it came from and finds it there by QIDO-RS', async () => {
    const study = { studyInstanceUID: SAMPLE.studyInstanceUID, seriesInstanceUID: SAMPLE.seriesInstanceUID };
    const files = await retrieveSeries(proxy, study);
    const input = await loadInput(files);
    const v = input.volume;
    const data = new Uint8Array(v.data.length);
    for (let i = 0; i < data.length; i++) if (v.data[i] > 250) data[i] = 1; // bone by HU: a real structure, fast
    for (let k = 5; k < 12; k++) for (let j = 220; j < 300; j++) for (let i = 120; i < 200; i++) data[i + j * 512 + k * 512 * 512] = 4;
    const labels = { ...v, data };
    const seg = writeSegmentation(labels, readSegSource(files, input.series!.id), { classes: manifest.classes, algorithm: algorithmOf(manifest), softwareVersion: 'test' });

    const result = await storeInstances(proxy, SAMPLE.studyInstanceUID, [seg.bytes]);
    storedSeriesUID = seg.seriesInstanceUID;
    expect(result.failed).toEqual([]);
    expect(result.stored).toEqual([seg.sopInstanceUID]);

    const series = await searchSeries(orthanc, SAMPLE.studyInstanceUID);
    const segSeries = series.filter((s) => s.modality === 'SEG');
    expect(segSeries.map((s) => s.seriesInstanceUID)).toEqual([seg.seriesInstanceUID]);
    expect(series.find((s) => s.seriesInstanceUID === SAMPLE.seriesInstanceUID)?.modality).toBe('CT');
    const instances = await listInstances(orthanc, { studyInstanceUID: SAMPLE.studyInstanceUID, seriesInstanceUID: seg.seriesInstanceUID });
    expect(instances.map((i) => i.sopInstanceUID)).toEqual([seg.sopInstanceUID]);

    // WADO-RS returns what was stored, and it reads back to the same labels.
    const [back] = await retrieveSeries(orthanc, { studyInstanceUID: SAMPLE.studyInstanceUID, seriesInstanceUID: seg.seriesInstanceUID });
    const read = segmentsToClasses(readSegmentation(back.bytes, v, 'retrieved SEG'), manifest.classes);
    expect(Buffer.from(read.labels.data).equals(Buffer.from(data))).toBe(true);
  });
});
