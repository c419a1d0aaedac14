/**
 * Isosurface extraction by marching tetrahedra on the Freudenthal (Kuhn) subdivision of the voxel
 * lattice.
 *
 * Why tetrahedra and not the classic marching-cubes table: the level set of a piecewise-linear
 * function on a simplicial complex, at a value no sample takes, is a closed 2-manifold (when the
 * set stays inside the complex). The Freudenthal subdivision splits every cube into six
 * tetrahedra around its main diagonal; it is translation-invariant, so neighbouring cubes split
 * their shared face along the same diagonal and the surface is watertight with no ambiguous
 * cases to disambiguate. Classic marching cubes has face and interior ambiguities whose
 * resolution must be made consistent by hand to avoid holes. The price is about twice as many
 * (and thinner) triangles at full resolution; the decimator removes them.
 *
 * Samples equal to the iso value are treated as inside (a symbolic perturbation), and vertices are
 * kept strictly inside their edge, so no two surface vertices coincide and every edge of the
 * output is shared by exactly two triangles in opposite directions.
 *
 * The field is streamed one z-layer at a time (two layers in memory), which keeps memory at a few
 * slices even for a large crop.
 */

import type { IndexedMesh } from './meshOps';

/** Inclusive rectangle of lattice points (x0..x1, y0..y1) in a layer. */
export interface LayerRect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Supplies the scalar field one z-layer at a time, i fastest then j. */
export interface FieldLayers {
  /** Lattice points along x, y, z (≥ 2 each for any output). */
  nx: number;
  ny: number;
  nz: number;
  /**
   * Writes all nx*ny samples of layer z (0 ≤ z < nz) into `out`. Called once per layer, in
   * increasing z. May return the rectangle outside which every sample is below the iso value
   * (null: the whole layer is), so that empty parts of a layer are skipped; void = whole layer.
   */
  layer(z: number, out: Float32Array): LayerRect | null | void;
}

/**
 * Column-major 3×4 affine from lattice coordinates (x, y, z) to output positions:
 * p = [m0 m3 m6] x + [m9]
 *     [m1 m4 m7] y + [m10]
 *     [m2 m5 m8] z + [m11]
 */
export type Affine3x4 = [number, number, number, number, number, number, number, number, number, number, number, number];

/** Lattice directions of the Freudenthal edges, as corner bit masks (x=1, y=2, z=4). */
const DIRECTIONS = [1, 2, 4, 3, 5, 6, 7] as const;
const DIRECTION_SLOT = new Int8Array(8).fill(-1);
DIRECTIONS.forEach((d, slot) => (DIRECTION_SLOT[d] = slot));

/**
 * Per cube configuration (8 inside bits, corner c = x + 2y + 4z), the triangles as triples of edge
 * codes `u * 8 + d`: the edge starts at corner u and goes along direction d (u & d = 0).
 */
let caseTable: { offsets: Uint16Array; edges: Uint8Array } | null = null;

const EVEN_PERMUTATIONS: readonly (readonly [number, number, number, number])[] = [
  [0, 1, 2, 3], [0, 2, 3, 1], [0, 3, 1, 2],
  [1, 0, 3, 2], [1, 2, 0, 3], [1, 3, 2, 0],
  [2, 0, 1, 3], [2, 1, 3, 0], [2, 3, 0, 1],
  [3, 0, 2, 1], [3, 1, 0, 2], [3, 2, 1, 0],
];

function cornerVector(c: number): [number, number, number] {
  return [c & 1, (c >> 1) & 1, (c >> 2) & 1];
}

function edgeCode(a: number, b: number): number {
  const u = a & b;
  const d = (a | b) ^ u;
  return u * 8 + d;
}

/** Builds the 256-case table from the six tetrahedra; done once, on first use. */
function buildCaseTable(): { offsets: Uint16Array; edges: Uint8Array } {
  // Six tetrahedra 0 → a → a|b → 7 over the permutations of the axes, each positively oriented.
  const tets: [number, number, number, number][] = [];
  const axes = [1, 2, 4];
  for (const a of axes) {
    for (const b of axes) {
      if (b === a) continue;
      const tet: [number, number, number, number] = [0, a, a | b, 7];
      const [p0, p1, p2, p3] = tet.map(cornerVector);
      const u = [p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]];
      const v = [p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]];
      const w = [p3[0] - p0[0], p3[1] - p0[1], p3[2] - p0[2]];
      const det = u[0] * (v[1] * w[2] - v[2] * w[1]) - u[1] * (v[0] * w[2] - v[2] * w[0]) + u[2] * (v[0] * w[1] - v[1] * w[0]);
      tets.push(det > 0 ? tet : [tet[0], tet[1], tet[3], tet[2]]);
    }
  }
  const offsets = new Uint16Array(257);
  const edges: number[] = [];
  for (let config = 0; config < 256; config++) {
    offsets[config] = edges.length;
    for (const tet of tets) {
      const inside = tet.map((c) => (config >> c) & 1);
      const count = inside[0] + inside[1] + inside[2] + inside[3];
      if (count === 0 || count === 4) continue;
      if (count === 1 || count === 3) {
        // The lone vertex x (inside if count = 1, outside if 3), from an even permutation (x, y1, y2, y3):
        // triangle (x y1, x y2, x y3) faces away from x, so it is outward when x is inside.
        const lone = inside.indexOf(count === 1 ? 1 : 0);
        const perm = EVEN_PERMUTATIONS.find((p) => p[0] === lone)!;
        const [x, y1, y2, y3] = perm.map((i) => tet[i]);
        if (count === 1) edges.push(edgeCode(x, y1), edgeCode(x, y2), edgeCode(x, y3));
        else edges.push(edgeCode(x, y1), edgeCode(x, y3), edgeCode(x, y2));
      } else {
        // Two inside (p, q), two outside (r, s), (p, q, r, s) an even permutation: quad pr, ps, qs, qr.
        const perm = EVEN_PERMUTATIONS.find((p) => inside[p[0]] === 1 && inside[p[1]] === 1)!;
        const [p, q, r, s] = perm.map((i) => tet[i]);
        edges.push(edgeCode(p, r), edgeCode(p, s), edgeCode(q, s));
        edges.push(edgeCode(p, r), edgeCode(q, s), edgeCode(q, r));
      }
    }
  }
  offsets[256] = edges.length;
  return { offsets, edges: Uint8Array.from(edges) };
}

/** A Float32Array / Uint32Array that grows by doubling. */
class GrowableF32 {
  data: Float32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float32Array(Math.max(capacity, 16));
  }
  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let capacity = this.data.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Float32Array(capacity);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  result(): Float32Array {
    return this.data.slice(0, this.length);
  }
}

class GrowableU32 {
  data: Uint32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Uint32Array(Math.max(capacity, 16));
  }
  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let capacity = this.data.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint32Array(capacity);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  result(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

export interface MarchingOptions {
  /** Iso value; samples ≥ iso are inside. */
  iso: number;
  /** Lattice → output positions. Identity if omitted. */
  affine?: Affine3x4;
  /**
   * How far a vertex must stay from its edge's end points, as a fraction of the edge (0 < ε < 0.5).
   * Keeps vertices distinct so the output has no zero-length edges.
   */
  edgeEpsilon?: number;
}

/**
 * Extracts the closed iso-surface {field = iso} of a streamed scalar field, triangles
 * counter-clockwise seen from outside (outside = below iso) in the output frame. If the affine's
 * linear part has a negative determinant (a mirrored grid, e.g. k flipped), triangles are reversed
 * so they stay outward-facing after the transform.
 *
 * The surface is closed when the field is below iso on the lattice's outer layers (pad the crop).
 */
export function marchingTetrahedra(field: FieldLayers, options: MarchingOptions): IndexedMesh {
  const table = (caseTable ??= buildCaseTable());
  const { nx, ny, nz } = field;
  const iso = options.iso;
  const eps = options.edgeEpsilon ?? 1e-3;
  const m: Affine3x4 = options.affine ?? [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0];
  const det =
    m[0] * (m[4] * m[8] - m[7] * m[5]) - m[3] * (m[1] * m[8] - m[7] * m[2]) + m[6] * (m[1] * m[5] - m[4] * m[2]);
  const flip = det < 0;

  const positions = new GrowableF32(1 << 14);
  const indices = new GrowableU32(1 << 15);
  if (nx < 2 || ny < 2 || nz < 2) return { positions: positions.result(), indices: indices.result() };

  const plane = nx * ny;
  let fieldA = new Float32Array(plane);
  let fieldB = new Float32Array(plane);
  let insideA = new Uint8Array(plane);
  let insideB = new Uint8Array(plane);
  // Vertex id of each lattice edge starting in a layer, 7 directions per lattice point; -1 = none yet.
  let edgeA = new Int32Array(plane * 7).fill(-1);
  let edgeB = new Int32Array(plane * 7).fill(-1);
  // Rectangle of lattice points whose edge slots may hold a vertex id, per edge layer.
  let touchedA: LayerRect | null = null;
  let touchedB: LayerRect | null = null;
  const touch = (t: LayerRect | null, x0: number, x1: number, y0: number, y1: number): LayerRect => {
    if (!t) return { x0, x1, y0, y1 };
    return { x0: Math.min(t.x0, x0), x1: Math.max(t.x1, x1), y0: Math.min(t.y0, y0), y1: Math.max(t.y1, y1) };
  };

  /** Computes the inside bits of a layer within its rectangle; returns the tight rectangle of inside points. */
  const classify = (values: Float32Array, inside: Uint8Array, rect: LayerRect | null | void): LayerRect | null => {
    inside.fill(0);
    if (rect === null) return null;
    const r = rect ?? { x0: 0, x1: nx - 1, y0: 0, y1: ny - 1 };
    let x0 = nx, x1 = -1, y0 = ny, y1 = -1;
    for (let y = r.y0; y <= r.y1; y++) {
      const row = y * nx;
      for (let x = r.x0; x <= r.x1; x++) {
        if (values[row + x] >= iso) {
          inside[row + x] = 1;
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          y1 = y;
        }
      }
    }
    return x1 < 0 ? null : { x0, x1, y0, y1 };
  };

  let rectA = classify(fieldA, insideA, field.layer(0, fieldA));
  let rectB: LayerRect | null = null;

  const tableOffsets = table.offsets;
  const tableEdges = table.edges;
  // Corner offsets within a layer for corner bits x (1) and y (2).
  const cornerOffset = [0, 1, nx, nx + 1, 0, 1, nx, nx + 1];
  const tri = [0, 0, 0];

  for (let z = 0; z + 1 < nz; z++) {
    rectB = classify(fieldB, insideB, field.layer(z + 1, fieldB));
    // Cubes with an inside corner: those touching the union of both layers' inside rectangles.
    if (rectA || rectB) {
      const cx0 = Math.max(0, Math.min(rectA ? rectA.x0 : nx, rectB ? rectB.x0 : nx) - 1);
      const cx1 = Math.min(nx - 2, Math.max(rectA ? rectA.x1 : -1, rectB ? rectB.x1 : -1));
      const cy0 = Math.max(0, Math.min(rectA ? rectA.y0 : ny, rectB ? rectB.y0 : ny) - 1);
      const cy1 = Math.min(ny - 2, Math.max(rectA ? rectA.y1 : -1, rectB ? rectB.y1 : -1));
      touchedA = touch(touchedA, cx0, cx1 + 1, cy0, cy1 + 1);
      touchedB = touch(touchedB, cx0, cx1 + 1, cy0, cy1 + 1);
      for (let y = cy0; y <= cy1; y++) {
        const row = y * nx;
        for (let x = cx0; x <= cx1; x++) {
          const p = row + x;
          const config =
            insideA[p] |
            (insideA[p + 1] << 1) |
            (insideA[p + nx] << 2) |
            (insideA[p + nx + 1] << 3) |
            (insideB[p] << 4) |
            (insideB[p + 1] << 5) |
            (insideB[p + nx] << 6) |
            (insideB[p + nx + 1] << 7);
          if (config === 0 || config === 255) continue;
          const end = tableOffsets[config + 1];
          indices.reserve(end - tableOffsets[config]);
          for (let e = tableOffsets[config]; e < end; e += 3) {
            for (let k = 0; k < 3; k++) {
              const code = tableEdges[e + k];
              const u = code >> 3;
              const d = code & 7;
              const up = p + cornerOffset[u];
              const edges = u & 4 ? edgeB : edgeA;
              const slot = up * 7 + DIRECTION_SLOT[d];
              let id = edges[slot];
              if (id < 0) {
                // New vertex on edge u → u|d, linearly interpolated at the iso value.
                const v = u | d;
                const a = u & 4 ? fieldB[up] : fieldA[up];
                const vp = p + cornerOffset[v];
                const b = v & 4 ? fieldB[vp] : fieldA[vp];
                let t = (iso - a) / (b - a);
                if (!(t >= eps)) t = eps;
                else if (t > 1 - eps) t = 1 - eps;
                const lx = x + (u & 1) + t * (d & 1);
                const ly = y + ((u >> 1) & 1) + t * ((d >> 1) & 1);
                const lz = z + ((u >> 2) & 1) + t * ((d >> 2) & 1);
                id = positions.length / 3;
                positions.reserve(3);
                const out = positions.data;
                const o = positions.length;
                out[o] = m[0] * lx + m[3] * ly + m[6] * lz + m[9];
                out[o + 1] = m[1] * lx + m[4] * ly + m[7] * lz + m[10];
                out[o + 2] = m[2] * lx + m[5] * ly + m[8] * lz + m[11];
                positions.length = o + 3;
                edges[slot] = id;
              }
              tri[k] = id;
            }
            const o = indices.length;
            const idx = indices.data;
            idx[o] = tri[0];
            idx[o + 1] = flip ? tri[2] : tri[1];
            idx[o + 2] = flip ? tri[1] : tri[2];
            indices.length = o + 3;
          }
        }
      }
    }
    // Layer z + 1 becomes the lower layer; recycle layer z's buffers for z + 2, resetting only
    // the edge slots that can hold a vertex id.
    [fieldA, fieldB] = [fieldB, fieldA];
    [insideA, insideB] = [insideB, insideA];
    [edgeA, edgeB] = [edgeB, edgeA];
    if (touchedA) {
      for (let y = touchedA.y0; y <= touchedA.y1; y++) {
        edgeB.fill(-1, (y * nx + touchedA.x0) * 7, (y * nx + touchedA.x1 + 1) * 7);
      }
    }
    touchedA = touchedB;
    touchedB = null;
    rectA = rectB;
  }
  return { positions: positions.result(), indices: indices.result() };
}
