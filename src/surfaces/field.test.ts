import { describe, expect, it } from 'vitest';
import { classStats, gaussianKernel, maskCrop, smoothedMaskLayers } from './field';
import { phantomLabelMap } from '../../tests/fixtures/synthetic-labels';

describe('smoothed mask field', () => {
  it('streamed layers equal a dense separable convolution of the cropped mask', () => {
    const labels = phantomLabelMap([40, 36, 30], 5, { spacing: [1, 1, 1] }, 3);
    const [gx, gy, gz] = labels.dims;
    const stats = classStats(labels);
    for (const id of [1, 3, 5]) {
      const weights = gaussianKernel(0.8);
      const r = (weights.length - 1) / 2;
      const crop = maskCrop(stats.boxes.subarray(id * 6, id * 6 + 6), r);
      const { nx, ny, nz } = crop;
      const [ox, oy, oz] = crop.offset;
      // Dense reference: f(x,y,z) = Σ w(a) w(b) w(c) mask(x−a, y−b, z−c).
      const mask = (x: number, y: number, z: number) => {
        const i = x + ox, j = y + oy, k = z + oz;
        return i >= 0 && j >= 0 && k >= 0 && i < gx && j < gy && k < gz && labels.data[i + gx * (j + gy * k)] === id ? 1 : 0;
      };
      const layers = smoothedMaskLayers(labels, id, crop, weights);
      const out = new Float32Array(nx * ny);
      let worst = 0;
      for (let z = 0; z < nz; z++) {
        const rect = layers.layer(z, out);
        for (let y = 0; y < ny; y++) {
          for (let x = 0; x < nx; x++) {
            let v = 0;
            for (let c = -r; c <= r; c++) for (let b = -r; b <= r; b++) for (let a = -r; a <= r; a++) {
              v += weights[a + r] * weights[b + r] * weights[c + r] * mask(x - a, y - b, z - c);
            }
            worst = Math.max(worst, Math.abs(v - out[x + nx * y]));
            // Outside the reported rectangle the field must be zero.
            const inRect = rect && x >= rect.x0 && x <= rect.x1 && y >= rect.y0 && y <= rect.y1;
            if (!inRect && v > 1e-6) throw new Error(`class ${id}: non-zero field outside the rectangle at ${x},${y},${z}`);
          }
        }
      }
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('class statistics: voxel counts, boxes and boundary faces of a block', () => {
    const labels = phantomLabelMap([10, 10, 10], 1, {}, 1);
    labels.data.fill(0);
    for (let k = 2; k < 5; k++) for (let j = 3; j < 7; j++) for (let i = 1; i < 3; i++) labels.data[i + 10 * (j + 10 * k)] = 9;
    const stats = classStats(labels);
    expect(stats.voxels[9]).toBe(2 * 4 * 3);
    expect(Array.from(stats.boxes.subarray(54, 60))).toEqual([1, 3, 2, 2, 6, 4]);
    expect(stats.boundaryFaces[9]).toBe(2 * (2 * 4 + 4 * 3 + 2 * 3));
  });
});
