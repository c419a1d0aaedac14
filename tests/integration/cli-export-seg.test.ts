import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSegmentation, segmentsToClasses } from '../../src/dicom-seg/index';
import { DEFAULT_MANIFEST, readManifest } from '../../src/cli/node-model';
import { loadInput } from '../../src/pipeline/input';
import { readNiftiLabels } from '../../src/volume/nifti';
import { sampleForPacs, SAMPLE } from '../pacs/fixture';

/**
 * `holoct segment … --export seg` on the real series (with a test study and patient spliced in): the
 * SEG holds the model's labels voxel for voxel, validates with dciodvfy, and the patient's identity
 * is in seg.dcm only — never in the meshes (GLB, STL, OBJ), labels or report.
 */
const run = promisify(execFile);
const IDENTITY = [SAMPLE.patientName, SAMPLE.patientId, SAMPLE.accessionNumber, 'PACS TEST'];

function identityIn(bytes: Uint8Array): string[] {
  const contents = bytes[0] === 0x1f && bytes[1] === 0x8b ? [bytes, gunzipSync(bytes)] : [bytes];
  const texts = contents.flatMap((b) => [Buffer.from(b).toString('latin1'), Buffer.from(b).toString('utf16le')]).map((t) => t.toUpperCase());
  return IDENTITY.filter((m) => texts.some((t) => t.includes(m.toUpperCase())));
}

describe('holoct segment --export seg', () => {
  const root = mkdtempSync(join(tmpdir(), 'holoct-cli-seg-'));
  const input = join(root, 'series');
  const out = join(root, 'out');
  const files = sampleForPacs();
  let stderr = '';

  beforeAll(async () => {
    mkdirSync(input);
    for (const f of files) writeFileSync(join(input, f.name), f.bytes);
    ({ stderr } = await run(process.execPath, ['bin/holoct.mjs', 'segment', input, '--out', out, '--export', 'glb,stl,obj,seg'], { maxBuffer: 1 << 24 }));
  }, 600_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes seg.dcm holding labels.nii.gz voxel for voxel, valid for dciodvfy', async () => {
    expect(stderr).toMatch(/seg\.dcm: DICOM SEG with \d+ segment\(s\)/);
    const bytes = new Uint8Array(readFileSync(join(out, 'seg.dcm')));
    const ct = (await loadInput(files)).volume;
    const manifest = await readManifest(DEFAULT_MANIFEST);
    const read = readSegmentation(bytes, ct, 'seg.dcm');
    expect(read.studyInstanceUID).toBe(SAMPLE.studyInstanceUID);
    expect(read.segments.every((s) => s.algorithmType === 'AUTOMATIC' && s.algorithmName === manifest.name)).toBe(true);
    const back = segmentsToClasses(read, manifest.classes);
    const labels = readNiftiLabels(readFileSync(join(out, 'labels.nii.gz')));
    expect(read.segments.length).toBe(new Set(labels.data).size - 1);
    expect(Buffer.from(back.labels.data).equals(Buffer.from(labels.data))).toBe(true);

    const check = spawnSync('/usr/bin/dciodvfy', [join(out, 'seg.dcm')], { encoding: 'utf8' });
    if (check.error) throw new Error('dicom3tools is not installed: apt-get install dicom3tools', { cause: check.error });
    expect(`${check.stdout}${check.stderr}`.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
  });

  it('puts the patient’s identity in seg.dcm only, never in the other outputs', () => {
    const written = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes('.')).sort();
    expect(written).toContain('seg.dcm');
    expect(written).toEqual(expect.arrayContaining(['hologram.glb', 'hologram.obj', 'hologram.mtl', 'stl/visible.stl']));
    for (const name of written) {
      const found = identityIn(new Uint8Array(readFileSync(join(out, name))));
      expect(found, name).toEqual(name === 'seg.dcm' ? IDENTITY : []);
    }
    expect(identityIn(Buffer.from(stderr))).toEqual([]);
  });

  it('refuses an unknown export format before any work, and a NIfTI input for a SEG', async () => {
    await expect(run(process.execPath, ['bin/holoct.mjs', 'segment', input, '--out', join(root, 'x'), '--export', 'seg,ply'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('unknown export "ply"') });
    const nifti = '../shared/data/totalseg/ct_3mm_30slices.nii.gz';
    await expect(run(process.execPath, ['bin/holoct.mjs', 'segment', nifti, '--out', join(root, 'y'), '--export', 'seg'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('needs a DICOM series') });
  });

  it('holoct stow says what is missing: the server, or a study to store a file in', async () => {
    await expect(run(process.execPath, ['bin/holoct.mjs', 'stow', join(out, 'seg.dcm')])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--pacs') });
    // the sample as published: anonymized, with an empty StudyInstanceUID
    const anonymized = join('../shared/data/totalseg/dicom', readdirSync('../shared/data/totalseg/dicom')[0]);
    await expect(run(process.execPath, ['bin/holoct.mjs', 'stow', anonymized, '--pacs', 'http://127.0.0.1:9/dicom-web'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no StudyInstanceUID') });
  });
});
