import { describe, expect, it } from 'vitest';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine';
import { Scene } from '@babylonjs/core/scene';
import { FreeCamera } from '@babylonjs/core/Cameras/freeCamera';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { createHologramStore, initialSharedState, type Cut } from '../state';
import type { Volume } from '../volume/types';
import { HologramView } from './hologram-view';
import { SliceView } from './slice-view';

/** 40×30×20 voxels at 2 mm, HU = 10·x − 3·y + 2·z (patient mm): trilinear is exact on it. */
function rampVolume(): Volume {
  const dims: [number, number, number] = [40, 30, 20];
  const data = new Float32Array(40 * 30 * 20);
  let n = 0;
  for (let k = 0; k < 20; k++) for (let j = 0; j < 30; j++) for (let i = 0; i < 40; i++) data[n++] = 10 * (2 * i) - 3 * (2 * j) + 2 * (2 * k);
  return { dims, spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data };
}

describe('slice view (NullEngine)', () => {
  it('shows the CT on a cut, follows the cut, goes coarse while it moves and sharp when asked', () => {
    const engine = new NullEngine();
    const scene = new Scene(engine);
    new FreeCamera('camera', new Vector3(0, 0, -1), scene);
    const store = createHologramStore({ shared: { ...initialSharedState([]), pivot: [40, 30, 20] } });
    const upsert = (id: string, cut: Cut) => store.dispatch({ type: 'cut/upsert', id, cut });
    const view = new HologramView(scene, { store, classes: [] });
    const slices = new SliceView(scene, { store, view, volume: rampVolume() });
    upsert('a', { normal: [0, 0, 1], offset: 20, showSlice: true });
    upsert('b', { normal: [1, 0, 0], offset: 50, showSlice: true });
    slices.flush();
    const a = slices.getSlice('a')!;
    expect(a.plane.origin[2]).toBeCloseTo(20, 9);
    const at = (x: number, y: number) => a.hu[x + y * a.plane.width];
    const p = [0, 1, 2].map((k) => a.plane.origin[k] + (5 * a.plane.u[k] + 7 * a.plane.v[k]) * a.plane.spacing);
    expect(at(5, 7)).toBeCloseTo(10 * p[0] - 3 * p[1] + 2 * p[2], 3);
    // own plane not clipping its slice, the other one does
    const material = a.mesh.material as unknown as { clipPlane: unknown; clipPlane2: unknown };
    expect(material.clipPlane).toBeNull();
    expect(material.clipPlane2).not.toBeNull();
    // the cut moves: the quad moves along the normal, the HU follow
    upsert('a', { normal: [0, 0, 1], offset: 26, showSlice: true });
    scene.render(); // right after the last full update: a moving plane samples at half resolution
    expect(slices.stats.lastPixels).toBe(Math.ceil(a.plane.width / 2) * Math.ceil(a.plane.height / 2));
    expect(a.mesh.position.z).toBeCloseTo(6, 9);
    slices.flush(); // at rest (or when asked): full resolution
    expect(slices.stats.lastPixels).toBe(a.plane.width * a.plane.height);
    expect(at(5, 7)).toBeCloseTo(10 * p[0] - 3 * p[1] + 2 * 26, 3);
    // hidden slices go away
    upsert('b', { normal: [1, 0, 0], offset: 50, showSlice: false });
    expect(slices.getSlice('b')).toBeUndefined();
    slices.dispose();
    scene.dispose();
    engine.dispose();
  });
});
