/**
 * Bench case "exports": the sample CT's hologram written as STL (per structure + set), OBJ + MTL and
 * GLB, zipped as the app's download menu zips them (fflate level 1 and 6, for the choice), and cut
 * by three planes into closed solids (manifold-3d), as `holoct segment --cuts` and the app do.
 */
import { readFile } from 'node:fs/promises';
import { zipSync } from 'fflate';
import { loadNodeModel } from '../src/cli/node-model';
import { buildHologram } from '../src/pipeline/hologram';
import { loadInput } from '../src/pipeline/input';
import { cutMeshes, loadMeshCutter, type CutPlane } from '../src/surfaces/cut';
import { glbExportFiles, objExportFiles, stlExportFiles, type ExportFile } from '../src/surfaces/export-files';
import { checkTopology } from '../src/surfaces/meshOps';
import { gridBounds } from '../src/volume/geometry';

const ms = (t: number) => Math.round(performance.now() - t);
const mib = (n: number) => Number((n / 2 ** 20).toFixed(1));
const bytesOf = (files: ExportFile[]) => files.reduce((n, f) => n + (typeof f.data === 'string' ? f.data.length : f.data.length), 0);
const asZipInput = (files: ExportFile[]) => {
  const encoder = new TextEncoder();
  return Object.fromEntries(files.map((f) => [f.path, typeof f.data === 'string' ? encoder.encode(f.data) : f.data]));
};

export async function exportsCase(manifestPath: string): Promise<object> {
  const input = await loadInput([{ name: 'ct_3mm.nii.gz', bytes: await readFile('assets/sample/ct_3mm.nii.gz') }]);
  const { manifest, session } = await loadNodeModel(manifestPath);
  const { meshes, report } = await buildHologram(input.volume, { session, manifest });
  await session.dispose();
  const model = manifest.name;

  let t = performance.now();
  const stl = stlExportFiles(meshes, { model });
  const stlMs = ms(t);
  t = performance.now();
  const obj = objExportFiles(meshes, manifest.classes, { model });
  const objMs = ms(t);
  t = performance.now();
  const glb = glbExportFiles(meshes, manifest.classes);
  const glbMs = ms(t);
  const zips: Record<string, { ms: number; mib: number }> = {};
  for (const [name, files] of [['stl', stl], ['obj', obj]] as const) {
    for (const level of [1, 6] as const) {
      t = performance.now();
      const zipped = zipSync(asZipInput(files), { level });
      zips[`${name}Level${level}`] = { ms: ms(t), mib: mib(zipped.length) };
    }
  }

  // Three cuts as a surgeon might leave them: axial through the middle, coronal, oblique.
  const { min, max } = gridBounds(input.volume);
  const mid = [0, 1, 2].map((k) => (min[k] + max[k]) / 2);
  const planes: CutPlane[] = [
    { normal: [0, 0, 1], offset: mid[2] },
    { normal: [0, -1, 0], offset: -mid[1] + 20 },
    { normal: [1, 0, 1], offset: mid[0] + mid[2] + 50 },
  ];
  t = performance.now();
  const cutter = await loadMeshCutter();
  const loadMs = ms(t);
  t = performance.now();
  const cut = cutMeshes(meshes, planes, cutter);
  const cutMs = ms(t);
  const kept = cut.filter((m) => m.indices.length > 0);
  const closed = kept.filter((m) => checkTopology(m.indices, m.positions.length / 3).closedManifold).length;

  return {
    case: 'exports: sample CT hologram → STL, OBJ+MTL, GLB, zip, 3 cuts',
    triangles: report.totalTriangles,
    timingsMs: { stl: stlMs, obj: objMs, glb: glbMs, ...Object.fromEntries(Object.entries(zips).map(([k, v]) => [`zip ${k}`, v.ms])), manifoldLoad: loadMs, cut3Planes: cutMs },
    sizesMiB: { stl: mib(bytesOf(stl)), obj: mib(bytesOf(obj)), glb: mib(bytesOf(glb)), ...Object.fromEntries(Object.entries(zips).map(([k, v]) => [`zip ${k}`, v.mib])) },
    cut: { structuresKept: kept.length, closed, triangles: kept.reduce((n, m) => n + m.indices.length / 3, 0) },
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
