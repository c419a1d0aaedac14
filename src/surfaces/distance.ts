/**
 * Distances from points to a triangle mesh, with a uniform grid of triangles so that each query
 * only looks at nearby triangles. Used to measure the real geometric error of decimation.
 */

/** Squared distance from p to triangle abc (Ericson, Real-Time Collision Detection, 5.1.5). */
export function pointTriangleDistanceSq(
  px: number, py: number, pz: number,
  ax: number, ay: number, az: number,
  bx: number, by: number, bz: number,
  cx: number, cy: number, cz: number,
): number {
  const abx = bx - ax, aby = by - ay, abz = bz - az;
  const acx = cx - ax, acy = cy - ay, acz = cz - az;
  const apx = px - ax, apy = py - ay, apz = pz - az;
  const d1 = abx * apx + aby * apy + abz * apz;
  const d2 = acx * apx + acy * apy + acz * apz;
  let qx: number, qy: number, qz: number;
  if (d1 <= 0 && d2 <= 0) {
    qx = ax; qy = ay; qz = az;
  } else {
    const bpx = px - bx, bpy = py - by, bpz = pz - bz;
    const d3 = abx * bpx + aby * bpy + abz * bpz;
    const d4 = acx * bpx + acy * bpy + acz * bpz;
    if (d3 >= 0 && d4 <= d3) {
      qx = bx; qy = by; qz = bz;
    } else {
      const vc = d1 * d4 - d3 * d2;
      if (vc <= 0 && d1 >= 0 && d3 <= 0) {
        const v = d1 / (d1 - d3);
        qx = ax + v * abx; qy = ay + v * aby; qz = az + v * abz;
      } else {
        const cpx = px - cx, cpy = py - cy, cpz = pz - cz;
        const d5 = abx * cpx + aby * cpy + abz * cpz;
        const d6 = acx * cpx + acy * cpy + acz * cpz;
        if (d6 >= 0 && d5 <= d6) {
          qx = cx; qy = cy; qz = cz;
        } else {
          const vb = d5 * d2 - d1 * d6;
          if (vb <= 0 && d2 >= 0 && d6 <= 0) {
            const w = d2 / (d2 - d6);
            qx = ax + w * acx; qy = ay + w * acy; qz = az + w * acz;
          } else {
            const va = d3 * d6 - d5 * d4;
            if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
              const w = (d4 - d3) / (d4 - d3 + (d5 - d6));
              qx = bx + w * (cx - bx); qy = by + w * (cy - by); qz = bz + w * (cz - bz);
            } else {
              const denom = 1 / (va + vb + vc);
              const v = vb * denom;
              const w = vc * denom;
              qx = ax + abx * v + acx * w;
              qy = ay + aby * v + acy * w;
              qz = az + abz * v + acz * w;
            }
          }
        }
      }
    }
  }
  const dx = px - qx, dy = py - qy, dz = pz - qz;
  return dx * dx + dy * dy + dz * dz;
}

export interface DistanceStats {
  /** Largest point-to-surface distance. */
  max: number;
  /** Mean point-to-surface distance. */
  mean: number;
  /** Points measured. */
  count: number;
}

export interface DistanceOptions {
  /** Measure every n-th point only. Default 1 (all). */
  stride?: number;
  /** Grid cell size as a multiple of the mean triangle extent. Default 1. */
  cellFactor?: number;
}

/** Triangles binned in a uniform grid (CSR: cell → triangles whose bounding box overlaps it). */
interface TriangleGrid {
  /** Per triangle: 9 coordinates, contiguous. */
  tri: Float64Array;
  /** Per triangle: bounding box x0 y0 z0 x1 y1 z1. */
  box: Float64Array;
  origin: [number, number, number];
  cell: number;
  dims: [number, number, number];
  offsets: Uint32Array;
  items: Uint32Array;
}

function buildTriangleGrid(positions: Float32Array, indices: Uint32Array, cellFactor: number): TriangleGrid {
  const triangles = indices.length / 3;
  const tri = new Float64Array(triangles * 9);
  const box = new Float64Array(triangles * 6);
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  let extent = 0;
  for (let t = 0; t < triangles; t++) {
    let bx0 = Infinity, bx1 = -Infinity, by0 = Infinity, by1 = -Infinity, bz0 = Infinity, bz1 = -Infinity;
    for (let k = 0; k < 3; k++) {
      const v = indices[t * 3 + k] * 3;
      const x = positions[v], y = positions[v + 1], z = positions[v + 2];
      tri[t * 9 + k * 3] = x;
      tri[t * 9 + k * 3 + 1] = y;
      tri[t * 9 + k * 3 + 2] = z;
      if (x < bx0) bx0 = x; if (x > bx1) bx1 = x;
      if (y < by0) by0 = y; if (y > by1) by1 = y;
      if (z < bz0) bz0 = z; if (z > bz1) bz1 = z;
    }
    box[t * 6] = bx0; box[t * 6 + 1] = by0; box[t * 6 + 2] = bz0;
    box[t * 6 + 3] = bx1; box[t * 6 + 4] = by1; box[t * 6 + 5] = bz1;
    extent += (bx1 - bx0 + by1 - by0 + bz1 - bz0) / 3;
    if (bx0 < x0) x0 = bx0; if (bx1 > x1) x1 = bx1;
    if (by0 < y0) y0 = by0; if (by1 > y1) y1 = by1;
    if (bz0 < z0) z0 = bz0; if (bz1 > z1) z1 = bz1;
  }
  extent /= triangles;
  const size = Math.max(x1 - x0, y1 - y0, z1 - z0, 1e-6);
  let cell = Math.max(cellFactor * extent, size / 512, 1e-6);
  const cellsFor = (c: number) => Math.ceil((x1 - x0) / c + 1) * Math.ceil((y1 - y0) / c + 1) * Math.ceil((z1 - z0) / c + 1);
  while (cellsFor(cell) > 4_000_000) cell *= 1.25;
  const gx = Math.ceil((x1 - x0) / cell) + 1;
  const gy = Math.ceil((y1 - y0) / cell) + 1;
  const gz = Math.ceil((z1 - z0) / cell) + 1;
  const cellOf = (v: number, lo: number, n: number) => Math.min(n - 1, Math.max(0, Math.floor((v - lo) / cell)));
  const cellCount = gx * gy * gz;
  const offsets = new Uint32Array(cellCount + 1);
  const range = new Int32Array(6);
  const rangeOf = (t: number) => {
    const o = t * 6;
    range[0] = cellOf(box[o], x0, gx); range[1] = cellOf(box[o + 3], x0, gx);
    range[2] = cellOf(box[o + 1], y0, gy); range[3] = cellOf(box[o + 4], y0, gy);
    range[4] = cellOf(box[o + 2], z0, gz); range[5] = cellOf(box[o + 5], z0, gz);
  };
  for (let t = 0; t < triangles; t++) {
    rangeOf(t);
    for (let k = range[4]; k <= range[5]; k++) for (let j = range[2]; j <= range[3]; j++) for (let i = range[0]; i <= range[1]; i++) offsets[i + gx * (j + gy * k) + 1]++;
  }
  for (let c = 0; c < cellCount; c++) offsets[c + 1] += offsets[c];
  const fill = offsets.slice(0, cellCount);
  const items = new Uint32Array(offsets[cellCount]);
  for (let t = 0; t < triangles; t++) {
    rangeOf(t);
    for (let k = range[4]; k <= range[5]; k++) for (let j = range[2]; j <= range[3]; j++) for (let i = range[0]; i <= range[1]; i++) items[fill[i + gx * (j + gy * k)]++] = t;
  }
  return { tri, box, origin: [x0, y0, z0], cell, dims: [gx, gy, gz], offsets, items };
}

function triangleDistanceSq(tri: Float64Array, t: number, px: number, py: number, pz: number): number {
  const o = t * 9;
  return pointTriangleDistanceSq(px, py, pz, tri[o], tri[o + 1], tri[o + 2], tri[o + 3], tri[o + 4], tri[o + 5], tri[o + 6], tri[o + 7], tri[o + 8]);
}

/**
 * Distance from each point (xyz, every `stride`-th point) to the nearest triangle of a mesh, exact.
 *
 * Triangles are binned in a uniform grid (by bounding box; cell ≈ the mean triangle size). Each
 * query starts from an upper bound — the nearest triangle of the previous point (mesh vertices come
 * in spatially coherent order) or of the point's own cell — then visits only the cells the ball of
 * that radius touches: every triangle closer than the bound has a point inside the ball, hence is
 * binned in one of those cells. Triangles whose bounding box is already farther are skipped. When
 * no bound is cheap (a point far from the mesh), shells of cells are searched outward instead.
 */
export function pointsToMeshDistance(
  points: Float32Array,
  positions: Float32Array,
  indices: Uint32Array,
  options: DistanceOptions = {},
): DistanceStats {
  const stride = Math.max(1, Math.floor(options.stride ?? 1));
  const triangles = indices.length / 3;
  const pointCount = points.length / 3;
  if (pointCount === 0) return { max: 0, mean: 0, count: 0 };
  if (triangles === 0) return { max: Infinity, mean: Infinity, count: Math.ceil(pointCount / stride) };

  const grid = buildTriangleGrid(positions, indices, options.cellFactor ?? 1);
  const { tri, box, cell, offsets, items } = grid;
  const [x0, y0, z0] = grid.origin;
  const [gx, gy, gz] = grid.dims;
  const stamp = new Int32Array(triangles).fill(-1);
  let query = 0;

  /** Lowers `best` (squared) with every unvisited triangle of cell c; returns [best, nearest]. */
  let best = Infinity;
  let nearest = -1;
  const scanCell = (c: number, px: number, py: number, pz: number) => {
    for (let s = offsets[c], end = offsets[c + 1]; s < end; s++) {
      const t = items[s];
      if (stamp[t] === query) continue;
      stamp[t] = query;
      const o = t * 6;
      // Squared distance from p to the triangle's bounding box: a lower bound of its distance.
      const dx = px < box[o] ? box[o] - px : px > box[o + 3] ? px - box[o + 3] : 0;
      const dy = py < box[o + 1] ? box[o + 1] - py : py > box[o + 4] ? py - box[o + 4] : 0;
      const dz = pz < box[o + 2] ? box[o + 2] - pz : pz > box[o + 5] ? pz - box[o + 5] : 0;
      if (dx * dx + dy * dy + dz * dz >= best) continue;
      const d = triangleDistanceSq(tri, t, px, py, pz);
      if (d < best) {
        best = d;
        nearest = t;
      }
    }
  };
  const index = (v: number, lo: number) => Math.floor((v - lo) / cell);
  /** Cells a search of radius r around p would visit. */
  const boxCells = (px: number, py: number, pz: number, r: number) => {
    const i0 = Math.max(0, index(px - r, x0)), i1 = Math.min(gx - 1, index(px + r, x0));
    const j0 = Math.max(0, index(py - r, y0)), j1 = Math.min(gy - 1, index(py + r, y0));
    const k0 = Math.max(0, index(pz - r, z0)), k1 = Math.min(gz - 1, index(pz + r, z0));
    return i1 < i0 || j1 < j0 || k1 < k0 ? 0 : (i1 - i0 + 1) * (j1 - j0 + 1) * (k1 - k0 + 1);
  };
  // Past this many cells a box search costs more than searching shells outward.
  const boxLimit = 64;

  let max = 0;
  let sum = 0;
  let count = 0;
  for (let q = 0; q < pointCount; q += stride) {
    query = q;
    const px = points[q * 3], py = points[q * 3 + 1], pz = points[q * 3 + 2];
    const ci = index(px, x0), cj = index(py, y0), ck = index(pz, z0);
    const inside = ci >= 0 && ci < gx && cj >= 0 && cj < gy && ck >= 0 && ck < gz;
    // Upper bound: the previous point's nearest triangle, then the point's own cell.
    best = Infinity;
    if (nearest >= 0) {
      stamp[nearest] = query;
      best = triangleDistanceSq(tri, nearest, px, py, pz);
    }
    if (inside) scanCell(ci + gx * (cj + gy * ck), px, py, pz);
    let r = Math.sqrt(best);
    if (best < Infinity && boxCells(px, py, pz, r) <= boxLimit) {
      const i0 = Math.max(0, index(px - r, x0)), i1 = Math.min(gx - 1, index(px + r, x0));
      const j0 = Math.max(0, index(py - r, y0)), j1 = Math.min(gy - 1, index(py + r, y0));
      const k0 = Math.max(0, index(pz - r, z0)), k1 = Math.min(gz - 1, index(pz + r, z0));
      for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) scanCell(i + gx * (j + gy * k), px, py, pz);
    } else {
      // Shells of cells outward from p's (clamped) cell, until no unvisited cell can hold a closer triangle.
      const si = Math.min(gx - 1, Math.max(0, ci)), sj = Math.min(gy - 1, Math.max(0, cj)), sk = Math.min(gz - 1, Math.max(0, ck));
      const maxRing = Math.max(si, gx - 1 - si, sj, gy - 1 - sj, sk, gz - 1 - sk);
      for (let ring = 0; ring <= maxRing; ring++) {
        const k0 = Math.max(0, sk - ring), k1 = Math.min(gz - 1, sk + ring);
        const j0 = Math.max(0, sj - ring), j1 = Math.min(gy - 1, sj + ring);
        const i0 = Math.max(0, si - ring), i1 = Math.min(gx - 1, si + ring);
        for (let k = k0; k <= k1; k++) {
          const kOnShell = k === sk - ring || k === sk + ring;
          for (let j = j0; j <= j1; j++) {
            const jOnShell = kOnShell || j === sj - ring || j === sj + ring;
            for (let i = i0; i <= i1; i++) {
              if (!jOnShell && i !== si - ring && i !== si + ring) continue;
              scanCell(i + gx * (j + gy * k), px, py, pz);
            }
          }
        }
        // Unvisited cells lie outside this ring's cube; from a point in (or clamped to) cell
        // (si, sj, sk) they are at least ring·cell away (a point outside the grid only farther).
        const reach = ring * cell;
        if (best <= reach * reach) break;
      }
    }
    r = Math.sqrt(best);
    if (r > max) max = r;
    sum += r;
    count++;
  }
  return { max, mean: count ? sum / count : 0, count };
}
