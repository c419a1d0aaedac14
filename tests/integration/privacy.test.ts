import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticCtSeries } from '../../src/dicom/index';
import { DEFAULT_MANIFEST, readManifest } from '../../src/cli/node-model';
import { loadInput } from '../../src/pipeline/input';
import * as Y from 'yjs';
import { caseIdOf, createHologramStore, initialSharedState, type Command } from '../../src/state';
import { bindSharedState } from '../../src/state/yjs-binding';

/**
 * Issue 5 item 8: patient name and ID are for local display only. A CT series whose PatientName and
 * PatientID are unmistakable markers goes through the CLI; no byte of anything that leaves the device
 * (segment outputs, `info` output, console output, the serializable hologram state) may carry them.
 */
const run = promisify(execFile);
const FAMILY = 'ZQPRIVFAMILYXK';
const GIVEN = 'ZQPRIVGIVENXK';
const PATIENT_ID = 'ZQPRIVID7741XK';
const MARKERS = [FAMILY, GIVEN, PATIENT_ID];

/** Every marker found in these bytes, read as Latin-1/UTF-8 text and as UTF-16LE, ignoring case. */
function markersIn(bytes: Uint8Array): string[] {
  const texts = [Buffer.from(bytes).toString('latin1'), Buffer.from(bytes).toString('utf16le')].map((t) => t.toUpperCase());
  return MARKERS.filter((m) => texts.some((t) => t.includes(m)));
}

/** The bytes of a file, and of its decompressed content when it is gzip. */
function contentsOf(bytes: Uint8Array): Uint8Array[] {
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? [bytes, gunzipSync(bytes)] : [bytes];
}

describe('patient identity never leaves the device', () => {
  const root = mkdtempSync(join(tmpdir(), 'holoct-privacy-'));
  const input = join(root, 'series');
  const out = join(root, 'out');
  const files = makeSyntheticCtSeries([96, 96, 40], [3, 3, 3], { patientName: `${FAMILY}^${GIVEN}`, patientId: PATIENT_ID, seriesDescription: 'Privacy check' });
  let segment: { stdout: string; stderr: string };

  beforeAll(async () => {
    mkdirSync(input);
    files.forEach((f, i) => writeFileSync(join(input, `slice${String(i).padStart(3, '0')}.dcm`), f.bytes));
    segment = await run(process.execPath, ['bin/holoct.mjs', 'segment', input, '--out', out], { maxBuffer: 1 << 24 });
  }, 600_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('the input really carries the markers, and the importer reads them for local display', async () => {
    expect(markersIn(files[0].bytes)).toEqual(MARKERS);
    // and the checker sees them inside gzip and UTF-16 too
    expect(contentsOf(gzipSync(Buffer.from(`x${FAMILY}x`))).flatMap(markersIn)).toEqual([FAMILY]);
    expect(markersIn(Buffer.from(PATIENT_ID.toLowerCase(), 'utf16le'))).toEqual([PATIENT_ID]);
    const loaded = await loadInput(files);
    expect(loaded.patient).toEqual({ name: `${FAMILY}^${GIVEN}`, id: PATIENT_ID });
  });

  it('holoct segment writes labels.nii.gz, labels.json, hologram.glb and report.json without them', () => {
    const written = readdirSync(out).sort();
    expect(written).toEqual(['hologram.glb', 'labels.json', 'labels.nii.gz', 'report.json']);
    for (const name of written) {
      for (const bytes of contentsOf(readFileSync(join(out, name)))) expect(markersIn(bytes), name).toEqual([]);
    }
    // the outputs are real (the check above is not vacuous)
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.input.source).toContain('Privacy check');
    expect(markersIn(Buffer.from(segment.stdout + segment.stderr))).toEqual([]);
  });

  it('holoct info, text and --json, prints no patient identity', async () => {
    for (const args of [['info', input], ['info', '--json', input]]) {
      const { stdout, stderr } = await run(process.execPath, ['bin/holoct.mjs', ...args], { maxBuffer: 1 << 24 });
      expect(stdout).toContain('Privacy check');
      expect(markersIn(Buffer.from(stdout + stderr)), args.join(' ')).toEqual([]);
    }
  });

  it('the shared hologram state and its Yjs document have no place for patient identity', async () => {
    const manifest = await readManifest(DEFAULT_MANIFEST);
    const store = createHologramStore({ shared: initialSharedState(manifest.classes) }, { clientId: 'c' });
    const doc = new Y.Doc();
    bindSharedState(doc, store, { onInvalid: (e) => { throw new Error(`${e.map}/${e.key}: ${e.reason}`); } });
    const first = manifest.classes[0].name;
    const commands: Command[] = [
      { type: 'case/open', caseId: caseIdOf('0'.repeat(64), manifest.name), structures: store.getState().shared.structures },
      { type: 'structure/setVisible', names: [first], visible: false },
      { type: 'structure/setOpacity', name: first, opacity: 0.4 },
      { type: 'pose/set', pose: { position: [0.1, 1.2, -0.5], scale: 0.002 } },
      { type: 'cut/upsert', id: 'c1', cut: { normal: [0, 0, 1], offset: 12, showSlice: true, createdBy: 'c' } },
      { type: 'measurement/add', id: 'c-1', measurement: { a: [0, 0, 0], b: [10, 0, 0] } },
      { type: 'sliceWindow/set', window: 'bone' },
      { type: 'presenter/set', presenter: 'c' },
    ];
    for (const command of commands) expect(store.dispatch(command)).toMatchObject({ ok: true });
    const json = JSON.stringify(store.getState().shared);
    expect(Object.keys(JSON.parse(json)).sort()).toEqual(['caseId', 'cuts', 'measurements', 'pivot', 'pose', 'presenter', 'schema', 'sliceWindow', 'structures']);
    expect(markersIn(Buffer.from(json))).toEqual([]);
    expect(markersIn(Buffer.from(Y.encodeStateAsUpdate(doc)))).toEqual([]);
  });
});
