import { describe, expect, it } from 'vitest';
import { axesFromOrientation, orientationLabel, planStack, type PlannerSlice } from './geometry';

const AXIAL: PlannerSlice['orientation'] = [1, 0, 0, 0, 1, 0];

function slices(zs: number[], opts: Partial<PlannerSlice> = {}, offset: (z: number) => [number, number, number] = () => [0, 0, 0]): PlannerSlice[] {
  return zs.map((z, k) => {
    const o = offset(z);
    return {
      position: [-100 + o[0], -120 + o[1], z + o[2]],
      orientation: AXIAL,
      pixelSpacing: [0.8, 0.5],
      rows: 20,
      columns: 10,
      order: k + 1,
      label: `s${k}`,
      ...opts,
    };
  });
}

describe('planStack', () => {
  it('orders slices by position along the normal, whatever the file order', () => {
    const plan = planStack(slices([6, 0, 4, 2]));
    expect(plan.order).toEqual([1, 3, 2, 0]);
    expect(plan.direct).toBe(true);
    expect(plan.grid.dims).toEqual([10, 20, 4]);
    // PixelSpacing is [row spacing, column spacing]: i (columns) gets the second value.
    expect(plan.grid.spacing).toEqual([0.5, 0.8, 2]);
    expect(plan.grid.origin).toEqual([-100, -120, 0]);
    expect(plan.grid.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(plan.notes).toEqual([]);
  });

  it('uses the normal (row × column), not z: a feet-first coronal stack sorts along +y', () => {
    // Coronal: rows along +x, columns along -z; normal = x × (-z) = +y.
    const coronal: PlannerSlice['orientation'] = [1, 0, 0, 0, 0, -1];
    const input = [3, 1, 2].map((y, k): PlannerSlice => ({ position: [0, y, 50], orientation: coronal, pixelSpacing: [1, 1], rows: 4, columns: 4, order: k, label: `c${k}` }));
    const plan = planStack(input);
    expect(plan.orientation).toBe('coronal');
    expect(plan.order).toEqual([1, 2, 0]);
    expect(plan.grid.origin).toEqual([0, 1, 50]);
    expect(plan.grid.direction.slice(6)).toEqual([0, 1, 0]);
  });

  it('drops duplicates, preferring lossless copies, and says so', () => {
    const input = slices([0, 2, 2, 4]);
    input[1].preference = 1; // a lossy copy at z=2 listed first
    const plan = planStack(input);
    expect(plan.order).toEqual([0, 2, 3]);
    expect(plan.notes.join('\n')).toMatch(/1 duplicate slice .*dropped: s1/);
    expect(plan.grid.dims[2]).toBe(3);
  });

  it('reports a gap and resamples the stack to uniform spacing', () => {
    const plan = planStack(slices([0, 2, 4, 8, 10]));
    expect(plan.direct).toBe(false);
    expect(plan.grid.dims[2]).toBe(6);
    expect(plan.grid.spacing[2]).toBe(2);
    const notes = plan.notes.join('\n');
    expect(notes).toMatch(/gap in the stack .*4 mm between slices at 4 and 8 mm/);
    expect(notes).toMatch(/not uniform \(2–4 mm, median 2 mm\)/);
    // Output slice 3 (z = 6) is halfway between source slices 2 (z=4) and 3 (z=8).
    expect(plan.recipes[3]).toEqual({ source: 2, weight: 0.5 });
    expect(plan.recipes[4]).toEqual({ source: 3, weight: 0 });
  });

  it('resamples uneven spacing without calling it a gap', () => {
    const plan = planStack(slices([0, 4, 8, 9, 16, 23]));
    const notes = plan.notes.join('\n');
    expect(notes).not.toMatch(/gap/);
    expect(notes).toMatch(/not uniform \(1–7 mm, median 4 mm\): resampled to 4 mm/);
    expect(plan.grid.dims[2]).toBe(6); // 0..20 in steps of 4 (23 is beyond the last full step)
  });

  it('corrects gantry tilt: shifts per slice, grid grown, tilt angle reported', () => {
    // Slices tilted by 20° about x, table moving along z: each slice's in-plane row offset is z·(v·z).
    const t = (20 * Math.PI) / 180;
    const iop: PlannerSlice['orientation'] = [1, 0, 0, 0, Math.cos(t), -Math.sin(t)];
    const input = slices([0, 5, 10, 15], { orientation: iop, pixelSpacing: [1, 1] });
    const plan = planStack(input);
    expect(plan.tiltDegrees).toBeCloseTo(20, 6);
    expect(plan.orientation).toBe('axial');
    // Spacing along the normal is 5·cos(20°).
    expect(plan.grid.spacing[2]).toBeCloseTo(5 * Math.cos(t), 9);
    // Row offsets: -z·sin(20°) → the last slice sits 15·sin(20°) = 5.13 rows "above" the first.
    expect(plan.grid.dims).toEqual([10, 20 + 6, 4]);
    expect(plan.shifts[0][1]).toBeCloseTo(-6, 9);
    expect(plan.shifts[3][1]).toBeCloseTo(-6 + 15 * Math.sin(t), 9);
    expect(plan.notes.join('\n')).toMatch(/gantry tilt 20° .*grid grown by 0 columns and 6 rows/);
    // Origin moved by -6 rows along v.
    expect(plan.grid.origin[1]).toBeCloseTo(-120 - 6 * Math.cos(t), 9);
    expect(plan.grid.origin[2]).toBeCloseTo(6 * Math.sin(t), 9);
  });

  it('refuses stacks that are not one volume', () => {
    const mixed = slices([0, 2]);
    mixed[1] = { ...mixed[1], rows: 21 };
    expect(() => planStack(mixed)).toThrow(/matrix 10×21 differs/);
    expect(() => planStack(slices([0, 2], { pixelSpacing: [0, 1] }))).toThrow(/not positive/);
    expect(() => axesFromOrientation([1, 0, 0, 1, 0, 0])).toThrow(/not perpendicular/);
  });

  it('labels orientations by the dominant normal axis', () => {
    expect(orientationLabel([0, 0, 1])).toBe('axial');
    expect(orientationLabel([0, 0.3173, 0.9483])).toBe('axial');
    expect(orientationLabel([1, 0, 0])).toBe('sagittal');
    expect(orientationLabel([0, -1, 0])).toBe('coronal');
    expect(orientationLabel([0.6, 0, 0.8])).toBe('oblique');
  });
});
