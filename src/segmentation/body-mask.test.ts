import { describe, expect, it } from 'vitest';
import { bodyMask } from './body-mask';

describe('body mask', () => {
  // 2 mm voxels, 90×70×10: a trunk (ellipse 25×15 voxels) with a lung, an arm beside it, a table under it
  // joined by a blanket strip, and in slices 0..4 the arm touches the chest, enclosing air between them.
  const [nx, ny, nz] = [90, 70, 10];
  const hu = new Float32Array(nx * ny * nz).fill(-1000);
  const at = (i: number, j: number, k: number) => i + nx * (j + ny * k);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const trunk = ((i - 50) / 25) ** 2 + ((j - 30) / 15) ** 2 <= 1;
    const lung = (i - 42) ** 2 + (j - 28) ** 2 <= 36;
    const arm = (i - 12) ** 2 + (j - 30) ** 2 <= 49;
    const table = j >= 50 && j <= 51 && i >= 5 && i <= 85;
    const blanket = j > 44 && j < 50 && i >= 49 && i <= 50;
    const bridge = k < 5 && i >= 18 && i <= 26 && ((j >= 22 && j <= 24) || (j >= 36 && j <= 38));
    if (trunk || arm || table || blanket || bridge) hu[at(i, j, k)] = 40;
    if (lung) hu[at(i, j, k)] = -850;
  }
  const body = bodyMask(hu, { dims: [nx, ny, nz], spacing: [2, 2, 2] });

  it('holds the trunk, the lung inside it and the arm beside it', () => {
    expect(body[at(50, 30, 5)]).toBe(1);
    expect(body[at(42, 28, 5)]).toBe(1); // lung
    expect(body[at(12, 30, 5)]).toBe(1); // arm
  });

  it('leaves out the table, the blanket and the air around', () => {
    expect(body[at(80, 50, 5)]).toBe(0);
    expect(body[at(50, 50, 5)]).toBe(0);
    expect(body[at(49, 47, 5)]).toBe(0);
    expect(body[at(2, 2, 2)]).toBe(0);
  });

  it('keeps a lung cut by the field of view (lung density reaching the side border)', () => {
    const crop = new Float32Array(40 * 40 * 6).fill(40);
    const idx = (i: number, j: number, k: number) => i + 40 * (j + 40 * k);
    for (let k = 0; k < 6; k++) for (let j = 10; j < 30; j++) for (let i = 0; i < 15; i++) crop[idx(i, j, k)] = -850 + ((i + j + k) % 3) * 40;
    const m = bodyMask(crop, { dims: [40, 40, 6], spacing: [2, 2, 2] });
    expect(m[idx(0, 20, 3)]).toBe(1);
    expect(m[idx(8, 20, 3)]).toBe(1);
  });

  it('leaves out the air between arm and chest where the arm touches the chest, as it opens further along z', () => {
    expect(hu[at(22, 30, 2)]).toBe(-1000);
    expect(body[at(22, 30, 2)]).toBe(0);
  });
});
