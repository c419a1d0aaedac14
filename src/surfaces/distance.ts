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
  /** Grid cell size as a multiple of the mean triangle extent. Default 0.75. */
  cellFactor?: number;
}

/**
 * Distance from each point (xyz, every `stride`-th point) to the nearest triangle of a mesh.
 * Triangles are binned in a uniform grid (by bounding box; cell ≈ the mean triangle size); a query
 * searches shells of cells outward until no unvisited cell can hold a closer triangle, and skips
 * triangles whose bounding sphere is already farther than the best distance found.
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

  // Per triangle: its 9 coordinates and bounding sphere (centre, radius), contiguous.
  const tri = new Float64Array(triangles * 9);
  const sphere = new Float64Array(triangles * 4);
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  let extent = 0;
  for (let t = 0; t < triangles; t++) {
    let cx = 0, cy = 0, cz = 0;
    for (let k = 0; k < 3; k++) {
      const v = indices[t * 3 + k] * 3;
      const x = positions[v], y = positions[v + 1], z = positions[v + 2];
      tri[t * 9 + k * 3] = x;
      tri[t * 9 + k * 3 + 1] = y;
      tri[t * 9 + k * 3 + 2] = z;
      cx += x / 3; cy += y / 3; cz += z / 3;
    }
    let r = 0;
    let bx0 = Infinity, bx1 = -Infinity, by0 = Infinity, by1 = -Infinity, bz0 = Infinity, bz1 = -Infinity;
    for (let k = 0; k < 3; k++) {
      const x = tri[t * 9 + k * 3], y = tri[t * 9 + k * 3 + 1], z = tri[t * 9 + k * 3 + 2];
      r = Math.max(r, Math.hypot(x - cx, y - cy, z - cz));
      if (x < bx0) bx0 = x; if (x > bx1) bx1 = x;
      if (y < by0) by0 = y; if (y > by1) by1 = y;
      if (z < bz0) bz0 = z; if (z > bz1) bz1 = z;
    }
    extent += (bx1 - bx0 + by1 - by0 + bz1 - bz0) / 3;
    if (bx0 < x0) x0 = bx0; if (bx1 > x1) x1 = bx1;
    if (by0 < y0) y0 = by0; if (by1 > y1) y1 = by1;
    if (bz0 < z0) z0 = bz0; if (bz1 > z1) z1 = bz1;
    sphere[t * 4] = cx; sphere[t * 4 + 1] = cy; sphere[t * 4 + 2] = cz; sphere[t * 4 + 3] = r;
  }
  extent /= triangles;
  const size = Math.max(x1 - x0, y1 - y0, z1 - z0, 1e-6);
  let cell = Math.max((options.cellFactor ?? 0.75) * extent, size / 512, 1e-6);
  const cellsFor = (c: number) => Math.ceil((x1 - x0) / c + 1) * Math.ceil((y1 - y0) / c + 1) * Math.ceil((z1 - z0) / c + 1);
  while (cellsFor(cell) > 4_000_000) cell *= 1.25;
  const gx = Math.ceil((x1 - x0) / cell) + 1;
  const gy = Math.ceil((y1 - y0) / cell) + 1;
  const gz = Math.ceil((z1 - z0) / cell) + 1;
  const cellOf = (v: number, lo: number, n: number) => Math.min(n - 1, Math.max(0, Math.floor((v - lo) / cell)));

  // CSR: cell → triangles whose bounding box overlaps it.
  const cellCount = gx * gy * gz;
  const counts = new Uint32Array(cellCount + 1);
  const range = new Int32Array(6);
  const boxOf = (t: number) => {
    const o = t * 9;
    range[0] = cellOf(Math.min(tri[o], tri[o + 3], tri[o + 6]), x0, gx);
    range[1] = cellOf(Math.max(tri[o], tri[o + 3], tri[o + 6]), x0, gx);
    range[2] = cellOf(Math.min(tri[o + 1], tri[o + 4], tri[o + 7]), y0, gy);
    range[3] = cellOf(Math.max(tri[o + 1], tri[o + 4], tri[o + 7]), y0, gy);
    range[4] = cellOf(Math.min(tri[o + 2], tri[o + 5], tri[o + 8]), z0, gz);
    range[5] = cellOf(Math.max(tri[o + 2], tri[o + 5], tri[o + 8]), z0, gz);
  };
  for (let t = 0; t < triangles; t++) {
    boxOf(t);
    for (let k = range[4]; k <= range[5]; k++) for (let j = range[2]; j <= range[3]; j++) for (let i = range[0]; i <= range[1]; i++) counts[i + gx * (j + gy * k) + 1]++;
  }
  for (let c = 0; c < cellCount; c++) counts[c + 1] += counts[c];
  const fill = counts.slice(0, cellCount);
  const items = new Uint32Array(counts[cellCount]);
  for (let t = 0; t < triangles; t++) {
    boxOf(t);
    for (let k = range[4]; k <= range[5]; k++) for (let j = range[2]; j <= range[3]; j++) for (let i = range[0]; i <= range[1]; i++) items[fill[i + gx * (j + gy * k)]++] = t;
  }

  const stamp = new Int32Array(triangles).fill(-1);
  let max = 0;
  let sum = 0;
  let count = 0;
  for (let q = 0; q < pointCount; q += stride) {
    const px = points[q * 3], py = points[q * 3 + 1], pz = points[q * 3 + 2];
    const ci = Math.floor((px - x0) / cell), cj = Math.floor((py - y0) / cell), ck = Math.floor((pz - z0) / cell);
    // Enough rings to cover the grid from p, even when p lies outside it.
    const maxRing = Math.max(ci, gx - 1 - ci, cj, gy - 1 - cj, ck, gz - 1 - ck);
    let best = Infinity;
    for (let ring = 0; ring <= maxRing; ring++) {
      const k0 = Math.max(0, ck - ring), k1 = Math.min(gz - 1, ck + ring);
      const j0 = Math.max(0, cj - ring), j1 = Math.min(gy - 1, cj + ring);
      const i0 = Math.max(0, ci - ring), i1 = Math.min(gx - 1, ci + ring);
      for (let k = k0; k <= k1; k++) {
        const kOnShell = k === ck - ring || k === ck + ring;
        for (let j = j0; j <= j1; j++) {
          const jOnShell = kOnShell || j === cj - ring || j === cj + ring;
          for (let i = i0; i <= i1; i++) {
            // Only the shell of this ring: inner cells were searched before.
            if (!jOnShell && i !== ci - ring && i !== ci + ring) continue;
            const c = i + gx * (j + gy * k);
            for (let s = counts[c], end = counts[c + 1]; s < end; s++) {
              const t = items[s];
              if (stamp[t] === q) continue;
              stamp[t] = q;
              const so = t * 4;
              const dc = Math.sqrt((px - sphere[so]) ** 2 + (py - sphere[so + 1]) ** 2 + (pz - sphere[so + 2]) ** 2) - sphere[so + 3];
              if (dc > 0 && dc * dc >= best) continue;
              const o = t * 9;
              const d = pointTriangleDistanceSq(
                px, py, pz,
                tri[o], tri[o + 1], tri[o + 2],
                tri[o + 3], tri[o + 4], tri[o + 5],
                tri[o + 6], tri[o + 7], tri[o + 8],
              );
              if (d < best) best = d;
            }
          }
        }
      }
      // Triangles not seen yet touch only cells outside this ring's cube, at least ring·cell away
      // from p (p lies inside its cell, or outside the grid, which only makes them farther).
      const reach = ring * cell;
      if (best <= reach * reach) break;
    }
    const dist = Math.sqrt(best);
    if (dist > max) max = dist;
    sum += dist;
    count++;
  }
  return { max, mean: count ? sum / count : 0, count };
}
