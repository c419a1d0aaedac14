/**
 * Small, allocation-light operations on indexed triangle meshes (xyz Float32Array + Uint32Array
 * triangles): normals, enclosed volume, topology checks, compaction, connected components.
 * Pure functions; no DOM or Node API.
 */

export interface IndexedMesh {
  /** xyz per vertex. */
  positions: Float32Array;
  /** Three vertex indices per triangle. */
  indices: Uint32Array;
}

/**
 * Area-weighted vertex normals: each triangle adds its (unnormalized) cross product to its three
 * vertices, so large triangles count more and the result points outward for counter-clockwise
 * triangles seen from outside.
 */
export function computeNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  const acc = new Float64Array(positions.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t] * 3;
    const b = indices[t + 1] * 3;
    const c = indices[t + 2] * 3;
    const ux = positions[b] - positions[a];
    const uy = positions[b + 1] - positions[a + 1];
    const uz = positions[b + 2] - positions[a + 2];
    const vx = positions[c] - positions[a];
    const vy = positions[c + 1] - positions[a + 1];
    const vz = positions[c + 2] - positions[a + 2];
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    acc[a] += nx; acc[a + 1] += ny; acc[a + 2] += nz;
    acc[b] += nx; acc[b + 1] += ny; acc[b + 2] += nz;
    acc[c] += nx; acc[c + 1] += ny; acc[c + 2] += nz;
  }
  const normals = new Float32Array(positions.length);
  for (let v = 0; v < acc.length; v += 3) {
    const len = Math.hypot(acc[v], acc[v + 1], acc[v + 2]);
    if (len > 0) {
      normals[v] = acc[v] / len;
      normals[v + 1] = acc[v + 1] / len;
      normals[v + 2] = acc[v + 2] / len;
    } else {
      // Only around degenerate triangles; any unit vector keeps renderers and validators happy.
      normals[v + 2] = 1;
    }
  }
  return normals;
}

/** Centre of the positions' bounding box (used to keep volume sums well conditioned). */
function boxCentre(positions: Float32Array): [number, number, number] {
  if (positions.length === 0) return [0, 0, 0];
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let v = 0; v < positions.length; v += 3) {
    const x = positions[v], y = positions[v + 1], z = positions[v + 2];
    if (x < x0) x0 = x; if (x > x1) x1 = x;
    if (y < y0) y0 = y; if (y > y1) y1 = y;
    if (z < z0) z0 = z; if (z > z1) z1 = z;
  }
  return [(x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2];
}

/** Signed volume of one triangle's cone to `c` (divergence theorem term), in position units³. */
function triangleVolume(positions: Float32Array, a: number, b: number, d: number, c: [number, number, number]): number {
  const ax = positions[a] - c[0], ay = positions[a + 1] - c[1], az = positions[a + 2] - c[2];
  const bx = positions[b] - c[0], by = positions[b + 1] - c[1], bz = positions[b + 2] - c[2];
  const dx = positions[d] - c[0], dy = positions[d + 1] - c[1], dz = positions[d + 2] - c[2];
  return (ax * (by * dz - bz * dy) + ay * (bz * dx - bx * dz) + az * (bx * dy - by * dx)) / 6;
}

/**
 * Signed enclosed volume by the divergence theorem, in position units³ (mm³ for LPS mm).
 * Positive for a closed surface whose triangles are counter-clockwise seen from outside.
 */
export function signedVolume(positions: Float32Array, indices: Uint32Array): number {
  const c = boxCentre(positions);
  let sum = 0;
  for (let t = 0; t < indices.length; t += 3) {
    sum += triangleVolume(positions, indices[t] * 3, indices[t + 1] * 3, indices[t + 2] * 3, c);
  }
  return sum;
}

/**
 * Vertices where a mesh is not a closed oriented 2-manifold: the end points of edges used by other
 * than exactly two triangles (or twice in one direction), vertices of degenerate triangles, and
 * pinched vertices (fan not one disc). Empty for a closed manifold.
 */
export function topologyProblemVertices(indices: Uint32Array, vertexCount: number): Uint32Array {
  const n = vertexCount;
  const problems = new Uint8Array(n);
  let any = false;
  const directed = new Float64Array(indices.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t], b = indices[t + 1], c = indices[t + 2];
    if (a === b || b === c || a === c) {
      problems[a] = problems[b] = problems[c] = 1;
      any = true;
    }
    directed[t] = a * n + b;
    directed[t + 1] = b * n + c;
    directed[t + 2] = c * n + a;
  }
  directed.sort();
  const undirected = new Float64Array(indices.length);
  for (let i = 0; i < directed.length; i++) {
    const key = directed[i];
    const a = Math.floor(key / n), b = key - a * n;
    undirected[i] = a < b ? a * n + b : b * n + a;
    if (i > 0 && directed[i] === directed[i - 1]) {
      problems[a] = problems[b] = 1;
      any = true;
    }
  }
  undirected.sort();
  for (let i = 0; i < undirected.length; ) {
    let j = i + 1;
    while (j < undirected.length && undirected[j] === undirected[i]) j++;
    if (j - i !== 2) {
      const a = Math.floor(undirected[i] / n);
      problems[a] = problems[undirected[i] - a * n] = 1;
      any = true;
    }
    i = j;
  }
  if (!any) {
    const pinched = pinchedVertices(indices, vertexCount);
    for (let v = 0; v < n; v++) if (pinched[v]) problems[v] = 1;
  }
  const out: number[] = [];
  for (let v = 0; v < n; v++) if (problems[v]) out.push(v);
  return Uint32Array.from(out);
}

export interface TopologyReport {
  /** Vertices referenced by at least one triangle. */
  vertices: number;
  /** Undirected edges. */
  edges: number;
  triangles: number;
  /** Undirected edges used by exactly one triangle. */
  boundaryEdges: number;
  /** Undirected edges used by more than two triangles, or twice in the same direction. */
  badEdges: number;
  /** Vertices whose triangle fan is not one single disc (pinched), checked only when edges are fine. */
  nonManifoldVertices: number;
  /** Triangles with a repeated vertex index. */
  degenerateTriangles: number;
  /** Every edge is shared by exactly two triangles in opposite directions, every vertex is a disc. */
  closedManifold: boolean;
  /** V − E + F over referenced vertices. */
  eulerCharacteristic: number;
  /** Connected components (by shared vertices). */
  components: number;
}

/**
 * Checks that a triangle mesh is a closed, consistently oriented 2-manifold: every directed edge
 * a→b appears once and its twin b→a appears once, and every vertex's fan is a single cycle.
 * Sort-based (no hash maps), so it is usable on meshes with millions of triangles.
 */
export function checkTopology(indices: Uint32Array, vertexCount: number): TopologyReport {
  const triangles = indices.length / 3;
  let degenerateTriangles = 0;
  const used = new Uint8Array(vertexCount);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t], b = indices[t + 1], c = indices[t + 2];
    if (a === b || b === c || a === c) degenerateTriangles++;
    used[a] = 1; used[b] = 1; used[c] = 1;
  }
  let vertices = 0;
  for (let v = 0; v < vertexCount; v++) vertices += used[v];

  // Directed edge keys a*n+b (exact in float64 while n < 2^26).
  const n = vertexCount;
  const directed = new Float64Array(indices.length);
  for (let t = 0; t < indices.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const a = indices[t + e];
      const b = indices[t + (e === 2 ? 0 : e + 1)];
      directed[t + e] = a * n + b;
    }
  }
  directed.sort();
  // Count undirected edges and their multiplicities by sorting undirected keys as well.
  const undirected = new Float64Array(indices.length);
  for (let i = 0; i < directed.length; i++) {
    const key = directed[i];
    const a = Math.floor(key / n), b = key - a * n;
    undirected[i] = a < b ? a * n + b : b * n + a;
  }
  undirected.sort();
  let edges = 0, boundaryEdges = 0, badEdges = 0;
  for (let i = 0; i < undirected.length; ) {
    let j = i + 1;
    while (j < undirected.length && undirected[j] === undirected[i]) j++;
    const count = j - i;
    edges++;
    if (count === 1) boundaryEdges++;
    else if (count > 2) badEdges++;
    i = j;
  }
  // A pair used twice must be used once in each direction.
  for (let i = 1; i < directed.length; i++) if (directed[i] === directed[i - 1]) badEdges++;

  const components = countComponents(indices, vertexCount, used);
  let nonManifoldVertices = 0;
  if (boundaryEdges === 0 && badEdges === 0 && degenerateTriangles === 0) {
    nonManifoldVertices = countPinchedVertices(indices, vertexCount);
  }
  return {
    vertices,
    edges,
    triangles,
    boundaryEdges,
    badEdges,
    nonManifoldVertices,
    degenerateTriangles,
    closedManifold: triangles > 0 && boundaryEdges === 0 && badEdges === 0 && degenerateTriangles === 0 && nonManifoldVertices === 0,
    eulerCharacteristic: vertices - edges + triangles,
    components,
  };
}

/**
 * Counts vertices whose incident triangles do not form a single fan. Assumes every directed edge is
 * unique and has a twin (checked before): then, around v, each triangle (v, b, c) maps b → c and the
 * fan is one disc exactly when following b → c from any start visits all of v's triangles.
 */
function countPinchedVertices(indices: Uint32Array, vertexCount: number): number {
  const flags = pinchedVertices(indices, vertexCount);
  let count = 0;
  for (let v = 0; v < vertexCount; v++) count += flags[v];
  return count;
}

function pinchedVertices(indices: Uint32Array, vertexCount: number): Uint8Array {
  const { offsets, items } = vertexTriangles(indices, vertexCount);
  const pinched = new Uint8Array(vertexCount);
  for (let v = 0; v < vertexCount; v++) {
    const start = offsets[v], end = offsets[v + 1];
    const fan = end - start;
    if (fan === 0) continue;
    // Follow next pointers: from the triangle whose "b" is x, move to x's successor c.
    let first = -1, current = -1;
    {
      const t = items[start] * 3;
      const k = indices[t] === v ? 0 : indices[t + 1] === v ? 1 : 2;
      first = indices[t + ((k + 1) % 3)];
      current = indices[t + ((k + 2) % 3)];
    }
    let steps = 1;
    while (current !== first && steps <= fan) {
      let found = -1;
      for (let s = start; s < end; s++) {
        const t = items[s] * 3;
        const k = indices[t] === v ? 0 : indices[t + 1] === v ? 1 : 2;
        if (indices[t + ((k + 1) % 3)] === current) {
          found = indices[t + ((k + 2) % 3)];
          break;
        }
      }
      if (found < 0) break;
      current = found;
      steps++;
    }
    if (current !== first || steps !== fan) pinched[v] = 1;
  }
  return pinched;
}

/** Vertex → incident triangles, as CSR arrays. */
export function vertexTriangles(indices: Uint32Array, vertexCount: number): { offsets: Uint32Array; items: Uint32Array } {
  const offsets = new Uint32Array(vertexCount + 1);
  for (let i = 0; i < indices.length; i++) offsets[indices[i] + 1]++;
  for (let v = 0; v < vertexCount; v++) offsets[v + 1] += offsets[v];
  const fill = offsets.slice(0, vertexCount);
  const items = new Uint32Array(indices.length);
  for (let i = 0; i < indices.length; i++) items[fill[indices[i]]++] = (i / 3) | 0;
  return { offsets, items };
}

function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/** Union-find over vertices joined by triangles; returns the root of each vertex. */
export function vertexComponents(indices: Uint32Array, vertexCount: number): Int32Array {
  const parent = new Int32Array(vertexCount);
  for (let v = 0; v < vertexCount; v++) parent[v] = v;
  for (let t = 0; t < indices.length; t += 3) {
    const a = find(parent, indices[t]);
    const b = find(parent, indices[t + 1]);
    const c = find(parent, indices[t + 2]);
    if (b !== a) parent[b] = a;
    if (c !== a && c !== b) parent[c] = a;
  }
  for (let v = 0; v < vertexCount; v++) parent[v] = find(parent, v);
  return parent;
}

function countComponents(indices: Uint32Array, vertexCount: number, used: Uint8Array): number {
  const root = vertexComponents(indices, vertexCount);
  let count = 0;
  for (let v = 0; v < vertexCount; v++) if (used[v] && root[v] === v) count++;
  return count;
}

/** Drops vertices no triangle uses and renumbers the rest in order of first use. */
export function compactMesh(positions: Float32Array, indices: Uint32Array): IndexedMesh {
  const vertexCount = positions.length / 3;
  const remap = new Int32Array(vertexCount).fill(-1);
  const out = new Uint32Array(indices.length);
  let next = 0;
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    let r = remap[v];
    if (r < 0) {
      r = next++;
      remap[v] = r;
    }
    out[i] = r;
  }
  const pos = new Float32Array(next * 3);
  for (let v = 0; v < vertexCount; v++) {
    const r = remap[v];
    if (r >= 0) {
      pos[r * 3] = positions[v * 3];
      pos[r * 3 + 1] = positions[v * 3 + 1];
      pos[r * 3 + 2] = positions[v * 3 + 2];
    }
  }
  return { positions: pos, indices: out };
}

/**
 * Removes connected components whose enclosed |volume| is below `minVolume` (position units³):
 * the specks a noisy segmentation leaves. Components are closed surfaces here, so their signed
 * volume is meaningful (a small inner cavity has a small negative volume and goes too).
 */
export function removeSmallComponents(mesh: IndexedMesh, minVolume: number): IndexedMesh & { removedComponents: number } {
  const { positions, indices } = mesh;
  if (!(minVolume > 0) || indices.length === 0) return { positions, indices, removedComponents: 0 };
  const vertexCount = positions.length / 3;
  const root = vertexComponents(indices, vertexCount);
  const volume = new Float64Array(vertexCount);
  const c = boxCentre(positions);
  for (let t = 0; t < indices.length; t += 3) {
    volume[root[indices[t]]] += triangleVolume(positions, indices[t] * 3, indices[t + 1] * 3, indices[t + 2] * 3, c);
  }
  let removedComponents = 0;
  const keepRoot = new Uint8Array(vertexCount);
  for (let v = 0; v < vertexCount; v++) {
    if (root[v] !== v) continue;
    if (Math.abs(volume[v]) >= minVolume) keepRoot[v] = 1;
  }
  let kept = 0;
  for (let t = 0; t < indices.length; t += 3) if (keepRoot[root[indices[t]]]) kept += 3;
  if (kept === indices.length) return { positions, indices, removedComponents: 0 };
  const out = new Uint32Array(kept);
  let o = 0;
  for (let t = 0; t < indices.length; t += 3) {
    if (!keepRoot[root[indices[t]]]) continue;
    out[o++] = indices[t];
    out[o++] = indices[t + 1];
    out[o++] = indices[t + 2];
  }
  // Count removed components (roots that have triangles but were not kept).
  const seen = new Uint8Array(vertexCount);
  for (let t = 0; t < indices.length; t += 3) {
    const r = root[indices[t]];
    if (!keepRoot[r] && !seen[r]) {
      seen[r] = 1;
      removedComponents++;
    }
  }
  return { ...compactMesh(positions, out), removedComponents };
}

/**
 * Removes "flaps": pairs of triangles on the same three vertices with opposite orientation. Edge
 * collapse (meshoptimizer's simplifier does not check the link condition) can fold a thin part of
 * a closed surface into such a zero-volume fin, whose edges are then used by four triangles.
 * Removing both triangles of each pair restores the two-triangles-per-edge property without
 * changing the enclosed volume. Repeats until none is left (removals can expose new pairs).
 */
export function removeFlaps(indices: Uint32Array): { indices: Uint32Array; removed: number } {
  let current = indices;
  let removed = 0;
  for (let round = 0; round < 8; round++) {
    const triangles = current.length / 3;
    let size = 1;
    while (size < triangles * 2) size <<= 1;
    const mask = size - 1;
    const table = new Int32Array(size).fill(-1);
    const drop = new Uint8Array(triangles);
    let found = 0;
    for (let t = 0; t < triangles; t++) {
      let a = current[t * 3], b = current[t * 3 + 1], c = current[t * 3 + 2];
      // Sorted triple for the key.
      if (a > b) [a, b] = [b, a];
      if (b > c) [b, c] = [c, b];
      if (a > b) [a, b] = [b, a];
      let h = (Math.imul(a, 73856093) ^ Math.imul(b, 19349663) ^ Math.imul(c, 83492791)) & mask;
      for (;;) {
        const other = table[h];
        if (other === -1) {
          table[h] = t;
          break;
        }
        let x = current[other * 3], y = current[other * 3 + 1], z = current[other * 3 + 2];
        if (x > y) [x, y] = [y, x];
        if (y > z) [y, z] = [z, y];
        if (x > y) [x, y] = [y, x];
        if (x === a && y === b && z === c && !drop[other]) {
          // Same vertex set: a flap if the orientations are opposite, a duplicate if equal.
          drop[other] = 1;
          drop[t] = 1;
          found += 2;
          break;
        }
        h = (h + 1) & mask;
      }
    }
    if (found === 0) break;
    const out = new Uint32Array(current.length - found * 3);
    let o = 0;
    for (let t = 0; t < triangles; t++) {
      if (drop[t]) continue;
      out[o++] = current[t * 3];
      out[o++] = current[t * 3 + 1];
      out[o++] = current[t * 3 + 2];
    }
    removed += found;
    current = out;
  }
  return { indices: current, removed };
}

/**
 * Pairs the half-edges of one edge used by more than two triangles so that each pair bounds the
 * same solid wedge: sorted by angle around the edge, each triangle pairs with its angular
 * neighbour on its inner side (opposite its normal). This separates sheets that merely touch
 * (pairing across the outer wedge instead would leave the edge shared by four triangles at
 * single end vertices). Returns false if the pairing is not consistent.
 */
function pairAroundEdge(positions: Float32Array, indices: Uint32Array, halfEdges: Uint32Array, partner: Int32Array): boolean {
  const next = (h: number) => (h % 3 === 2 ? h - 2 : h + 1);
  const h0 = halfEdges[0];
  // Canonical edge a → b with a < b.
  const a = Math.min(indices[h0], indices[next(h0)]);
  const b = Math.max(indices[h0], indices[next(h0)]);
  const ax = positions[a * 3], ay = positions[a * 3 + 1], az = positions[a * 3 + 2];
  let ex = positions[b * 3] - ax, ey = positions[b * 3 + 1] - ay, ez = positions[b * 3 + 2] - az;
  const el = Math.hypot(ex, ey, ez);
  if (!(el > 0)) return false;
  ex /= el; ey /= el; ez /= el;
  // u ⟂ e, w = e × u.
  let ux = Math.abs(ex) < 0.9 ? 1 : 0, uy = Math.abs(ex) < 0.9 ? 0 : 1, uz = 0;
  const dot = ux * ex + uy * ey + uz * ez;
  ux -= dot * ex; uy -= dot * ey; uz -= dot * ez;
  const ul = Math.hypot(ux, uy, uz);
  ux /= ul; uy /= ul; uz /= ul;
  const wx = ey * uz - ez * uy, wy = ez * ux - ex * uz, wz = ex * uy - ey * ux;
  const count = halfEdges.length;
  const angle = new Float64Array(count);
  const innerSide = new Int8Array(count); // +1: the inside is towards increasing angle
  for (let k = 0; k < count; k++) {
    const h = halfEdges[k];
    const c = indices[next(next(h))];
    const cx = positions[c * 3] - ax, cy = positions[c * 3 + 1] - ay, cz = positions[c * 3 + 2] - az;
    const pu = cx * ux + cy * uy + cz * uz, pw = cx * wx + cy * wy + cz * wz;
    angle[k] = Math.atan2(pw, pu);
    // Triangle stored as (p → q → c) with p → q = this half-edge; its normal (q − p) × (c − p).
    // With p → q = ±e and the in-plane direction d towards c, the normal is ±e × d, which points to
    // increasing angle for +e. The inside is opposite the normal.
    const forward = indices[h] === a;
    innerSide[k] = forward ? -1 : 1;
  }
  const sorted = Array.from({ length: count }, (_, k) => k).sort((x, y) => angle[x] - angle[y]);
  const pos = new Int32Array(count);
  sorted.forEach((k, r) => (pos[k] = r));
  const mate = new Int32Array(count).fill(-1);
  for (let k = 0; k < count; k++) {
    const r = (pos[k] + innerSide[k] + count) % count;
    mate[k] = sorted[r];
  }
  for (let k = 0; k < count; k++) {
    const m = mate[k];
    if (mate[m] !== k) return false;
    // Partners must run in opposite directions.
    if ((indices[halfEdges[k]] === a) === (indices[halfEdges[m]] === a)) return false;
    partner[halfEdges[k]] = halfEdges[m];
  }
  return true;
}

/**
 * Turns a mesh whose edges are each used by as many a→b as b→a triangles into a closed oriented
 * 2-manifold by splitting where sheets touch. Edge collapse can press two sheets of a surface
 * together along an edge (four triangles on one edge) or at a vertex (two fans); here each a→b
 * half-edge is paired with one b→a half-edge of the same edge, the triangle corners around each
 * vertex are grouped into fans through paired edges, and every fan after the first gets its own
 * copy of the vertex (same position). The surface is geometrically unchanged, the sheets now only
 * touch. Returns null when some edge is unbalanced (a hole or an orientation flip), which splitting
 * cannot fix.
 */
export function splitNonManifold(mesh: IndexedMesh): (IndexedMesh & { splitVertices: number }) | null {
  const { positions, indices } = mesh;
  const n = positions.length / 3;
  const corners = indices.length;
  // Half-edge h = corner index: from indices[h] to the next corner of its triangle.
  const next = (h: number) => (h % 3 === 2 ? h - 2 : h + 1);
  const keys = new Float64Array(corners);
  const order = new Uint32Array(corners);
  for (let h = 0; h < corners; h++) {
    const a = indices[h], b = indices[next(h)];
    keys[h] = a < b ? a * n + b : b * n + a;
    order[h] = h;
  }
  order.sort((x, y) => keys[x] - keys[y]);
  const partner = new Int32Array(corners).fill(-1);
  const forward: number[] = [];
  const backward: number[] = [];
  for (let i = 0; i < corners; ) {
    let j = i;
    forward.length = 0;
    backward.length = 0;
    while (j < corners && keys[order[j]] === keys[order[i]]) {
      const h = order[j];
      if (indices[h] < indices[next(h)]) forward.push(h);
      else backward.push(h);
      j++;
    }
    if (forward.length !== backward.length) return null;
    if (forward.length === 1) {
      partner[forward[0]] = backward[0];
      partner[backward[0]] = forward[0];
    } else if (!pairAroundEdge(positions, indices, order.subarray(i, j), partner)) {
      return null;
    }
    i = j;
  }
  // Union-find over corners: a corner is (triangle, vertex). Paired half-edges h (a→b) and g (b→a)
  // join corner h (at a) with corner next(g) (at a), and corner next(h) (at b) with corner g (at b).
  const parent = new Int32Array(corners);
  for (let c = 0; c < corners; c++) parent[c] = c;
  const union = (x: number, y: number) => {
    const rx = find(parent, x), ry = find(parent, y);
    if (rx !== ry) parent[ry] = rx;
  };
  for (let h = 0; h < corners; h++) {
    const g = partner[h];
    if (g < h) continue;
    union(h, next(g));
    union(next(h), g);
  }
  // First fan of each vertex keeps its id; further fans get new vertices.
  const fanVertex = new Int32Array(corners).fill(-1);
  const owner = new Int32Array(n).fill(-1); // root corner of the fan that kept the original id
  const extra: number[] = [];
  const out = new Uint32Array(corners);
  for (let c = 0; c < corners; c++) {
    const root = find(parent, c);
    let v = fanVertex[root];
    if (v < 0) {
      const original = indices[c];
      if (owner[original] < 0) {
        owner[original] = root;
        v = original;
      } else {
        v = n + extra.length;
        extra.push(original);
      }
      fanVertex[root] = v;
    }
    out[c] = v;
  }
  if (extra.length === 0) return { positions, indices, splitVertices: 0 };
  const pos = new Float32Array((n + extra.length) * 3);
  pos.set(positions);
  extra.forEach((original, k) => {
    pos[(n + k) * 3] = positions[original * 3];
    pos[(n + k) * 3 + 1] = positions[original * 3 + 1];
    pos[(n + k) * 3 + 2] = positions[original * 3 + 2];
  });
  return { positions: pos, indices: out, splitVertices: extra.length };
}

/**
 * Taubin λ|μ smoothing (Taubin 1995): alternating shrinking (λ > 0) and inflating (μ < −λ)
 * umbrella-Laplacian steps, a low-pass filter on the surface that removes the voxel staircase
 * without the shrinkage of plain Laplacian smoothing. Moves vertices only: the connectivity, and
 * so a closed 2-manifold, is unchanged. Neighbours are the targets of each vertex's outgoing
 * half-edges (each once on a closed manifold). Returns new positions.
 */
export function taubinSmooth(
  positions: Float32Array,
  indices: Uint32Array,
  options: { iterations: number; lambda?: number; mu?: number },
): Float32Array {
  const iterations = Math.max(0, Math.floor(options.iterations));
  if (iterations === 0 || indices.length === 0) return positions;
  const lambda = options.lambda ?? 0.5;
  const mu = options.mu ?? -0.53;
  const n = positions.length / 3;
  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i < indices.length; i++) offsets[indices[i] + 1]++;
  for (let v = 0; v < n; v++) offsets[v + 1] += offsets[v];
  const fill = offsets.slice(0, n);
  const neighbours = new Uint32Array(indices.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t], b = indices[t + 1], c = indices[t + 2];
    neighbours[fill[a]++] = b;
    neighbours[fill[b]++] = c;
    neighbours[fill[c]++] = a;
  }
  let current = Float64Array.from(positions);
  let next = new Float64Array(current.length);
  for (let step = 0; step < iterations * 2; step++) {
    const factor = step % 2 === 0 ? lambda : mu;
    for (let v = 0; v < n; v++) {
      const start = offsets[v], end = offsets[v + 1];
      const x = current[v * 3], y = current[v * 3 + 1], z = current[v * 3 + 2];
      if (end === start) {
        next[v * 3] = x; next[v * 3 + 1] = y; next[v * 3 + 2] = z;
        continue;
      }
      let sx = 0, sy = 0, sz = 0;
      for (let s = start; s < end; s++) {
        const u = neighbours[s] * 3;
        sx += current[u]; sy += current[u + 1]; sz += current[u + 2];
      }
      const inv = 1 / (end - start);
      next[v * 3] = x + factor * (sx * inv - x);
      next[v * 3 + 1] = y + factor * (sy * inv - y);
      next[v * 3 + 2] = z + factor * (sz * inv - z);
    }
    [current, next] = [next, current];
  }
  return Float32Array.from(current);
}
