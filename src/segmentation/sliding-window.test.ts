import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNiftiVolume } from '../volume/nifti';
import { parseManifest } from './manifest';
import { modelInput } from './pipeline';
import { countWindows, sliceContextOf, slidingWindowSegment, sliceWindowStarts, windowStarts, type Size3 } from './sliding-window';

describe('2.5D windows along z', () => {
  it('step by the valid interior: every slice is at least `context` inside a window, or at a volume end', () => {
    for (const length of [16, 17, 40, 119, 167, 300]) {
      const starts = sliceWindowStarts(length, 16, 2);
      expect(starts[0]).toBe(0);
      expect(starts[starts.length - 1]).toBe(Math.max(0, length - 16));
      for (let z = 0; z < length; z++) {
        const covered = starts.some((s) => (s === 0 ? z >= 0 : z >= s + 2) && (s + 16 >= length ? z < s + 16 : z < s + 14));
        expect(covered, `slice ${z} of ${length}`).toBe(true);
      }
      // No more windows than needed: one fewer would leave a gap of valid slices.
      expect(starts.length).toBe(length <= 16 ? 1 : Math.ceil((length - 16) / 12) + 1);
    }
    expect(sliceWindowStarts(167, 16, 2).length).toBe(14);
    expect(windowStarts(167, 16, 0.5).length).toBe(20);
    expect(() => sliceWindowStarts(40, 4, 2)).toThrow(/no valid slice/);
  });

  it('reads the context from a 2.5D manifest only', () => {
    expect(sliceContextOf({ training: { arch: '2.5d', context: 2 } })).toBe(2);
    expect(sliceContextOf({ training: { arch: '3d', context: 2 } })).toBeUndefined();
    expect(sliceContextOf({})).toBeUndefined();
  });
});

/**
 * A deterministic stand-in for the 2.5D network: each output slice is a function of its own input
 * slice and `context` neighbours each side, edge slices repeated inside the window (as the exported
 * graph builds its slabs), and (with `borderErrors`) deliberately wrong within 4 voxels of the
 * window's in-plane border, where in-plane blending has to outvote it.
 */
function fake25d(context: number, borderErrors = true) {
  return async (patch: Float32Array, size: Size3) => {
    const [px, py, pz] = size;
    const out = new Uint8Array(px * py * pz);
    for (let k = 0; k < pz; k++) for (let j = 0; j < py; j++) for (let i = 0; i < px; i++) {
      let sum = 0;
      for (let d = -context; d <= context; d++) {
        const kk = Math.min(pz - 1, Math.max(0, k + d));
        sum += patch[i + px * (j + py * kk)] * (d === 0 ? 2 : 1);
      }
      let label = sum > 1 ? 2 : sum > -2 ? 1 : 0;
      if (borderErrors && (i < 4 || j < 4 || i >= px - 4 || j >= py - 4)) label = (label + 1) % 3;
      out[i + px * (j + py * k)] = label;
    }
    return out;
  };
}

const SAMPLE = fileURLToPath(new URL('../../assets/sample/ct_3mm.nii.gz', import.meta.url));
const MANIFEST = fileURLToPath(new URL('../../models/holoct-seg.json', import.meta.url));

describe.skipIf(!existsSync(SAMPLE))('2.5D schedule on the sample torso (model input, deterministic 2.5D stand-in)', () => {
  const load = () => {
    const manifest = parseManifest(JSON.parse(readFileSync(MANIFEST, 'utf8')), MANIFEST);
    return { context: sliceContextOf(manifest), ...modelInput(readNiftiVolume(readFileSync(SAMPLE), SAMPLE), manifest) };
  };

  it('labels every voxel as one window holding the whole depth would, with fewer windows than overlapping z', async () => {
    const { context, grid, input } = load();
    expect(context).toBe(2);
    const [, , nz] = grid.dims;
    // In-plane windows smaller than the model's so that in-plane blending is exercised too.
    const patchSize: Size3 = [64, 64, 16];
    const common = { patchSize, overlap: 0.5, classCount: 3, padValue: -2, sliceContext: context };
    let overlapping = 0, stepped = 0;
    const predict = fake25d(2);
    await slidingWindowSegment(input, grid.dims, (p, s) => { overlapping++; return predict(p, s); }, { ...common, sliceContext: undefined });
    const labels = await slidingWindowSegment(input, grid.dims, (p, s) => { stepped++; return predict(p, s); }, common);
    // The reference: each in-plane window sees all nz slices at once, so no slice lacks context.
    const whole = await slidingWindowSegment(input, grid.dims, predict, { ...common, patchSize: [64, 64, nz] });
    let differ = 0;
    for (let n = 0; n < labels.length; n++) if (labels[n] !== whole[n]) differ++;
    expect(differ).toBe(0);
    expect(overlapping).toBe(countWindows(grid.dims, patchSize, 0.5));
    expect(stepped).toBe(countWindows(grid.dims, patchSize, 0.5, context));
    expect(countWindows(grid.dims, [192, 192, 16], 0.5)).toBe(20);
    expect(countWindows(grid.dims, [192, 192, 16], 0.5, context)).toBe(14);
  });

  it('with a model that ignores window position, equals the model run on the whole volume', async () => {
    const { grid, input } = load();
    const exact = fake25d(2, false);
    const truth = await exact(input, grid.dims);
    const labels = await slidingWindowSegment(input, grid.dims, exact, { patchSize: [192, 192, 16], overlap: 0.5, classCount: 3, padValue: -2, sliceContext: 2 });
    expect(Array.from(labels)).toEqual(Array.from(truth));
  });
});
