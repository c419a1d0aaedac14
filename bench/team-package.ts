/**
 * Team-session case package: sizes and times of building (host) and opening (joiner) it.
 *   node --import tsx bench/team-package.ts
 * A benchmark, not a test: nothing here passes or fails on speed. Cases: the app's sample CT with
 * the real TotalSegmentator v1 labels grouped into bone / vessel / organ (meshes as the app makes
 * them), and a synthetic 512×512×300 CT (the analytic phantom with ±16 HU noise) that must be
 * downsampled.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { phantomHu } from '../tests/fixtures/synthetic-dicom';
import type { ClassInfo } from '../src/segmentation/manifest';
import { extractSurfaces } from '../src/surfaces/extract';
import { buildCasePackage, caseIdOf, openCasePackage, type CaseContent } from '../src/team/case-package';
import { readNiftiLabels, readNiftiVolume } from '../src/volume/nifti';
import type { LabelMap, Volume } from '../src/volume/types';

const GROUPS: ClassInfo[] = [
  { id: 1, name: 'bone', label: 'Bone', group: 'bone', color: '#f0ead6', opacity: 1, sourceNames: [] },
  { id: 2, name: 'vessels', label: 'Vessels', group: 'vessel', color: '#d62728', opacity: 1, sourceNames: [] },
  { id: 3, name: 'organs', label: 'Organs', group: 'organ', color: '#a0522d', opacity: 0.6, sourceNames: [] },
];

async function sampleCase(): Promise<CaseContent> {
  const volume = readNiftiVolume(readFileSync('assets/sample/ct_3mm.nii.gz'), 'ct_3mm.nii.gz');
  const v1 = readNiftiLabels(readFileSync('../shared/data/totalseg/seg_3mm_full_v1.nii.gz'), 'seg_3mm_full_v1.nii.gz');
  const group = new Uint8Array(256);
  for (const line of readFileSync('../shared/data/totalseg/classes_v1.tsv', 'utf8').trim().split('\n').slice(1)) {
    const [id, , g] = line.split('\t');
    group[Number(id)] = g === 'bone' ? 1 : g === 'vessel' ? 2 : g === 'organ' ? 3 : 0;
  }
  const labels: LabelMap = { ...v1, data: v1.data.map((x) => group[x]) };
  const meshes = await extractSurfaces(labels, GROUPS, { maxTriangles: 750_000 });
  return { volume, labels, meshes, classes: GROUPS, model: 'bench' };
}

function syntheticCase(): CaseContent {
  const dims: [number, number, number] = [512, 512, 300];
  const spacing: [number, number, number] = [0.7, 0.7, 1];
  const data = new Int16Array(dims[0] * dims[1] * dims[2]);
  const labels = new Uint8Array(data.length);
  let n = 0;
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, n++) {
    const hu = phantomHu((i - 256) * spacing[0], (j - 256) * spacing[1], k * spacing[2]);
    // ±16 HU of deterministic noise: real CT noise is what limits compression
    let h = Math.imul(n ^ (n >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    data[n] = hu + ((h ^ (h >>> 16)) >>> 27) - 16;
    labels[n] = hu > 500 ? 1 : hu > 150 ? 2 : 0;
  }
  const grid = { dims, spacing, origin: [-179, -179, 0] as [number, number, number], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as Volume['direction'] };
  return { volume: { ...grid, data }, labels: { ...grid, data: labels }, meshes: [], classes: GROUPS, model: 'bench' };
}

async function measure(name: string, content: CaseContent) {
  let t = performance.now();
  const caseId = caseIdOf(content.volume, content.model);
  const hashMs = performance.now() - t;
  t = performance.now();
  const pkg = buildCasePackage(content, { caseId });
  const buildMs = performance.now() - t;
  t = performance.now();
  await openCasePackage(JSON.parse(JSON.stringify(pkg.manifest)), async (_sha, blob) => pkg.blobs[blob]);
  const openMs = performance.now() - t;
  const mb = (b: number) => (b / 2 ** 20).toFixed(2);
  const triangles = content.meshes.reduce((s, m) => s + m.indices.length / 3, 0);
  console.log(`| ${name} | ${content.volume.dims.join('×')} → ×${pkg.manifest.ctDownsample.join('/')} | ${triangles.toLocaleString('en')} | ${mb(pkg.manifest.blobs.glb.bytes)} | ${mb(pkg.manifest.blobs.labels.bytes)} | ${mb(pkg.manifest.blobs.ct.bytes)} | ${Math.round(hashMs)} | ${Math.round(buildMs)} | ${Math.round(openMs)} |`);
}

console.log(`Machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, Node ${process.version}`);
console.log('| case | CT grid → downsample | triangles | GLB MiB | labels MiB | CT MiB | case id (voxel sha256) ms | package ms (host) | verify+decode ms (joiner) |');
console.log('|---|---|---|---|---|---|---|---|---|');
await measure('sample ct_3mm + v1 labels', await sampleCase());
await measure('synthetic 512×512×300', syntheticCase());
