/** The pictures of docs/accuracy.md: an axial and a coronal slice of a case with its labels over the CT. */
import { writeFileSync } from 'node:fs';
import type { ModelManifest } from '../../src/segmentation/manifest';
import { indexToPatient, patientToIndex } from '../../src/volume/geometry';
import type { LabelMap, Volume } from '../../src/volume/types';
import { encodePng } from '../lib/png';

/** An axial and a coronal slice of the CT (W 400 / L 40) with the labels over it, radiological view, 1 mm pixels. */
export function drawSlices(volume: Volume, labels: LabelMap, manifest: ModelManifest, file: string): void {
  const colors = new Map(manifest.classes.map((c) => [c.id, [1, 3, 5].map((i) => parseInt(c.color.slice(i, i + 2), 16))]));
  const corners = [0, 1].flatMap((a) => [0, 1].flatMap((b) => [0, 1].map((d) => indexToPatient(volume, [a * (volume.dims[0] - 1), b * (volume.dims[1] - 1), d * (volume.dims[2] - 1)]))));
  const lo = [0, 1, 2].map((i) => Math.min(...corners.map((p) => p[i])));
  const hi = [0, 1, 2].map((i) => Math.max(...corners.map((p) => p[i])));
  // the slice through the centre of the labelled voxels
  let sum = [0, 0, 0], count = 0;
  for (let n = 0; n < labels.data.length; n += 7) {
    if (!labels.data[n]) continue;
    const i = n % volume.dims[0], j = Math.floor(n / volume.dims[0]) % volume.dims[1], k = Math.floor(n / (volume.dims[0] * volume.dims[1]));
    const p = indexToPatient(volume, [i, j, k]);
    sum = sum.map((s, a) => s + p[a]); count++;
  }
  const centre = count ? sum.map((s) => s / count) : lo.map((l, a) => (l + hi[a]) / 2);
  // about 360 pixels across, within 0.5..1.5 mm per pixel
  const px = Math.max(0.5, Math.min(1.5, Math.max(hi[0] - lo[0], hi[2] - lo[2]) / 360));
  const sample = (p: [number, number, number]): [number, number] => {
    const ijk = patientToIndex(volume, p).map(Math.round);
    if (ijk.some((v, a) => v < 0 || v >= volume.dims[a])) return [-1024, 0];
    const n = ijk[0] + volume.dims[0] * (ijk[1] + volume.dims[1] * ijk[2]);
    return [volume.data[n], labels.data[n]];
  };
  const render = (w: number, h: number, at: (u: number, v: number) => [number, number, number]) => {
    const rgb = new Uint8Array(w * h * 3);
    for (let v = 0; v < h; v++) for (let u = 0; u < w; u++) {
      const [hu, label] = sample(at(u, v));
      const g = Math.max(0, Math.min(255, ((hu - (40 - 200)) / 400) * 255));
      const c = colors.get(label);
      const o = (v * w + u) * 3;
      for (let k = 0; k < 3; k++) rgb[o + k] = c ? Math.round(0.45 * g + 0.55 * c[k]) : g;
    }
    return rgb;
  };
  // axial: image right = patient left (+x), down = posterior (+y); coronal: right = +x, down = inferior (−z)
  const w = Math.round((hi[0] - lo[0]) / px) + 1;
  const ha = Math.round((hi[1] - lo[1]) / px) + 1;
  const hc = Math.round((hi[2] - lo[2]) / px) + 1;
  const axial = render(w, ha, (u, v) => [lo[0] + u * px, lo[1] + v * px, centre[2]]);
  const coronal = render(w, hc, (u, v) => [lo[0] + u * px, centre[1], hi[2] - v * px]);
  // side by side, 4 px gap
  const W = 2 * w + 4, H = Math.max(ha, hc);
  const out = new Uint8Array(W * H * 3);
  for (let v = 0; v < ha; v++) out.set(axial.subarray(v * w * 3, (v + 1) * w * 3), v * W * 3);
  for (let v = 0; v < hc; v++) out.set(coronal.subarray(v * w * 3, (v + 1) * w * 3), (v * W + w + 4) * 3);
  writeFileSync(file, encodePng(W, H, out));
}
