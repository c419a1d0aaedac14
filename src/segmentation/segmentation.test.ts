import { describe, expect, it } from 'vitest';
import { indexToPatient } from '../volume/geometry';
import type { Volume } from '../volume/types';
import { parseManifest, type ModelManifest } from './manifest';
import { segmentVolume } from './pipeline';
import type { SegmentationSession } from './session';
import { countWindows, gaussianWeights, slidingWindowSegment, windowStarts } from './sliding-window';

function manifest(overrides: Partial<ModelManifest> = {}): ModelManifest {
  return {
    format: 1, name: 'test', file: 'test.onnx', inputName: 'ct', outputName: 'labels',
    spacing: [2, 2, 2], patchSize: [16, 16, 16], overlap: 0.5, padHU: -1024,
    normalization: { clipMin: -1000, clipMax: 1000, mean: 0, std: 500 },
    classes: [
      { id: 1, name: 'bone', label: 'Bone', group: 'bone', color: '#ffffff', opacity: 1, sourceNames: [] },
      { id: 2, name: 'liver', label: 'Liver', group: 'organ', color: '#aa0000', opacity: 0.6, sourceNames: ['liver'] },
    ],
    ...overrides,
  };
}

describe('manifest', () => {
  it('accepts a valid manifest', () => {
    expect(parseManifest(JSON.parse(JSON.stringify(manifest())))).toEqual(manifest());
  });
  it('lists every problem with the source name', () => {
    const bad = { ...manifest(), spacing: [2, 0, 2], classes: [{ id: 0, name: 'x', label: 'X', group: 'muscle', color: 'red', opacity: 2, sourceNames: [] }] };
    const error = (() => { try { parseManifest(bad, 'models/x.json'); } catch (e) { return e as Error; } })();
    expect(error?.message).toMatch(/^models\/x\.json is not a valid model manifest/);
    expect(error?.message).toMatch(/spacing/);
    expect(error?.message).toMatch(/classes\[0\]\.id/);
    expect(error?.message).toMatch(/group must be one of bone, vessel, organ/);
    expect(error?.message).toMatch(/color/);
    expect(error?.message).toMatch(/opacity/);
  });
  it('takes one band per refine rule, and a growth distance of 0 mm or more', () => {
    const withRefine = (refine: unknown) => ({ ...manifest(), classes: [{ ...manifest().classes[0], refine }] });
    expect(parseManifest(withRefine({ maxHU: -500, growMm: 50 })).classes[0].refine).toEqual({ maxHU: -500, growMm: 50 });
    expect(() => parseManifest(withRefine({ minHU: 200, maxHU: -500 }), 'm.json')).toThrow(/refine needs one of minHU, maxHU or contrast/);
    expect(() => parseManifest(withRefine({ growMm: 10 }), 'm.json')).toThrow(/refine needs one of/);
    expect(() => parseManifest(withRefine({ minHU: 200, growMm: -1 }), 'm.json')).toThrow(/growMm must be a number ≥ 0/);
  });
  it('takes a marrow rule with a positive hole bound, and a hole bound on component rules', () => {
    const withRefine = (refine: unknown) => ({ ...manifest(), classes: [{ ...manifest().classes[0], refine }] });
    expect(parseManifest(withRefine({ minHU: 150, marrow: { maxMm2: 3000 } })).classes[0].refine?.marrow).toEqual({ maxMm2: 3000 });
    expect(() => parseManifest(withRefine({ minHU: 150, marrow: {} }), 'm.json')).toThrow(/refine\.marrow needs maxMm2/);
    expect(() => parseManifest(withRefine({ minHU: 150, marrow: { maxMm2: 0 } }), 'm.json')).toThrow(/refine\.marrow needs maxMm2/);
    expect(() => parseManifest(withRefine({ minHU: 150, marrow: { maxMm2: 10, fluidStaysOpen: 'yes' } }), 'm.json')).toThrow(/fluidStaysOpen must be true or false/);
    const withComponents = (components: unknown) => ({ ...manifest(), classes: [{ ...manifest().classes[0], components }] });
    expect(() => parseManifest(withComponents({ fillHoles: true, maxHoleMm2: -5 }), 'm.json')).toThrow(/maxHoleMm2 must be a number > 0/);
  });
  it('takes a scope of body regions, and names a bad one', () => {
    const scope = { description: 'adult CT of the chest, abdomen and pelvis', bodyParts: ['CHEST'], notCovered: ['HEAD'] };
    expect(parseManifest({ ...manifest(), scope }).scope).toEqual(scope);
    expect(() => parseManifest({ ...manifest(), scope: { description: 'torso', notCovered: ['HEAD'] } }, 'm.json')).toThrow(/m\.json is not a valid model manifest:\n- scope\.bodyParts must be/);
  });
});

describe('sliding window', () => {
  it('spreads windows evenly and ends flush', () => {
    expect(windowStarts(10, 16, 0.5)).toEqual([0]);
    expect(windowStarts(16, 16, 0.5)).toEqual([0]);
    expect(windowStarts(40, 16, 0.5)).toEqual([0, 8, 16, 24]);
    const s = windowStarts(45, 16, 0.5);
    expect(s[0]).toBe(0);
    expect(s[s.length - 1]).toBe(29);
    for (let n = 1; n < s.length; n++) expect(s[n] - s[n - 1]).toBeLessThanOrEqual(8);
    expect(countWindows([45, 10, 40], [16, 16, 16], 0.5)).toBe(s.length * 1 * 4);
  });

  it('never gives a zero weight, and peaks in the middle', () => {
    const w = gaussianWeights([8, 8, 8]);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(1);
    expect(w[3 + 8 * (3 + 8 * 3)]).toBeGreaterThan(w[0]);
  });

  it('reproduces a position-independent predictor exactly, padding included', async () => {
    const dims = [37, 29, 41] as const;
    const volume = Float32Array.from({ length: 37 * 29 * 41 }, (_, n) => Math.sin(n * 0.37) + Math.cos(n * 0.011));
    const threshold = (v: number) => (v > 0.8 ? 2 : v > -0.3 ? 1 : 0);
    let calls = 0;
    const labels = await slidingWindowSegment(volume, dims, async (patch) => { calls++; return Uint8Array.from(patch, threshold); }, {
      patchSize: [16, 16, 16], overlap: 0.5, classCount: 3, padValue: -9,
    });
    expect(calls).toBe(countWindows(dims, [16, 16, 16], 0.5));
    expect(Array.from(labels)).toEqual(Array.from(volume, threshold));
  });

  it('lets the window that sees a voxel near its centre win over one that sees it at its border', async () => {
    // 1-D along x: windows at 0 and 8 (patch 16). Window 0 says 1, window 8 says 2.
    const dims = [24, 1, 1] as const;
    let order = 0;
    const labels = await slidingWindowSegment(new Float32Array(24), dims, async (_p, size) => {
      // distinguish windows by call order
      return new Uint8Array(size[0] * size[1] * size[2]).fill(order++ === 0 ? 1 : 2);
    }, { patchSize: [16, 1, 1], overlap: 0.5, classCount: 3, padValue: 0 });
    // voxel 9 is at offset 9 of window 0 (near its centre 7.5) and offset 1 of window 8 (border)
    expect(labels[9]).toBe(1);
    // voxel 14 is at offset 14 of window 0 (border) and 6 of window 8 (centre)
    expect(labels[14]).toBe(2);
    expect(labels[0]).toBe(1);
    expect(labels[23]).toBe(2);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('user cancelled'));
    await expect(slidingWindowSegment(new Float32Array(8), [2, 2, 2], async () => new Uint8Array(8), {
      patchSize: [8, 8, 8], overlap: 0.5, classCount: 2, padValue: 0, signal: controller.signal,
    })).rejects.toThrow('user cancelled');
  });
});

describe('segmentVolume', () => {
  it('segments an oblique CT through the canonical grid and lands labels on the CT grid', async () => {
    // A 1 mm oblique CT holding a 500 HU ball of radius 12 mm in -1000 HU air.
    const c = Math.cos(0.4), s = Math.sin(0.4);
    const dims: [number, number, number] = [48, 44, 40];
    const grid = { dims, spacing: [1, 1, 1.2] as [number, number, number], origin: [-20, -25, 30] as [number, number, number], direction: [c, s, 0, -s, c, 0, 0, 0, 1] as Volume['direction'] };
    const centre = indexToPatient(grid, [24, 22, 20]);
    const data = new Int16Array(dims[0] * dims[1] * dims[2]);
    const inBall = (p: number[]) => Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]) <= 12;
    let n = 0;
    for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, n++) {
      data[n] = inBall(indexToPatient(grid, [i, j, k])) ? 500 : -1000;
    }
    // A fake model: label 1 where the normalized value is above 0 HU.
    const session: SegmentationSession = {
      backend: 'node-cpu',
      run: async (patch) => Uint8Array.from(patch, (v) => (v > 0 ? 1 : 0)),
      dispose: async () => {},
    };
    const stages = new Set<string>();
    const result = await segmentVolume({ ...grid, data }, { session, manifest: manifest() }, { onProgress: (p) => stages.add(p.stage) });
    expect(result.labels.dims).toEqual(dims);
    expect(result.labels.origin).toEqual(grid.origin);
    expect(result.canonicalLabels.spacing).toEqual([2, 2, 2]);
    expect([...stages]).toEqual(['resample', 'inference', 'postprocess', 'restore']);
    let agree = 0, truth = 0, predicted = 0;
    n = 0;
    for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, n++) {
      const t = data[n] > 0, p = result.labels.data[n] === 1;
      if (t) truth++;
      if (p) predicted++;
      if (t && p) agree++;
    }
    // Dice of a 2 mm round trip of a 12 mm ball: boundary voxels may flip, the bulk must not.
    expect((2 * agree) / (truth + predicted)).toBeGreaterThan(0.9);
  });
});
