import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInputFiles } from '../../src/cli/files';
import { DEFAULT_MANIFEST, readManifest } from '../../src/cli/node-model';
import { loadInput } from '../../src/pipeline/input';
import { indexToPatient } from '../../src/volume/geometry';
import type { Volume } from '../../src/volume/types';
import { readBinaryStl, weldedEdges, readMtl, readObj, type Bounds } from '../mesh-readers';

const run = promisify(execFile);
const DICOM = '../shared/data/totalseg/dicom';

interface StructureRow { name: string; triangles: number }

/** The CT's physical extent in LPS mm: the box around its voxels' outer faces (centres ± half a voxel). */
function ctExtent(volume: Volume): Bounds {
  const b: Bounds = { min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] };
  for (let c = 0; c < 8; c++) {
    const ijk: [number, number, number] = [0, 1, 2].map((k) => ((c >> k) & 1 ? volume.dims[k] - 0.5 : -0.5)) as [number, number, number];
    const p = indexToPatient(volume, ijk);
    for (let k = 0; k < 3; k++) { b.min[k] = Math.min(b.min[k], p[k]); b.max[k] = Math.max(b.max[k], p[k]); }
  }
  return b;
}

function expectInside(inner: Bounds, outer: Bounds, what: string): void {
  for (let k = 0; k < 3; k++) {
    expect(inner.min[k], `${what} min[${k}]`).toBeGreaterThanOrEqual(outer.min[k] - 1e-3);
    expect(inner.max[k], `${what} max[${k}]`).toBeLessThanOrEqual(outer.max[k] + 1e-3);
  }
}

describe('holoct segment --export stl,obj,glb on the real DICOM series', () => {
  let out: string;
  let cutOut: string;
  let extent: Bounds;
  let found: StructureRow[];
  let cutZ: number;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'holoct-export-'));
    cutOut = mkdtempSync(join(tmpdir(), 'holoct-export-cut-'));
    const volume = (await loadInput(await readInputFiles(DICOM))).volume;
    extent = ctExtent(volume);
    await run(process.execPath, ['bin/holoct.mjs', 'segment', DICOM, '--out', out, '--export', 'stl,obj,glb', '--quiet'], { maxBuffer: 1 << 24 });
    // An axial cut through the middle of the scan, keeping the inferior half (z ≤ cutZ, LPS).
    cutZ = (extent.min[2] + extent.max[2]) / 2;
    const cuts = join(cutOut, 'cuts.json');
    writeFileSync(cuts, JSON.stringify([{ normal: [0, 0, 1], offset: cutZ }]));
    await run(process.execPath, ['bin/holoct.mjs', 'segment', DICOM, '--out', cutOut, '--export', 'stl,obj', '--cuts', cuts, '--quiet'], { maxBuffer: 1 << 24 });
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    found = report.structures.filter((s: StructureRow) => s.triangles > 0);
  }, 900_000);

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(cutOut, { recursive: true, force: true });
  });

  it('one STL per structure with exactly the mesh’s triangles, inside the CT’s extent in mm, and one for the set', () => {
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(readdirSync(join(out, 'stl')).sort()).toEqual([...found.map((s) => `${s.name}.stl`), 'visible.stl'].sort());
    let total = 0;
    for (const s of found) {
      const stl = readBinaryStl(readFileSync(join(out, 'stl', `${s.name}.stl`)));
      expect(stl.triangles, s.name).toBe(s.triangles);
      expect(stl.header).toContain('SPACE=LPS');
      expectInside(stl.bounds, extent, s.name);
      total += stl.triangles;
    }
    const set = readBinaryStl(readFileSync(join(out, 'stl', 'visible.stl')));
    expect(set.triangles).toBe(total);
    expectInside(set.bounds, extent, 'visible.stl');
  });

  it('OBJ: one object per structure with the mesh’s triangles and normals, MTL with the manifest colours', async () => {
    const obj = readObj(readFileSync(join(out, 'hologram.obj'), 'utf8'));
    const manifest = await readManifest(DEFAULT_MANIFEST);
    expect(obj.mtllib).toBe('hologram.mtl');
    expect(obj.comments[0]).toContain('SPACE=LPS');
    expect(obj.objects.map((o) => [o.name, o.triangles])).toEqual(found.map((s) => [s.name, s.triangles]));
    for (const o of obj.objects) {
      expect(o.facesWithNormals).toBe(o.triangles);
      expect(o.material).toBe(o.name);
      expectInside(o.bounds, extent, o.name);
    }
    expect(obj.normals).toBe(obj.vertices);
    const materials = readMtl(readFileSync(join(out, 'hologram.mtl'), 'utf8'));
    for (const s of found) {
      const c = manifest.classes.find((x) => x.name === s.name)!;
      expect(materials.get(s.name)!.d).toBeCloseTo(c.opacity, 4);
    }
    // the GLB is still there
    expect(readFileSync(join(out, 'hologram.glb')).readUInt32LE(0)).toBe(0x46546c67);
  });

  it('with --cuts: every structure’s STL is watertight on the kept side, the OBJ agrees', () => {
    const obj = readObj(readFileSync(join(cutOut, 'hologram.obj'), 'utf8'));
    const files = readdirSync(join(cutOut, 'stl')).filter((f) => f !== 'visible.stl');
    expect(files.length).toBeGreaterThanOrEqual(1);
    let capped = 0;
    for (const file of files) {
      const stl = readBinaryStl(readFileSync(join(cutOut, 'stl', file)));
      const name = file.replace(/\.stl$/, '');
      if (Math.abs(stl.bounds.max[2] - cutZ) < 0.01) capped++;
      expect(stl.bounds.max[2], name).toBeLessThanOrEqual(cutZ + 1e-3);
      // Watertight as a slicer welds it. Where a surface touches itself along one voxel edge, the
      // pipeline's mesh keeps two vertices at one position (a 2-manifold by index): a few edges
      // then meet four triangles once welded by position.
      const edges = weldedEdges(stl.corners);
      expect(edges.open, `${name}: edges without their reverse`).toBe(0);
      expect(edges.nonManifold, name).toBeLessThanOrEqual(Math.ceil(edges.edges / 1000));
      expect(obj.objects.find((o) => o.name === name)?.triangles, name).toBe(stl.triangles);
    }
    // the plane did cut: some structure ends on it (its cap)
    expect(capped).toBeGreaterThanOrEqual(1);
    // structures above the cut are gone from both
    expect(obj.objects.map((o) => `${o.name}.stl`).sort()).toEqual(files.sort());
    expect(readdirSync(cutOut)).not.toContain('hologram.glb');
  });

  it('refuses an unknown export and a bad cuts file, naming the valid exports and the file', async () => {
    const unknown = await run(process.execPath, ['bin/holoct.mjs', 'segment', DICOM, '--out', out, '--export', 'stl,ply']).catch((e) => e);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown export "ply": valid exports are glb, stl, obj/);
    const bad = join(cutOut, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ normal: [0, 0, 0], offset: 1 }]));
    const cut = await run(process.execPath, ['bin/holoct.mjs', 'segment', DICOM, '--out', out, '--cuts', bad]).catch((e) => e);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toContain('bad.json: plane 1 needs "normal"');
    expect(cut.stderr).not.toMatch(/\n\s+at /);
  });
});
