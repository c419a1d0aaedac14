/**
 * Fuzz: damaged copies of real files (truncated, bytes flipped, random bytes spliced in) must either
 * load or fail with a DicomImportError naming the file: never another exception, a crash or a hang.
 * Seeded, so a failure reproduces; a few hundred cases.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DicomImportError, loadSeriesVolume, scanDicomFiles, type DicomInputFile } from '../../src/dicom/index';
import { makeSyntheticCtSeries } from '../fixtures/synthetic-dicom';
import { seededRandom } from '../fixtures/synthetic-labels';
import { CONFORMANCE, readOne, TS_DIR } from './dicom-helpers';

const SAMPLES: DicomInputFile[] = [
  ...[
    'CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm',
    'CTImage.dcm_BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2.dcm',
    'CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm',
    'CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm',
    'CTImage.dcm_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm',
    'CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm',
    'CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm',
    'CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm',
    'CTImage.dcm_JPEGProcess2_4TransferSyntax_1.2.840.10008.1.2.4.51.dcm',
    'CTImage.dcm_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm',
    'no-pixel-data.dcm',
  ].map((n) => readOne(join(TS_DIR, n))),
  readOne(join(CONFORMANCE, 'enhanced-ct/CT0012.fragmented_no_bot_jpeg_baseline.51.dcm')),
  readOne(join(CONFORMANCE, 'dcmqi-3slice/segmentations/23x38x3/image/IMG0001.dcm')),
  readOne(join(CONFORMANCE, 'dcmqi-3slice/segmentations/23x38x3/multiframe/mf.dcm')),
  ...makeSyntheticCtSeries([24, 20, 2], [2, 2, 2], { transferSyntax: 'rle' }),
  // Plain Uint8Array copies: a Node Buffer's slice() is a view, and mutations must not add up.
].map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) }));

type Mutation = { kind: string; bytes: Uint8Array };

function mutate(src: Uint8Array, random: () => number): Mutation {
  const at = (limit = src.length) => Math.floor(random() * limit);
  // Header bytes matter most: aim half of the damage at the first 4 KiB.
  const where = () => (random() < 0.5 ? at(Math.min(4096, src.length)) : at());
  const choice = at(4);
  if (choice === 0) return { kind: 'truncate', bytes: src.slice(0, at()) };
  if (choice === 1) {
    const out = src.slice();
    const n = 1 + at(20);
    for (let i = 0; i < n; i++) out[where()] ^= 1 << at(8);
    return { kind: `flip ${n}`, bytes: out };
  }
  if (choice === 2) {
    const pos = where();
    const junk = new Uint8Array(1 + at(64)).map(() => at(256));
    const out = new Uint8Array(src.length + junk.length);
    out.set(src.subarray(0, pos));
    out.set(junk, pos);
    out.set(src.subarray(pos), pos + junk.length);
    return { kind: `splice ${junk.length}`, bytes: out };
  }
  const out = src.slice();
  const pos = where();
  const len = Math.min(out.length - pos, 1 + at(256));
  for (let i = 0; i < len; i++) out[pos + i] = at(256);
  return { kind: `overwrite ${len}`, bytes: out };
}

describe('fuzz: damaged files load or fail with DicomImportError', () => {
  it('300 seeded mutations', async () => {
    const random = seededRandom(20240611);
    const outcomes = { loaded: 0, refused: 0, skipped: 0 };
    for (let c = 0; c < 300; c++) {
      const sample = SAMPLES[c % SAMPLES.length];
      const m = mutate(sample.bytes, random);
      const file: DicomInputFile = { name: `fuzz-${c}-${sample.name}`, bytes: m.bytes };
      const label = `case ${c} (${m.kind} of ${sample.name})`;
      const started = performance.now();
      let scan;
      try {
        scan = scanDicomFiles([file]);
      } catch (error) {
        throw new Error(`${label}: scanDicomFiles threw ${String(error)}`);
      }
      outcomes.skipped += scan.skipped.length;
      for (const s of scan.skipped) {
        expect(s.name, label).toBe(file.name);
        expect(s.reason, label).not.toMatch(/\[object |undefined/);
      }
      for (const s of scan.series) {
        try {
          await loadSeriesVolume([file], s.id);
          outcomes.loaded++;
        } catch (error) {
          if (!(error instanceof DicomImportError)) throw new Error(`${label}: ${String(error)}`, { cause: error });
          expect(error.message, label).toMatch(file.name.startsWith('fuzz') ? /fuzz-\d+|series/ : /./);
          outcomes.refused++;
        }
      }
      expect(performance.now() - started, `${label} took too long`).toBeLessThan(10_000);
    }
    // The mutations must exercise all three outcomes.
    expect(outcomes.loaded).toBeGreaterThan(20);
    expect(outcomes.refused).toBeGreaterThan(5);
    expect(outcomes.skipped).toBeGreaterThan(20);
  }, 110_000);

  it('a damaged file does not stop the rest of the folder from loading', async () => {
    const good = makeSyntheticCtSeries([24, 20, 6], [2, 2, 2]);
    const broken = { name: 'broken.dcm', bytes: good[3].bytes.slice(0, 900) };
    const random = { name: 'notes.txt', bytes: new TextEncoder().encode('not dicom') };
    const files = [...good.slice(0, 3), broken, ...good.slice(4), random];
    const scan = scanDicomFiles(files);
    expect(scan.skipped.map((s) => s.name).sort()).toEqual(['broken.dcm', 'notes.txt']);
    expect(scan.skipped.find((s) => s.name === 'broken.dcm')?.reason).toMatch(/not a readable DICOM file/);
    expect(scan.skipped.find((s) => s.name === 'notes.txt')?.reason).toMatch(/not a DICOM file/);
    const loaded = await loadSeriesVolume(files, scan.series[0].id);
    expect(loaded.volume.dims).toEqual([24, 20, 6]);
    expect(loaded.notes.join('\n')).toMatch(/gap in the stack/);
  });
});
