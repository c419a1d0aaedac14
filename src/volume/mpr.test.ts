import { describe, expect, it } from 'vitest';
import { indexToPatient } from './geometry';
import { expandHalf, markOutsideAir, moveSlicePlane, subsampleHalf, patientToSlicePixel, resampleSlice, SLICE_WINDOWS, slicePixelToPatient, slicePlaneFor, windowGrey, windowSlice } from './mpr';
import type { Grid, Vec3, Volume } from './types';

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** An oblique, anisotropic grid: rotated 30° about S, then 10° about L. */
function obliqueGrid(): Grid {
  const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
  const c2 = Math.cos(Math.PI / 18), s2 = Math.sin(Math.PI / 18);
  // columns i, j, k: R_x(10°) · R_z(30°)
  const i: Vec3 = [c, s * c2, s * s2];
  const j: Vec3 = [-s, c * c2, c * s2];
  const k: Vec3 = [0, -s2, c2];
  return { dims: [24, 20, 16], spacing: [1.5, 2, 2.5], origin: [-12, 5, 30], direction: [...i, ...j, ...k] as Grid['direction'] };
}

function fill(grid: Grid, f: (p: Vec3) => number): Volume {
  const [nx, ny, nz] = grid.dims;
  const data = new Float32Array(nx * ny * nz);
  let n = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) data[n++] = f(indexToPatient(grid, [i, j, k]));
  return { ...grid, data };
}

describe('slice plane', () => {
  it('lies on the cut with orthonormal in-plane axes and covers the whole volume', () => {
    const grid = obliqueGrid();
    const normal: Vec3 = [0.3, -0.4, 0.866];
    const len = Math.hypot(...normal);
    const n = normal.map((x) => x / len) as Vec3;
    const plane = slicePlaneFor(grid, normal, 42);
    expect(dot(plane.origin, n)).toBeCloseTo(42, 9);
    expect(dot(plane.u, plane.u)).toBeCloseTo(1, 12);
    expect(dot(plane.v, plane.v)).toBeCloseTo(1, 12);
    expect(dot(plane.u, plane.v)).toBeCloseTo(0, 12);
    expect(dot(plane.u, n)).toBeCloseTo(0, 12);
    expect(dot(plane.v, n)).toBeCloseTo(0, 12);
    // u × v = n: the slice is seen from the side the normal points to
    const cross: Vec3 = [plane.u[1] * plane.v[2] - plane.u[2] * plane.v[1], plane.u[2] * plane.v[0] - plane.u[0] * plane.v[2], plane.u[0] * plane.v[1] - plane.u[1] * plane.v[0]];
    cross.forEach((x, a) => expect(x).toBeCloseTo(n[a], 12));
    expect(plane.spacing).toBe(1.5);
    const [nx, ny, nz] = grid.dims;
    for (const i of [-0.5, nx - 0.5]) for (const j of [-0.5, ny - 0.5]) for (const k of [-0.5, nz - 0.5]) {
      const [x, y] = patientToSlicePixel(plane, indexToPatient(grid, [i, j, k]));
      expect(x).toBeGreaterThanOrEqual(-0.5 - 1e-9);
      expect(y).toBeGreaterThanOrEqual(-0.5 - 1e-9);
      expect(x).toBeLessThanOrEqual(plane.width - 0.5 + 1e-9);
      expect(y).toBeLessThanOrEqual(plane.height - 0.5 + 1e-9);
    }
  });

  it('uses radiological display axes for the presets', () => {
    const grid: Grid = { dims: [10, 10, 10], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    expect(slicePlaneFor(grid, [0, 0, 1], 3)).toMatchObject({ u: [1, 0, 0], v: [0, 1, 0] }); // axial: patient left on the right
    expect(slicePlaneFor(grid, [0, 1, 0], 3).v).toEqual([0, 0, -1]); // coronal: superior up
    expect(slicePlaneFor(grid, [1, 0, 0], 3).u).toEqual([0, 1, 0]); // sagittal: anterior on the left
  });

  it('keeps its size and axes when moved along the normal, and caps the size by coarser pixels', () => {
    const grid = obliqueGrid();
    const a = slicePlaneFor(grid, [0, 0, 1], 10);
    const b = moveSlicePlane(a, [0, 0, 1], 25);
    expect(b.origin[2]).toBeCloseTo(25, 9);
    expect([b.width, b.height, b.spacing, b.u, b.v]).toEqual([a.width, a.height, a.spacing, a.u, a.v]);
    expect(slicePlaneFor(grid, [0, 0, 1], 10).origin[0]).toBeCloseTo(slicePlaneFor(grid, [0, 0, 1], 30).origin[0], 9);
    // a free plane: one grid size for every orientation, still covering the volume
    const free = [[0.3, 0.2, 0.93], [0.9, -0.4, 0.1], [0, 0.7, 0.7]].map((n) => slicePlaneFor(grid, n as Vec3, 10, { anyOrientation: true }));
    expect(new Set(free.map((f) => `${f.width}x${f.height}@${f.spacing}`)).size).toBe(1);
    const small = slicePlaneFor(grid, [0, 0, 1], 10, { maxSize: 16 });
    expect(Math.max(small.width, small.height)).toBeLessThanOrEqual(16);
    expect(small.spacing).toBeGreaterThan(1.5);
  });
});

describe('resampleSlice', () => {
  it('reproduces a linear HU ramp exactly on an oblique plane through an oblique volume (trilinear is exact on linear fields)', () => {
    const grid = obliqueGrid();
    const ramp = (p: Vec3) => 3 * p[0] - 2 * p[1] + 5 * p[2] - 100;
    const volume = fill(grid, ramp);
    const normal: Vec3 = [0.2, 0.5, 0.84];
    const plane = slicePlaneFor(grid, normal, 55);
    const hu = resampleSlice(volume, plane);
    let inside = 0, outside = 0;
    const p: Vec3 = [0, 0, 0];
    for (let y = 0; y < plane.height; y++) for (let x = 0; x < plane.width; x++) {
      const value = hu[x + y * plane.width];
      slicePixelToPatient(plane, x, y, p);
      if (Number.isNaN(value)) {
        outside++;
        continue;
      }
      inside++;
      // inside the voxel centres the ramp is exact; in the half-voxel rim the edge voxels repeat
      const ijk = invert(grid, p);
      if (ijk.every((v, a) => v >= 0 && v <= grid.dims[a] - 1)) expect(value).toBeCloseTo(ramp(p), 2);
    }
    expect(inside).toBeGreaterThan(100);
    expect(outside).toBeGreaterThan(0); // an oblique cut leaves corners outside the volume
  });

  it('samples a known voxel: an axial slice through its layer shows its HU at its pixel, its neighbours around it', () => {
    const grid: Grid = { dims: [9, 7, 5], spacing: [0.8, 0.8, 2], origin: [-3, 4, -10], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const volume: Volume = { ...grid, data: new Int16Array(9 * 7 * 5).fill(-1000) };
    const [i, j, k] = [6, 2, 3];
    volume.data[i + j * 9 + k * 63] = 1200;
    const voxel = indexToPatient(grid, [i, j, k]);
    const plane = slicePlaneFor(grid, [0, 0, 1], voxel[2]);
    const hu = resampleSlice(volume, plane);
    const [x, y] = patientToSlicePixel(plane, voxel);
    expect(x).toBeCloseTo(Math.round(x), 9); // pixel centres sit on voxel centres
    expect(y).toBeCloseTo(Math.round(y), 9);
    expect(hu[Math.round(x) + Math.round(y) * plane.width]).toBeCloseTo(1200, 4);
    expect(hu[Math.round(x) + 1 + Math.round(y) * plane.width]).toBeCloseTo(-1000, 4);
    // half-way to the next layer the voxel has half its weight
    const half = resampleSlice(volume, moveSlicePlane(plane, [0, 0, 1], voxel[2] + 1));
    expect(half[Math.round(x) + Math.round(y) * plane.width]).toBeCloseTo(100, 4);
    // beyond the last layer's half voxel: outside
    const beyond = resampleSlice(volume, moveSlicePlane(plane, [0, 0, 1], indexToPatient(grid, [0, 0, 4])[2] + 1.01), { outside: -2048 });
    expect(beyond.every((v) => v === -2048)).toBe(true);
  });

  it('refuses a buffer too small for the slice', () => {
    const grid: Grid = { dims: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const volume: Volume = { ...grid, data: new Int16Array(64) };
    expect(() => resampleSlice(volume, slicePlaneFor(grid, [0, 0, 1], 1), { out: new Float32Array(3) })).toThrow(/output buffer/);
  });
});

describe('air around the body', () => {
  it('marks the air connected to the border, not the air inside the body', () => {
    // 9×7: air, a body ring (40 HU) holding a lung (−850 HU)
    const w = 9, h = 7;
    const hu = new Float32Array(w * h).fill(-1000);
    for (let y = 1; y < 6; y++) for (let x = 1; x < 8; x++) hu[x + y * w] = 40;
    for (let y = 2; y < 5; y++) for (let x = 3; x < 6; x++) hu[x + y * w] = -850;
    hu[0] = NaN; // outside the volume counts as outside
    const mask = markOutsideAir(hu, w, h, -600, new Uint8Array(w * h), new Int32Array(w * h));
    expect(mask[0]).toBe(1);
    expect(mask[8 + 6 * w]).toBe(1);
    expect(mask[4 + 3 * w]).toBe(0); // the lung
    expect(mask[1 + 1 * w]).toBe(0); // the body
    expect(mask.reduce((n, v) => n + v, 0)).toBe(w * h - 7 * 5);
    const rgba = windowSlice(hu, SLICE_WINDOWS['soft-tissue'], undefined, hu.length, mask);
    expect(rgba[3]).toBe(0);
    expect(rgba[(4 + 3 * w) * 4 + 3]).toBe(255); // the lung stays, black and opaque
    expect(rgba[(4 + 3 * w) * 4]).toBe(0);
  });
});

describe('half resolution', () => {
  it('subsamples every other pixel and blows a half grid back up in 2×2 blocks', () => {
    const full = Float32Array.from({ length: 5 * 3 }, (_, i) => i);
    const half = subsampleHalf(full, 5, 3, new Float32Array(3 * 2));
    expect([...half]).toEqual([0, 2, 4, 10, 12, 14]);
    const back = expandHalf(half, 3, new Float32Array(15), 5, 3);
    expect([...back]).toEqual([0, 0, 2, 2, 4, 0, 0, 2, 2, 4, 10, 10, 12, 12, 14]);
  });
});

describe('windows', () => {
  it('maps HU through bone (W1500/L300) and soft tissue (W400/L40), NaN to transparent', () => {
    expect(windowGrey(300, SLICE_WINDOWS.bone)).toBe(128);
    expect(windowGrey(-450, SLICE_WINDOWS.bone)).toBe(0);
    expect(windowGrey(1050, SLICE_WINDOWS.bone)).toBe(255);
    expect(windowGrey(40, SLICE_WINDOWS['soft-tissue'])).toBe(128);
    expect(windowGrey(-160, SLICE_WINDOWS['soft-tissue'])).toBe(0);
    expect(windowGrey(240, SLICE_WINDOWS['soft-tissue'])).toBe(255);
    const rgba = windowSlice(Float32Array.from([40, -3000, 3000, NaN]), SLICE_WINDOWS['soft-tissue']);
    expect([...rgba]).toEqual([128, 128, 128, 255, 0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 0]);
    const values = Float32Array.from({ length: 200 }, (_, n) => -1000 + n * 17.3);
    const bytes = windowSlice(values, SLICE_WINDOWS.bone);
    values.forEach((h, n) => expect(bytes[n * 4]).toBe(windowGrey(h, SLICE_WINDOWS.bone)));
  });
});

function invert(grid: Grid, p: Vec3): Vec3 {
  const d = grid.direction, o = grid.origin;
  const q: Vec3 = [p[0] - o[0], p[1] - o[1], p[2] - o[2]];
  return [0, 1, 2].map((a) => (d[a * 3] * q[0] + d[a * 3 + 1] * q[1] + d[a * 3 + 2] * q[2]) / grid.spacing[a]) as Vec3;
}
