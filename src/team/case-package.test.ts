import { describe, expect, it } from 'vitest';
import { sha256Hex, voxelSha256 } from '../dicom/sha256';
import type { ClassInfo } from '../segmentation/manifest';
import { extractSurfaces } from '../surfaces/extract';
import { phantomLabelMap } from '../../tests/fixtures/synthetic-labels';
import type { Volume } from '../volume/types';
import { buildCasePackage, caseIdFromVoxelSha, caseIdOf, CasePackageError, openCasePackage, parseCasePackageManifest, type BlobName } from './case-package';
import { decodeCtBlob, decodeLabelBlob, encodeLabelBlob, GridBlobError } from './grid-blob';

const CLASSES: ClassInfo[] = [
  { id: 1, name: 'liver', label: 'Liver', group: 'organ', color: '#a0522d', opacity: 0.6, sourceNames: ['liver'] },
  { id: 2, name: 'spine', label: 'Spine', group: 'bone', color: '#f0ead6', opacity: 1, sourceNames: ['vertebrae_L1'] },
  { id: 3, name: 'aorta', label: 'Aorta', group: 'vessel', color: '#d62728', opacity: 1, sourceNames: ['aorta'] },
];

async function phantomCase() {
  const labels = phantomLabelMap([40, 36, 30], 3, { spacing: [2, 2, 3], origin: [-40, -30, 50] });
  const volume: Volume = { dims: labels.dims, spacing: labels.spacing, origin: labels.origin, direction: labels.direction, data: new Int16Array(labels.data.length) };
  for (let i = 0; i < labels.data.length; i++) volume.data[i] = labels.data[i] === 0 ? -1000 : 40 + 300 * labels.data[i] + (i % 7);
  const meshes = await extractSurfaces(labels, CLASSES, { maxTriangles: 3000, minTrianglesPerMesh: 100 });
  return { volume, labels, meshes, classes: CLASSES, model: 'holoct-test' };
}

/** An in-memory blob store that counts fetches. */
function store(blobs: Record<BlobName, Uint8Array>) {
  const bySha = new Map(Object.values(blobs).map((b) => [sha256Hex(b), b]));
  const fetched: string[] = [];
  const fetch = async (sha: string) => {
    fetched.push(sha);
    const b = bySha.get(sha);
    if (!b) throw new Error(`no blob ${sha}`);
    return b.slice();
  };
  return { bySha, fetched, fetch };
}

describe('case package', () => {
  it('round trip: the joiner rebuilds the same labels, CT and meshes, fetching each blob once', async () => {
    const content = await phantomCase();
    const pkg = buildCasePackage(content);
    expect(pkg.manifest.caseId).toBe(`${voxelSha256(content.volume)}:holoct-test`);
    expect(pkg.manifest.ctDownsample).toEqual([1, 1, 1]);
    for (const name of ['glb', 'labels', 'ct'] as const) {
      expect(pkg.manifest.blobs[name]).toEqual({ sha256: sha256Hex(pkg.blobs[name]), bytes: pkg.blobs[name].length });
    }
    const s = store(pkg.blobs);
    const manifestOverWire = JSON.parse(JSON.stringify(pkg.manifest));
    const opened = await openCasePackage(manifestOverWire, s.fetch);
    expect(s.fetched.sort()).toEqual([...s.bySha.keys()].sort());
    expect(opened.caseId).toBe(pkg.manifest.caseId);
    expect(Array.from(opened.labels.data)).toEqual(Array.from(content.labels.data));
    expect(opened.labels.dims).toEqual(content.labels.dims);
    expect(Array.from(opened.volume.data)).toEqual(Array.from(content.volume.data));
    expect({ ...opened.volume, data: 0 }).toEqual({ ...content.volume, data: 0 });
    expect(caseIdOf(opened.volume, 'holoct-test')).toBe(pkg.manifest.caseId);
    expect(opened.meshes.map((m) => m.name)).toEqual(content.meshes.map((m) => m.name));
    expect(opened.classes.map((c) => c.color)).toEqual(CLASSES.map((c) => c.color));
    // same case → same bytes → same hashes (zlib carries no timestamp)
    expect(buildCasePackage(content).manifest).toEqual(pkg.manifest);
    // the id fits the server's pattern whatever the model's display name
    expect(caseIdFromVoxelSha(voxelSha256(content.volume), 'holoct-test')).toBe(pkg.manifest.caseId);
    expect(() => caseIdFromVoxelSha('abc', 'm')).toThrow(/not a voxel sha256/);
    expect(caseIdOf(content.volume, 'HoloCT 2.5D U-Net (bones, vessels, organs)')).toMatch(/^[0-9a-f]{64}:HoloCT-2\.5D-U-Net-bones-vessels-organs$/);
  });

  it('a CT over the voxel budget travels downsampled, with its geometry kept', async () => {
    const content = await phantomCase();
    const pkg = buildCasePackage(content, { maxCtVoxels: 10_000 });
    const ct = decodeCtBlob(pkg.blobs.ct);
    expect(ct.dims[0] * ct.dims[1] * ct.dims[2]).toBeLessThanOrEqual(10_000);
    expect(pkg.manifest.ctDownsample).not.toEqual([1, 1, 1]);
    for (let a = 0; a < 3; a++) expect(ct.spacing[a]).toBeCloseTo(content.volume.spacing[a] * pkg.manifest.ctDownsample[a], 9);
    // labels stay at full resolution
    expect(decodeLabelBlob(pkg.blobs.labels).dims).toEqual(content.labels.dims);
  });

  it('refuses a blob whose hash does not match, before decoding, and returns nothing', async () => {
    const content = await phantomCase();
    const pkg = buildCasePackage(content);
    const s = store(pkg.blobs);
    const tampered = async (sha: string, name: BlobName) => {
      const b = await s.fetch(sha);
      if (name === 'ct') b[b.length - 5] ^= 0xff;
      return b;
    };
    await expect(openCasePackage(pkg.manifest, tampered)).rejects.toThrow(/case blob "ct": sha256 .* does not match .*nothing was loaded/);
    const truncated = async (sha: string, name: BlobName) => (await s.fetch(sha)).subarray(0, name === 'glb' ? 100 : undefined);
    await expect(openCasePackage(pkg.manifest, truncated)).rejects.toThrow(/case blob "glb".*got 100 bytes/);
  });

  it('the manifest validator rejects what does not fit', async () => {
    const pkg = buildCasePackage(await phantomCase());
    const ok = JSON.parse(JSON.stringify(pkg.manifest));
    expect(parseCasePackageManifest(ok)).toEqual(pkg.manifest);
    const broken: [string, (m: any) => void, RegExp][] = [
      ['schema', (m) => (m.schema = 'holoct.case-package/9'), /schema/],
      ['sha', (m) => (m.blobs.ct.sha256 = 'abc'), /blobs\.ct\.sha256/],
      ['bytes', (m) => (m.blobs.glb.bytes = -1), /blobs\.glb\.bytes/],
      ['class colour', (m) => (m.classes[0].color = 'red'), /classes\[0\]\.color/],
      ['duplicate class', (m) => m.classes.push({ ...m.classes[0] }), /unique/],
      ['factors', (m) => (m.ctDownsample = [1, 0, 1]), /ctDownsample/],
      ['pacs not an object', (m) => (m.pacs = 'PACS'), /pacs must be an object/],
      ['pacs study UID', (m) => (m.pacs = { studyInstanceUID: 'DOE^JOHN', seriesInstanceUID: '1.2.3' }), /pacs\.studyInstanceUID/],
      ['pacs series UID too long', (m) => (m.pacs = { studyInstanceUID: '1.2.3', seriesInstanceUID: `1.${'2'.repeat(70)}` }), /pacs\.seriesInstanceUID/],
      ['body part not text', (m) => (m.outOfScope = 7), /outOfScope/],
      ['body part too long', (m) => (m.outOfScope = 'HEAD'.repeat(20)), /outOfScope/],
      ['body part with a line break', (m) => (m.outOfScope = 'HEAD\nfake note'), /outOfScope/],
    ];
    for (const [what, edit, error] of broken) {
      const m = JSON.parse(JSON.stringify(pkg.manifest));
      edit(m);
      expect(() => parseCasePackageManifest(m), what).toThrow(error);
      expect(() => parseCasePackageManifest(m), what).toThrow(CasePackageError);
    }
    expect(() => parseCasePackageManifest(null)).toThrow(CasePackageError);
    // a package from a PACS series names it by its UIDs, and nothing else of it
    const pacs = { studyInstanceUID: '1.2.840.113619.2.1', seriesInstanceUID: '1.2.840.113619.2.1.3' };
    const fromPacs = buildCasePackage(await phantomCase(), { pacs });
    expect(parseCasePackageManifest(JSON.parse(JSON.stringify(fromPacs.manifest))).pacs).toEqual(pacs);
    expect(Object.keys(fromPacs.manifest.pacs!)).toEqual(['studyInstanceUID', 'seriesInstanceUID']);
    // a PACS's non-conforming UID does not stop the host: the package just does not name the series
    const odd = buildCasePackage(await phantomCase(), { pacs: { ...pacs, seriesInstanceUID: `${pacs.seriesInstanceUID}.A7 ` } });
    expect(odd.manifest.pacs).toBeUndefined();
  });
});

describe('case package: a series outside the model\'s scope', () => {
  it('tells every member, by the body part alone; a series in scope or of unknown region adds nothing', async () => {
    const content = await phantomCase();
    const head = buildCasePackage({ ...content, scope: { bodyPart: 'HEAD', inScope: false, note: 'host note' } });
    expect(head.manifest.outOfScope).toBe('HEAD');
    const s = store(head.blobs);
    const opened = await openCasePackage(JSON.parse(JSON.stringify(head.manifest)), s.fetch);
    expect(opened.scope).toMatchObject({ bodyPart: 'HEAD', inScope: false });
    expect(opened.scope?.note).toMatch(/^the host's series' region is "HEAD", not \(or not only\) what this model was trained on: its labels of this scan are not reliable/);
    for (const scope of [{ bodyPart: 'CHEST', inScope: true }, undefined]) {
      const pkg = buildCasePackage({ ...content, scope });
      expect(pkg.manifest.outOfScope).toBeUndefined();
      expect((await openCasePackage(JSON.parse(JSON.stringify(pkg.manifest)), store(pkg.blobs).fetch)).scope).toBeUndefined();
    }
    // the package carries the region word, not the host's note
    expect(JSON.stringify(head.manifest)).not.toContain('host note');
    // a value the package cannot carry as it is (accents, length) still sends the warning
    expect(buildCasePackage({ ...content, scope: { bodyPart: 'SCHÄDEL', inScope: false } }).manifest.outOfScope).toBe('SCH?DEL');
    expect(buildCasePackage({ ...content, scope: { bodyPart: 'ÄÖÜ', inScope: false } }).manifest.outOfScope).toBe('???');
    expect(buildCasePackage({ ...content, scope: { bodyPart: 'X'.repeat(100), inScope: false } }).manifest.outOfScope).toBe('X'.repeat(64));
  });
});

describe('grid blobs', () => {
  it('refuse damaged bytes and a header that disagrees with its voxels', () => {
    const labels = phantomLabelMap([10, 10, 10], 2, { spacing: [1, 1, 1] });
    const blob = encodeLabelBlob(labels);
    expect(() => decodeLabelBlob(blob.subarray(0, 20))).toThrow(GridBlobError);
    expect(() => decodeCtBlob(blob)).toThrow(/kind is "labels", expected "ct"/);
    expect(() => decodeLabelBlob(encodeLabelBlob({ ...labels, data: labels.data.subarray(0, 999) }))).toThrow(/holds 999 bytes of voxels, its grid 10×10×10 needs 1000/);
  });
});