/**
 * Geodesic growth of a label: it claims every voxel that a path of claimable voxels (6-connected)
 * reaches from the label within `maxMm`, the path's length being its steps weighted by the voxel
 * spacing along each step's axis. Where a box reach (refine.ts) would jump a gap of soft tissue
 * into a neighbouring bright structure, growth only follows tissue of the band: a rib the network
 * half-found, a lung it found only around the hilum.
 *
 * Exact shortest paths in O(voxels) without a priority queue: a step has one of three lengths, so
 * three FIFO queues (one per axis) each receive distances in nondecreasing order, and the smallest
 * of their heads is the next voxel to settle. A voxel is claimed when it is settled, so no distance
 * array is held (a 512²×300 CT would need 300 MB of it); a voxel may wait in up to six queues.
 */
import type { Dims } from './morphology';

/** A growable FIFO of (voxel, distance) pairs. */
class PathQueue {
  private voxels = new Int32Array(1024);
  private distances = new Float64Array(1024);
  private head = 0;
  private tail = 0;

  get empty(): boolean {
    return this.head === this.tail;
  }

  /** Distance at the head (call only when not empty). */
  get nextDistance(): number {
    return this.distances[this.head];
  }

  push(voxel: number, distance: number): void {
    if (this.tail === this.voxels.length) {
      // reuse the consumed front before growing
      const live = this.tail - this.head;
      const size = live * 2 > this.voxels.length ? this.voxels.length * 2 : this.voxels.length;
      const voxels = new Int32Array(size);
      const distances = new Float64Array(size);
      voxels.set(this.voxels.subarray(this.head, this.tail));
      distances.set(this.distances.subarray(this.head, this.tail));
      this.voxels = voxels;
      this.distances = distances;
      this.head = 0;
      this.tail = live;
    }
    this.voxels[this.tail] = voxel;
    this.distances[this.tail++] = distance;
  }

  shiftVoxel(): number {
    return this.voxels[this.head++];
  }
}

/**
 * Grows `label` in `data` (in place) into voxels for which `claimable(n)` holds, up to `maxMm` of
 * path length from the label's voxels as they came in. Returns the number of voxels claimed.
 */
export function growGeodesic(
  data: Uint8Array,
  dims: Dims,
  spacing: readonly [number, number, number],
  label: number,
  maxMm: number,
  claimable: (n: number) => boolean,
): number {
  const [nx, ny, nz] = dims;
  const queues = [new PathQueue(), new PathQueue(), new PathQueue()];
  const limit = maxMm + 1e-6;
  const [sx, sy, sz] = spacing;
  const sxy = nx * ny;
  const visit = (m: number, d: number, queue: PathQueue) => {
    if (d <= limit && data[m] !== label && claimable(m)) queue.push(m, d);
  };
  const relax = (n: number, i: number, j: number, k: number, distance: number) => {
    if (i > 0) visit(n - 1, distance + sx, queues[0]);
    if (i < nx - 1) visit(n + 1, distance + sx, queues[0]);
    if (j > 0) visit(n - nx, distance + sy, queues[1]);
    if (j < ny - 1) visit(n + nx, distance + sy, queues[1]);
    if (k > 0) visit(n - sxy, distance + sz, queues[2]);
    if (k < nz - 1) visit(n + sxy, distance + sz, queues[2]);
  };
  let n = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, n++) {
    if (data[n] === label) relax(n, i, j, k, 0);
  }
  let claimed = 0;
  for (;;) {
    let best = -1;
    for (let q = 0; q < 3; q++) {
      if (!queues[q].empty && (best < 0 || queues[q].nextDistance < queues[best].nextDistance)) best = q;
    }
    if (best < 0) break;
    const distance = queues[best].nextDistance;
    const m = queues[best].shiftVoxel();
    if (data[m] === label) continue; // settled by a shorter path
    data[m] = label;
    claimed++;
    const i = m % nx;
    const j = Math.floor(m / nx) % ny;
    const k = Math.floor(m / sxy);
    relax(m, i, j, k, distance);
  }
  return claimed;
}
