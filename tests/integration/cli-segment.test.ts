import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/cli/commands/eval';
import { dcmjs } from '../../src/dicom-seg/dcmjs';
import { readManifest, DEFAULT_MANIFEST } from '../../src/cli/node-model';
import { readInputFiles } from '../../src/cli/files';
import { loadInput } from '../../src/pipeline/input';
import { gridBounds, rasAffine, sameGeometry } from '../../src/volume/geometry';
import { readNiftiLabels } from '../../src/volume/nifti';

const run = promisify(execFile);
const DATA = '../shared/data/totalseg';

/** Parses a GLB's JSON chunk. */
function glbJson(bytes: Buffer): { nodes: Array<{ name?: string; mesh?: number }>; meshes: unknown[]; asset: { generator?: string } } {
  expect(bytes.readUInt32LE(0)).toBe(0x46546c67); // "glTF"
  expect(bytes.readUInt32LE(4)).toBe(2);
  expect(bytes.readUInt32LE(8)).toBe(bytes.length);
  const jsonLength = bytes.readUInt32LE(12);
  expect(bytes.readUInt32LE(16)).toBe(0x4e4f534a); // "JSON"
  return JSON.parse(bytes.subarray(20, 20 + jsonLength).toString('utf8'));
}

describe('holoct segment on the real DICOM series (JPEG 2000 lossless)', () => {
  let out: string;
  let stderr: string;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'holoct-cli-'));
    ({ stderr } = await run(process.execPath, ['bin/holoct.mjs', 'segment', `${DATA}/dicom`, '--out', out], { maxBuffer: 1 << 24 }));
  }, 600_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes labels on the CT’s own grid with the correct RAS affine', async () => {
    const labels = readNiftiLabels(readFileSync(join(out, 'labels.nii.gz')));
    const reference = readNiftiLabels(readFileSync(`${DATA}/seg_dicom.nii.gz`));
    const ct = (await loadInput(await readInputFiles(`${DATA}/dicom`))).volume;
    expect(labels.dims).toEqual([512, 512, 20]);
    // labels.nii.gz is on the DICOM series' own grid (rows run anterior → posterior) ...
    expect(sameGeometry(labels, ct, 0.01)).toBe(true);
    const a = rasAffine(labels);
    expect(a[5]).toBeCloseTo(-0.9765625, 6); // j = row direction: +P in LPS = −A in RAS
    // ... which covers exactly the voxel centres of TotalSegmentator's reference (stored with j flipped).
    const ba = gridBounds(labels), bb = gridBounds(reference);
    for (let axis = 0; axis < 3; axis++) {
      expect(ba.min[axis]).toBeCloseTo(bb.min[axis], 3);
      expect(ba.max[axis]).toBeCloseTo(bb.max[axis], 3);
    }
    const manifest = await readManifest(DEFAULT_MANIFEST);
    const ids = new Set(manifest.classes.map((c) => c.id));
    for (const v of new Set(labels.data)) expect(v === 0 || ids.has(v)).toBe(true);
  });

  it('writes the class list from the manifest', async () => {
    const json = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8'));
    const manifest = await readManifest(DEFAULT_MANIFEST);
    expect(json.classes).toEqual(manifest.classes.map(({ id, name, group, color }) => ({ id, name, group, color })));
  });

  it('writes a GLB with one named node per structure found, within the headset budget', () => {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const gltf = glbJson(readFileSync(join(out, 'hologram.glb')));
    const found = report.structures.filter((s: { triangles: number }) => s.triangles > 0).map((s: { name: string }) => s.name);
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(gltf.nodes.filter((n) => n.mesh !== undefined).map((n) => n.name).sort()).toEqual([...found].sort());
    expect(gltf.asset.generator).toMatch(/HoloCT/);
    expect(report.totalTriangles).toBeLessThanOrEqual(750_000);
    expect(report.drawCalls).toBeLessThan(100);
  });

  it('reports backend, stage times, voxels, triangles and volumes', () => {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.backend).toBe('node-cpu');
    for (const stage of ['read', 'decode', 'resample', 'inference', 'surfaces', 'write', 'total']) {
      expect(report.timingsMs[stage], stage).toBeGreaterThanOrEqual(0);
    }
    const bone = report.structures.find((s: { name: string }) => s.name === 'bone');
    expect(bone.voxels).toBeGreaterThan(1000);
    expect(bone.triangles).toBeGreaterThan(100);
    // the closed surface's volume agrees with the voxel count (thin bone loses some to smoothing)
    expect(bone.surfaceVolumeMl / bone.voxelVolumeMl).toBeGreaterThan(0.6);
    expect(bone.surfaceVolumeMl / bone.voxelVolumeMl).toBeLessThan(1.3);
    expect(stderr).toMatch(/wrote labels\.nii\.gz/);
    // the series says PARTIALBODY: within the model's scope, so no scope note
    expect(report.scope).toEqual({ bodyPart: 'PARTIALBODY', inScope: true });
    expect(report.notes.filter((n: string) => n.startsWith('scope:'))).toEqual([]);
  });

  it('scores through `holoct eval` with the TotalSegmentator reference and the 150 HU baseline', async () => {
    const result = await evaluate({ pred: join(out, 'labels.nii.gz'), ref: `${DATA}/seg_dicom.nii.gz`, refClasses: `${DATA}/classes.tsv`, ct: `${DATA}/dicom` });
    const bone = result.model.groups.find((g) => g.name === 'bone')!;
    const baselineBone = result.threshold150!.groups.find((g) => g.name === 'bone')!;
    expect(bone.referenceVoxels).toBeGreaterThan(10_000);
    // Guard against regressions of the shipped model and pipeline (the shipped model trained on this
    // case, so this is not an accuracy claim: docs/accuracy.md holds the held-out scores).
    // Measured when the model shipped (2026-12-02 15:52 UTC: 2.5D U-Net, 3000 steps on A, B, C with half of
    // the real patches re-phased): bone 0.673, vessel 0.741, organ 0.912 (docs/accuracy.md, "trained on" rows;
    // the 2000-step model before it: 0.652 / 0.595 / 0.905); bone 0.666 since bone is refined and grown from
    // 150 HU (2026-12-03: held-out A 0.471 -> 0.581, B 0.598 -> 0.597); 0.661 since bone's marrow is filled
    // (held-out A 0.581 -> 0.661, B 0.597 -> 0.602);
    // the floors leave room for float differences across machines, not for a worse model.
    const group = (name: string) => result.model.groups.find((g) => g.name === name)!.iou!;
    expect(bone.iou!).toBeGreaterThan(baselineBone.iou!);
    expect(group('bone')).toBeGreaterThan(0.65);
    expect(group('vessel')).toBeGreaterThan(0.72);
    expect(group('organ')).toBeGreaterThan(0.89);
    expect(result.threshold150!.groups.find((g) => g.name === 'vessel')!.iou).toBe(0);
  });

  it('gives the surface Dice per group beside IoU through `holoct eval`, and refuses a bad tolerance', async () => {
    const ref = ['--ref', `${DATA}/seg_dicom.nii.gz`, '--ref-classes', `${DATA}/classes.tsv`];
    const { stdout } = await run(process.execPath, ['bin/holoct.mjs', 'eval', '--pred', join(out, 'labels.nii.gz'), ...ref, '--surface-mm', '0,2', '--json'], { maxBuffer: 1 << 24 });
    const result = JSON.parse(stdout);
    expect(result.surface.map((g: { group: string }) => g.group)).toEqual(['bone', 'vessel', 'organ']);
    const bone = result.surface[0];
    expect(bone.scores.map((s: { toleranceMm: number }) => s.toleranceMm)).toEqual([0, 2]);
    // Not accuracy (the shipped model trained on this case): a regression guard. Measured 2026-12-03 on the
    // shipped model: bone 0.317 exact / 0.836 within 2 mm, vessel 0.299 / 0.861, organ 0.255 / 0.760; the
    // boundaries agree within 2 mm far more than voxel for voxel.
    // the floors leave room for float differences across machines, not for a worse model
    expect(bone.scores[0].surfaceDice).toBeGreaterThan(0.30);
    expect(bone.scores[1].surfaceDice).toBeGreaterThan(0.82);
    expect(result.surface[1].scores[1].surfaceDice).toBeGreaterThan(0.84);
    expect(result.surface[2].scores[1].surfaceDice).toBeGreaterThan(0.74);
    const text = await run(process.execPath, ['bin/holoct.mjs', 'eval', '--pred', join(out, 'labels.nii.gz'), ...ref], { maxBuffer: 1 << 24 });
    expect(text.stdout).toMatch(/\| group \| surface Dice ≤ 2 mm \| surface Dice ≤ 3 mm \|/);
    const none = await run(process.execPath, ['bin/holoct.mjs', 'eval', '--pred', join(out, 'labels.nii.gz'), ...ref, '--surface-mm', 'none', '--json'], { maxBuffer: 1 << 24 });
    expect(JSON.parse(none.stdout).surface).toBeUndefined();
    const bad = await run(process.execPath, ['bin/holoct.mjs', 'eval', '--pred', join(out, 'labels.nii.gz'), ...ref, '--surface-mm', '2,x']).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--surface-mm must be distances in mm.*"2,x"/);
  });

  it('refuses a bad input with the file and the reason, without a stack trace', async () => {
    const error = await run(process.execPath, ['bin/holoct.mjs', 'segment', 'package.json', '--out', out]).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(/package\.json/);
    expect(error.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('holoct segment on a real head CT, outside the model\'s scope', () => {
  // A torso model labels every voxel of a head too (measured: brain as bone, liver and heart). The
  // series' Body Part Examined says HEAD: the report, the app's notes and the CLI say it is out of scope.
  let out: string;
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('warns that the labels are not reliable, naming the body part and the model\'s scope', async () => {
    out = mkdtempSync(join(tmpdir(), 'holoct-cli-head-'));
    // --quiet silences progress, not this warning
    const { stderr } = await run(process.execPath, ['bin/holoct.mjs', 'segment', '../shared/data/dicom-conformance/gantry-tilt/ge-tilt-uneven', '--out', out, '--export', 'seg', '--quiet'], { maxBuffer: 1 << 24 });
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const manifest = await readManifest(DEFAULT_MANIFEST);
    expect(report.scope).toMatchObject({ bodyPart: 'HEAD', inScope: false });
    expect(report.notes[0]).toBe(`scope: ${report.scope.note}`);
    expect(report.scope.note).toContain(manifest.scope!.description);
    expect(stderr.trim()).toBe(`warning: ${report.scope.note}`);
    // the SEG a PACS reader opens says it too
    const seg = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(readFileSync(join(out, 'seg.dcm')).buffer).dict);
    expect(seg.SeriesDescription).toBe('NOT RELIABLE: HEAD outside HoloCT model scope');
  }, 600_000);
});
