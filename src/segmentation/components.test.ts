import { describe, expect, it } from 'vitest';
import { componentsByLabel, fillRegion, findComponents, IndexStack } from './components';

describe('scanline region fill', () => {
  it('fills a 6-connected region around corners and across slices, and nothing diagonal to it', () => {
    // a U in slice 0 (two arms joined at the bottom row), a bridge to slice 1, and a voxel touching it only diagonally
    const dims = [6, 5, 2] as const;
    const at = (i: number, j: number, k: number) => i + 6 * (j + 5 * k);
    const data = new Uint8Array(6 * 5 * 2);
    for (let j = 0; j < 5; j++) { data[at(0, j, 0)] = 1; data[at(4, j, 0)] = 1; }
    for (let i = 0; i <= 4; i++) data[at(i, 4, 0)] = 1;
    data[at(4, 0, 1)] = 1; data[at(5, 0, 1)] = 1; // above the right arm's top
    data[at(1, 1, 1)] = 1; // diagonal to (0, 0, 0) and (0, 1, 0)'s slice neighbour is (0, 1, 1): not set
    const values = Float32Array.from(data, (_, n) => n);
    const region = fillRegion(data, dims, at(0, 0, 0), 1, 7, { values });
    expect(region.size).toBe(5 + 5 + 3 + 2);
    let sum = 0;
    for (let n = 0; n < data.length; n++) if (data[n] === 7) sum += n;
    expect(region.sum).toBe(sum);
    let sumSquares = 0;
    for (let n = 0; n < data.length; n++) if (data[n] === 7) sumSquares += n * n;
    expect(region.sumSquares).toBe(sumSquares);
    expect(data[at(5, 0, 1)]).toBe(7);
    expect(data[at(1, 1, 1)]).toBe(1);
    // a seed that is not `from` fills nothing
    expect(fillRegion(data, dims, at(2, 2, 0), 1, 7).size).toBe(0);
    // values of a larger volume, the grid starting at valuesOffset
    const again = new Uint8Array(6 * 5 * 2).fill(1);
    const shifted = new Float32Array(1000 + again.length).fill(3);
    expect(fillRegion(again, dims, 0, 1, 2, { values: shifted, valuesOffset: 1000 })).toEqual({ size: 60, sum: 180, sumSquares: 540 });
  });

  it('fills a large spiral without growing the stack per voxel', () => {
    // a square spiral in one slice: every turn needs the fill to come back along a row
    const n = 81;
    const data = new Uint8Array(n * n);
    let i = 0, j = 0, len = n - 1, dir = 0, painted = 0;
    const steps = [[1, 0], [0, 1], [-1, 0], [0, -1]];
    data[0] = 1; painted++;
    while (len > 0) {
      for (let s = 0; s < len; s++) { i += steps[dir][0]; j += steps[dir][1]; if (!data[i + n * j]) { data[i + n * j] = 1; painted++; } }
      dir = (dir + 1) % 4;
      if (dir % 2 === 0) len -= 2;
    }
    const stack = new IndexStack();
    expect(fillRegion(data, [n, n, 1], 0, 1, 2, { stack }).size).toBe(painted);
    expect(data.includes(1)).toBe(false);
    expect(stack.data.length).toBeLessThan(painted);
  });

  it('refuses to fill a value with itself', () => {
    expect(() => fillRegion(new Uint8Array(4), [4, 1, 1], 0, 0, 0)).toThrow(RangeError);
  });
});

describe('components', () => {
  it('finds the components of a mask and of each label, seeds in scan order, largest first per label', () => {
    const dims = [5, 3, 1] as const;
    const data = Uint8Array.from([
      1, 1, 0, 2, 2,
      0, 0, 0, 0, 2,
      1, 0, 3, 0, 0,
    ]);
    expect(findComponents(data.map((v) => (v === 1 ? 1 : 0)), dims)).toEqual([{ seed: 0, size: 2 }, { seed: 10, size: 1 }]);
    const byLabel = componentsByLabel(data, dims);
    expect(byLabel.get(1)).toEqual([{ seed: 0, size: 2 }, { seed: 10, size: 1 }]);
    expect(byLabel.get(2)).toEqual([{ seed: 3, size: 3 }]);
    expect(byLabel.get(3)).toEqual([{ seed: 12, size: 1 }]);
    expect(data[0]).toBe(1); // the input is not changed
  });
});

describe('components of labels from 128 up', () => {
  it('are found on a copy, with the same answer', () => {
    const data = Uint8Array.from([200, 200, 0, 7, 200]);
    const byLabel = componentsByLabel(data, [5, 1, 1]);
    expect(byLabel.get(200)).toEqual([{ seed: 0, size: 2 }, { seed: 4, size: 1 }]);
    expect(byLabel.get(7)).toEqual([{ seed: 3, size: 1 }]);
    expect([...data]).toEqual([200, 200, 0, 7, 200]);
  });
});
