/**
 * One benchmark case per process (so each reports its own peak memory):
 *   node --import tsx bench/cases.ts <case> [--model models/holoct-seg.json]
 * prints one JSON line: { case, timingsMs, peakRssMiB, ... }.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadNodeModel, DEFAULT_MANIFEST } from '../src/cli/node-model';
import { readInputFiles } from '../src/cli/files';
import { loadSeriesVolume } from '../src/dicom/load';
import { scanDicomFiles } from '../src/dicom/series';
import { makeSyntheticCtSlice, phantomHu } from '../tests/fixtures/synthetic-dicom';
import { buildHologram } from '../src/pipeline/hologram';
import { loadInput } from '../src/pipeline/input';
import { benchSliceUpdate, hologramFrameBudget } from './scene';
import { benchSurfaces } from './surfaces';
import { parallelSurfaces } from '../src/cli/parallel-surfaces';
import { segmentVolume } from '../src/segmentation/pipeline';
import { readNiftiLabels } from '../src/volume/nifti';
import { canonicalGrid, resampleNearestLabels } from '../src/volume/resample';
import { mapLabels, parseReferenceClasses, referenceLookup } from '../src/evaluation/metrics';
import { readManifest } from '../src/cli/node-model';
import { realisticVolume, REALISTIC_SPACING } from './realistic';
import type { LabelMap } from '../src/volume/types';
import { exportsCase } from './exports';
import { meshesToGlb } from '../src/surfaces/glb';
import { indexToPatient } from '../src/volume/geometry';
import type { Volume } from '../src/volume/types';
import type { PostprocessReport } from '../src/segmentation/postprocess';

const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Post-processing step by step (inside the 'postprocess' stage), as `post.<step>` timings. */
const postprocessSteps = (report: PostprocessReport) =>
  Object.fromEntries(Object.entries(report.timingsMs).map(([step, v]) => [`post.${step}`, Math.round(v)]));
const ms = (t: number) => Math.round(performance.now() - t);

async function pipelineCase(name: string, loadVolume: () => Promise<{ volume: Volume; timings: Record<string, number> }>, manifestPath: string) {
  // As the CLI does: the model loads while the input is read and decoded.
  const modelLoading = loadNodeModel(manifestPath);
  modelLoading.catch(() => {});
  const { volume, timings } = await loadVolume();
  let t = performance.now();
  const { manifest, session } = await modelLoading;
  timings.modelWait = ms(t);
  t = performance.now();
  // As the CLI runs it: surfaces on worker threads.
  const result = await buildHologram(volume, { session, manifest }, { surfaces: parallelSurfaces() });
  const pipelineMs = ms(t);
  const g = performance.now();
  const glb = meshesToGlb(result.meshes, manifest.classes);
  await session.dispose();
  return {
    case: name,
    input: { dims: volume.dims, spacing: volume.spacing.map((s) => Number(s.toFixed(3))) },
    model: manifest.name,
    backend: result.report.backend,
    windows: result.report.windows,
    timingsMs: { ...timings, ...result.report.timingsMs, ...postprocessSteps(result.report.postprocess), glb: ms(g), pipeline: pipelineMs },
    triangles: result.report.totalTriangles,
    drawCalls: result.report.drawCalls,
    // the worst headset frame of this hologram: 3 cuts with slices and handles, menus, 2 measurements
    headsetFrame: hologramFrameBudget(result.meshes, manifest.classes),
    maxDecimationErrorMm: Math.max(0, ...result.report.structures.map((s) => s.decimationErrorMm)),
    glbBytes: glb.length,
    peakRssMiB: peakRssMiB(),
  };
}

/** The analytic phantom of tests/fixtures/synthetic-dicom.ts as a 512×512×300 CT at 0.7×0.7×1 mm. */
function syntheticVolume(): Volume {
  const dims: [number, number, number] = [512, 512, 300];
  const grid = { dims, spacing: [0.7, 0.7, 1] as [number, number, number], origin: [-179, -179, 0] as [number, number, number], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as Volume['direction'] };
  const data = new Int16Array(dims[0] * dims[1] * dims[2]);
  let n = 0;
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, n++) {
    const p = indexToPatient(grid, [i, j, k]);
    data[n] = phantomHu(p[0], p[1], p[2]);
  }
  return { ...grid, data };
}

/** Surfaces of a label map as `buildHologram` makes them, with the per-phase sums of `benchSurfaces`. */
async function surfaceFigures(labels: LabelMap, classes: { id: number; name: string }[]) {
  const r = await benchSurfaces(labels, classes);
  const sum = (key: 'meshMs' | 'decimateMs' | 'errorMs') => Math.round(r.structures.reduce((n, s) => n + s[key], 0));
  return {
    timingsMs: { surfaces: Math.round(r.firstRunMs), surfacesWarm: Math.round(r.endToEndMs), meshing: sum('meshMs'), decimation: sum('decimateMs'), errorMeasure: sum('errorMs') },
    fullTriangles: r.fullTriangles,
    triangles: r.triangles,
    maxDecimationErrorMm: Number(r.maxErrorMm.toFixed(3)),
    meanDecimationErrorMm: Number(r.meanErrorMm.toFixed(3)),
    allClosed: r.allClosed,
    structures: r.structures.map((s) => ({ name: s.name, fullTriangles: s.fullTriangles, triangles: s.triangles, maxErrorMm: Number(s.maxErrorMm.toFixed(3)), closed: s.closedManifold })),
  };
}

const CASES: Record<string, (manifest: string) => Promise<object>> = {
  'realistic-0.75mm': async (m) => {
    // The sample torso at a clinical abdominal CT's voxel size: segmentation stage by stage, then
    // the surfaces as buildHologram makes them (first run), with meshing / decimation / error sums.
    let t = performance.now();
    const volume = await realisticVolume();
    const generate = ms(t);
    const { manifest, session } = await loadNodeModel(m);
    t = performance.now();
    const segmentation = await segmentVolume(volume, { session, manifest });
    const segmentMs = ms(t);
    await session.dispose();
    const present = new Set(segmentation.canonicalLabels.data);
    const classes = manifest.classes.filter((c) => present.has(c.id));
    // The CLI's surface stage: structures on worker threads (same meshes).
    t = performance.now();
    await parallelSurfaces()(segmentation.canonicalLabels, classes);
    const surfacesThreads = ms(t);
    const surfaces = await surfaceFigures(segmentation.canonicalLabels, classes);
    const stages = Object.fromEntries(Object.entries(segmentation.timings).map(([k, v]) => [k, Math.round(v)]));
    return {
      case: `sample torso resampled to ${REALISTIC_SPACING.join('×')} mm (${volume.dims.join('×')})`,
      input: { dims: volume.dims, spacing: volume.spacing },
      backend: segmentation.backend,
      windows: segmentation.windows,
      ...surfaces,
      timingsMs: { generate, ...stages, ...postprocessSteps(segmentation.postprocess), segment: segmentMs, surfacesThreads, ...surfaces.timingsMs, pipeline: segmentMs + surfacesThreads },
      timingsNote: 'pipeline = segment + surfacesThreads (the CLI: worker threads, first run); surfaces = one thread, first run; surfacesWarm = a second; meshing/decimation/errorMeasure = per-structure sums of a third',
      peakRssMiB: peakRssMiB(),
    };
  },
  'surfaces-torso': async (m) => {
    // TotalSegmentator's labels of the same torso, grouped into the model's classes on its 2 mm grid:
    // every structure of a real body, no inference needed.
    const dir = '../shared/data/totalseg';
    const manifest = await readManifest(m);
    const reference = readNiftiLabels(await readFile(`${dir}/seg_3mm_full_v1.nii.gz`), 'seg_3mm_full_v1.nii.gz');
    const lookup = referenceLookup(parseReferenceClasses(await readFile(`${dir}/classes_v1.tsv`, 'utf8')), manifest.classes);
    const grouped = { ...reference, data: mapLabels(reference.data, lookup) };
    const grid = canonicalGrid(grouped, manifest.spacing);
    const labels = { ...grid, data: resampleNearestLabels(grouped, grid).data };
    const present = new Set(labels.data);
    const surfaces = await surfaceFigures(labels, manifest.classes.filter((c) => present.has(c.id)));
    return {
      case: `surfaces: TotalSegmentator labels of the sample torso on the model grid (${labels.dims.join('×')} at ${grid.spacing[0]} mm)`,
      ...surfaces,
      peakRssMiB: peakRssMiB(),
    };
  },
  'sample-nifti': (m) => pipelineCase('sample CT (assets/sample/ct_3mm.nii.gz)', async () => {
    let t = performance.now();
    const bytes = await readFile('assets/sample/ct_3mm.nii.gz');
    const read = ms(t);
    t = performance.now();
    const input = await loadInput([{ name: 'ct_3mm.nii.gz', bytes }]);
    return { volume: input.volume, timings: { read, decode: ms(t) } };
  }, m),
  'sample-dicom': (m) => pipelineCase('DICOM J2K series (totalseg/dicom, 20 slices)', async () => {
    let t = performance.now();
    const files = await readInputFiles('../shared/data/totalseg/dicom');
    const read = ms(t);
    t = performance.now();
    const input = await loadInput(files);
    return { volume: input.volume, timings: { read, decode: ms(t) } };
  }, m),
  'synthetic-512x512x300': (m) => pipelineCase('synthetic 512×512×300 (0.7×0.7×1 mm)', async () => {
    const t = performance.now();
    return { volume: syntheticVolume(), timings: { generate: ms(t) } };
  }, m),
  'dicom-load-512x512x1000': async () => {
    const dims: [number, number, number] = [512, 512, 1000];
    let t = performance.now();
    const files = Array.from({ length: dims[2] }, (_, k) => makeSyntheticCtSlice(dims, [0.7, 0.7, 0.5], k));
    const generate = ms(t);
    const before = peakRssMiB();
    t = performance.now();
    const scan = scanDicomFiles(files);
    const scanMs = ms(t);
    t = performance.now();
    const loaded = await loadSeriesVolume(files, scan.series[0].id);
    const load = ms(t);
    return {
      case: 'DICOM load, synthetic 512×512×1000 uncompressed',
      input: { dims: loaded.volume.dims, spacing: loaded.volume.spacing },
      timingsMs: { generate, scan: scanMs, decode: load },
      fileBytesMiB: Math.round(files.reduce((n, f) => n + f.bytes.length, 0) / 2 ** 20),
      volumeMiB: Math.round(loaded.volume.data.byteLength / 2 ** 20),
      peakRssBeforeLoadMiB: before,
      peakRssMiB: peakRssMiB(),
    };
  },
  surfaces: async () => {
    const r = await benchSurfaces();
    return {
      case: `surfaces: 11-class phantom ${r.dims.join('×')} at ${r.spacing[0]} mm`,
      timingsMs: { stats: Math.round(r.statsMs), surfacesFirstRun: Math.round(r.firstRunMs), surfaces: Math.round(r.endToEndMs) },
      fullTriangles: r.fullTriangles,
      triangles: r.triangles,
      maxDecimationErrorMm: Number(r.maxErrorMm.toFixed(3)),
      meanDecimationErrorMm: Number(r.meanErrorMm.toFixed(3)),
      allClosed: r.allClosed,
      peakRssMiB: peakRssMiB(),
    };
  },
  exports: (m) => exportsCase(m),
  'mpr-slice': async () => {
    const r = benchSliceUpdate();
    return {
      case: `cut slice update, ${r.slice.join('×')} from ${r.dims.join('×')} (CPU: resample + air mask + window)`,
      timingsMs: {
        axial: r.medianMs.axial, oblique: r.medianMs.oblique, obliqueP95: r.p95Ms.oblique,
        obliqueResample: r.resampleMs, window: r.windowMs, airMask: r.airMaskMs, dragPreview: r.dragMs,
      },
      targetMs: 10,
      peakRssMiB: peakRssMiB(),
    };
  },
};

const [name, ...rest] = process.argv.slice(2);
const modelFlag = rest.indexOf('--model');
const manifest = modelFlag >= 0 ? resolve(rest[modelFlag + 1]) : DEFAULT_MANIFEST;
const run = CASES[name];
if (!run) {
  process.stderr.write(`unknown case ${name}; cases: ${Object.keys(CASES).join(', ')}\n`);
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(await run(manifest))}\n`);
