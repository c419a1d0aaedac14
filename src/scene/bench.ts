import { CreateSphereVertexData } from '@babylonjs/core/Meshes/Builders/sphereBuilder';
import { CreateTorusVertexData } from '@babylonjs/core/Meshes/Builders/torusBuilder';
import type { ClassInfo } from '../segmentation/manifest';
import { MAX_CUTS } from '../state';
import { benchMprSlice, type MprBenchResult } from '../volume/mpr-bench';

/**
 * Frame-budget figures for `npm run bench` (numbers only, nothing printed). The headset's budget on
 * Quest 3 at 72 Hz: ≤ 750k triangles, < 100 draw calls, a cut's slice update ≤ 10 ms for 512².
 * The measured per-frame counts in an emulated headset session are written by tests/e2e/xr.test.ts
 * (test-results/xr-frame-budget.json); this counts what the scene would draw for given meshes.
 */

export interface FrameBudget {
  /** Hologram triangles (all structures). */
  hologramTriangles: number;
  /** Triangles of everything HoloCT adds in the headset at most (3 cuts, handles, menus, labels, reticle). */
  overlayTriangles: number;
  totalTriangles: number;
  /** One per structure, plus a depth pre-pass per see-through structure. */
  hologramDrawCalls: number;
  /** 3 slices, 3 handles, 2 menus, hover label, reticle, and per measurement a line, a label and the marker batch. */
  overlayDrawCalls: number;
  totalDrawCalls: number;
  /** Measurements counted in. (Figures are per rendered view: without multiview each eye draws them all.) */
  measurements: number;
}

const triangles = (indices: ArrayLike<number> | null | undefined) => (indices ? indices.length / 3 : 0);

/** The worst-case frame of a hologram in the headset, with `measurements` measurements on show. */
export function hologramFrameBudget(meshes: ReadonlyArray<{ classId: number; indices: ArrayLike<number> }>, classes: readonly ClassInfo[], measurements = 2): FrameBudget {
  const hologramTriangles = meshes.reduce((n, m) => n + triangles(m.indices), 0);
  const seeThrough = meshes.filter((m) => (classes.find((c) => c.id === m.classId)?.opacity ?? 1) < 1).length;
  const handle = triangles(CreateSphereVertexData({ diameter: 0.036, segments: 12 }).indices);
  const marker = triangles(CreateSphereVertexData({ diameter: 0.008, segments: 8 }).indices);
  const reticle = triangles(CreateTorusVertexData({ diameter: 0.12, thickness: 0.006, tessellation: 32 }).indices);
  const quad = 2;
  const overlayTriangles = MAX_CUTS * (quad + handle) + 2 * quad /* menus */ + quad /* hover */ + reticle +
    measurements * (quad /* label */ + 2 * marker) /* lines are line primitives */;
  const hologramDrawCalls = meshes.length + seeThrough;
  const overlayDrawCalls = 2 * MAX_CUTS + 2 + 1 + 1 + measurements * 2 + (measurements ? 1 : 0);
  return {
    hologramTriangles,
    overlayTriangles,
    totalTriangles: hologramTriangles + overlayTriangles,
    hologramDrawCalls,
    overlayDrawCalls,
    totalDrawCalls: hologramDrawCalls + overlayDrawCalls,
    measurements,
  };
}

/** The CPU part of a 512² cut update (resample + window), see `benchMprSlice`. */
export function benchSliceUpdate(options?: Parameters<typeof benchMprSlice>[0]): MprBenchResult {
  return benchMprSlice(options);
}
