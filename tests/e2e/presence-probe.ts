import type { Mesh } from '@babylonjs/core/Meshes/mesh';
import type {} from '@babylonjs/core/Meshes/thinInstanceMesh';
import './test-api';

/** Where the presence view draws each instance of these meshes, in Babylon world coordinates. */
export type DrawnPresence = Record<string, [number, number, number][]>;

/**
 * Runs in the page (`page.evaluate(drawnPresence, ['presence-heads'])`): the world position of every
 * thin instance drawn now. Babylon's `thinInstanceGetWorldMatrices()` cannot be used for this: it
 * returns the instance matrices local to the mesh (here: in the room frame, the mesh's parent) and
 * caches them at the first call, so later calls return the first frame's positions. The instance
 * buffer the GPU draws from is read instead, times the mesh's world matrix.
 */
export function drawnPresence(names: string[]): DrawnPresence {
  const out: DrawnPresence = {};
  const scene = window.__holoct!.scene;
  for (const name of names) {
    const mesh = scene.getMeshByName(name) as Mesh | null;
    if (!mesh) continue;
    const world = mesh.computeWorldMatrix(true).m;
    const data = mesh._thinInstanceDataStorage.matrixData; // Babylon-internal: what the GPU draws
    const points: [number, number, number][] = [];
    for (let i = 0; data && i < mesh.thinInstanceCount; i++) {
      const [x, y, z] = [data[i * 16 + 12], data[i * 16 + 13], data[i * 16 + 14]];
      points.push([0, 1, 2].map((a) => x * world[a] + y * world[4 + a] + z * world[8 + a] + world[12 + a]) as [number, number, number]);
    }
    out[name] = points;
  }
  return out;
}
