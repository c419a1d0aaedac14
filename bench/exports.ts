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
/** Wall and CPU (user + system) ms of a step: on a shared machine CPU time is the steadier figure. */
function timed<T>(cpu: Record<string, number>, wall: Record<string, number>, name: string, step: () => T): T {
  const c = process.cpuUsage();
  const t = performance.now();
  const out = step();
  wall[name] = ms(t);
  const used = process.cpuUsage(c);
  cpu[name] = Math.round((used.user + used.system) / 1000);
  return out;
}
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

  const wall: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  const stl = timed(cpu, wall, 'stl', () => stlExportFiles(meshes, { model }));
  const obj = timed(cpu, wall, 'obj', () => objExportFiles(meshes, manifest.classes, { model }));
  const glb = timed(cpu, wall, 'glb', () => glbExportFiles(meshes, manifest.classes));
  const zipMiB: Record<string, number> = {};
  for (const [name, files] of [['stl', stl], ['obj', obj]] as const) {
    for (const level of [1, 6] as const) {
      const zipped = timed(cpu, wall, `zip ${name} level ${level}`, () => zipSync(asZipInput(files), { level }));
      zipMiB[`zip ${name} level ${level}`] = mib(zipped.length);
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
  const t = performance.now();
  const cutter = await loadMeshCutter();
  wall.manifoldLoad = ms(t);
  const cut = timed(cpu, wall, 'cut 3 planes', () => cutMeshes(meshes, planes, cutter));
  const kept = cut.filter((m) => m.indices.length > 0);
  const closed = kept.filter((m) => checkTopology(m.indices, m.positions.length / 3).closedManifold).length;
  return {
    case: 'exports: sample CT hologram → STL, OBJ+MTL, GLB, zip, 3 cuts',
    triangles: report.totalTriangles,
    timingsMs: wall,
    cpuMs: cpu,
    sizesMiB: { stl: mib(bytesOf(stl)), obj: mib(bytesOf(obj)), glb: mib(bytesOf(glb)), ...zipMiB },
    cut: { structuresKept: kept.length, closed, triangles: kept.reduce((n, m) => n + m.indices.length / 3, 0) },
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
