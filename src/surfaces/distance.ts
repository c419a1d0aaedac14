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

/**
 * Distance from each point (xyz, every `stride`-th point) to the nearest triangle of a mesh.
 * Triangles are binned in a uniform grid whose cell is about the mean triangle size; a query
 * searches rings of cells outward until no unvisited cell can hold a closer triangle.
 */
export function pointsToMeshDistance(
  points: Float32Array,
  positions: Float32Array,
  indices: Uint32Array,
  options: { stride?: number } = {},
): DistanceStats {
  const stride = Math.max(1, Math.floor(options.stride ?? 1));
  const triangles = indices.length / 3;
  const pointCount = points.length / 3;
  if (pointCount === 0) return { max: 0, mean: 0, count: 0 };
  if (triangles === 0) return { max: Infinity, mean: Infinity, count: pointCount };

  // Bounding box of mesh and points.
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  const grow = (arr: Float32Array) => {
    for (let v = 0; v < arr.length; v += 3) {
      const x = arr[v], y = arr[v + 1], z = arr[v + 2];
      if (x < x0) x0 = x; if (x > x1) x1 = x;
      if (y < y0) y0 = y; if (y > y1) y1 = y;
      if (z < z0) z0 = z; if (z > z1) z1 = z;
    }
  };
  grow(positions);
  grow(points);
  // Cell size: about twice the mean triangle bounding-box extent, bounded so the grid stays small.
  let extent = 0;
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t] * 3, b = indices[t + 1] * 3, c = indices[t + 2] * 3;
    for (let k = 0; k < 3; k++) {
      const lo = Math.min(positions[a + k], positions[b + k], positions[c + k]);
      const hi = Math.max(positions[a + k], positions[b + k], positions[c + k]);
      extent += hi - lo;
    }
  }
  extent /= triangles * 3;
  const size = Math.max(x1 - x0, y1 - y0, z1 - z0, 1e-6);
  let cell = Math.max(2 * extent, size / 256, 1e-6);
  const volumeCells = () => Math.ceil((x1 - x0) / cell + 1) * Math.ceil((y1 - y0) / cell + 1) * Math.ceil((z1 - z0) / cell + 1);
  while (volumeCells() > 4_000_000) cell *= 1.5;
  const gx = Math.ceil((x1 - x0) / cell) + 1;
  const gy = Math.ceil((y1 - y0) / cell) + 1;
  const gz = Math.ceil((z1 - z0) / cell) + 1;
  const cellOf = (v: number, lo: number, n: number) => Math.min(n - 1, Math.max(0, Math.floor((v - lo) / cell)));

  // CSR: cell → triangles overlapping it (by bounding box).
  const counts = new Uint32Array(gx * gy * gz + 1);
  const forEachCell = (t: number, visit: (c: number) => void) => {
    const a = indices[t] * 3, b = indices[t + 1] * 3, c = indices[t + 2] * 3;
    const ci0 = cellOf(Math.min(positions[a], positions[b], positions[c]), x0, gx);
    const ci1 = cellOf(Math.max(positions[a], positions[b], positions[c]), x0, gx);
    const cj0 = cellOf(Math.min(positions[a + 1], positions[b + 1], positions[c + 1]), y0, gy);
    const cj1 = cellOf(Math.max(positions[a + 1], positions[b + 1], positions[c + 1]), y0, gy);
    const ck0 = cellOf(Math.min(positions[a + 2], positions[b + 2], positions[c + 2]), z0, gz);
    const ck1 = cellOf(Math.max(positions[a + 2], positions[b + 2], positions[c + 2]), z0, gz);
    for (let k = ck0; k <= ck1; k++) for (let j = cj0; j <= cj1; j++) for (let i = ci0; i <= ci1; i++) visit(i + gx * (j + gy * k));
  };
  for (let t = 0; t < indices.length; t += 3) forEachCell(t, (c) => counts[c + 1]++);
  for (let c = 0; c < gx * gy * gz; c++) counts[c + 1] += counts[c];
  const fill = counts.slice(0, gx * gy * gz);
  const items = new Uint32Array(counts[gx * gy * gz]);
  for (let t = 0; t < indices.length; t += 3) forEachCell(t, (c) => (items[fill[c]++] = t));

  const stamp = new Int32Array(triangles).fill(-1);
  let max = 0;
  let sum = 0;
  let count = 0;
  for (let q = 0; q < pointCount; q += stride) {
    const px = points[q * 3], py = points[q * 3 + 1], pz = points[q * 3 + 2];
    const ci = cellOf(px, x0, gx), cj = cellOf(py, y0, gy), ck = cellOf(pz, z0, gz);
    let best = Infinity;
    const maxRing = Math.max(gx, gy, gz);
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
            for (let s = counts[c]; s < counts[c + 1]; s++) {
              const t = items[s];
              if (stamp[t / 3] === q) continue;
              stamp[t / 3] = q;
              const a = indices[t] * 3, b = indices[t + 1] * 3, cc = indices[t + 2] * 3;
              const d = pointTriangleDistanceSq(
                px, py, pz,
                positions[a], positions[a + 1], positions[a + 2],
                positions[b], positions[b + 1], positions[b + 2],
                positions[cc], positions[cc + 1], positions[cc + 2],
              );
              if (d < best) best = d;
            }
          }
        }
      }
      // Any triangle not seen yet lies in cells at least `ring` cells away from p's cell.
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
