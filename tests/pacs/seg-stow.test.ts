import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
  const storedSeriesUIDs: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'holoct-stow-'));

  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    const rest = inject('orthancRest');
    for (const uid of storedSeriesUIDs) {
      const found = (await (await fetch(`${rest}/tools/lookup`, { method: 'POST', body: uid })).json()) as Array<{ ID: string; Type: string }>;
      for (const { ID, Type } of found) if (Type === 'Series') await fetch(`${rest}/series/${ID}`, { method: 'DELETE' });
    }
    expect((await searchSeries(orthanc, SAMPLE.studyInstanceUID)).map((s) => s.modality)).toEqual(['CT']);
  });

  async function sampleSeg() {
    const files = await retrieveSeries(proxy, { studyInstanceUID: SAMPLE.studyInstanceUID, seriesInstanceUID: SAMPLE.seriesInstanceUID });
    const input = await loadInput(files);
    const v = input.volume;
    const data = new Uint8Array(v.data.length);
    for (let i = 0; i < data.length; i++) if (v.data[i] > 250) data[i] = 1; // bone by HU: a real structure, fast
    for (let k = 5; k < 12; k++) for (let j = 220; j < 300; j++) for (let i = 120; i < 200; i++) data[i + j * 512 + k * 512 * 512] = 4;
    const seg = writeSegmentation({ ...v, data }, readSegSource(files, input.series!.id), { classes: manifest.classes, algorithm: algorithmOf(manifest), softwareVersion: 'test' });
    return { seg, volume: v, data };
  }

  it('stores the SEG in the study it came from and finds it there by QIDO-RS', async () => {
    const { seg, volume: v, data } = await sampleSeg();
    const result = await storeInstances(proxy, SAMPLE.studyInstanceUID, [seg.bytes]);
    storedSeriesUIDs.push(seg.seriesInstanceUID);
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

  it('holoct stow stores a seg.dcm in its study', async () => {
    const { seg } = await sampleSeg();
    const path = join(work, 'seg.dcm');
    writeFileSync(path, seg.bytes);
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/holoct.mjs', 'stow', path, '--pacs', inject('orthancDicomWeb')]);
    storedSeriesUIDs.push(seg.seriesInstanceUID);
    expect(stdout).toBe(`seg.dcm: SEG ${seg.sopInstanceUID} stored in study ${SAMPLE.studyInstanceUID}\n`);
    const series = await searchSeries(orthanc, SAMPLE.studyInstanceUID);
    expect(series.filter((s) => s.modality === 'SEG').map((s) => s.seriesInstanceUID)).toContain(seg.seriesInstanceUID);
  });
});
