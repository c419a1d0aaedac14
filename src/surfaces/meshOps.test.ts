import { describe, expect, it } from 'vitest';
import { pointsToMeshDistance, pointTriangleDistanceSq } from './distance';
import { marchingTetrahedra, type FieldLayers } from './marchingTetrahedra';
import {
  checkTopology,
  computeNormals,
  removeFlaps,
  removeSmallComponents,
  signedVolume,
  splitNonManifold,
  topologyProblemVertices,
} from './meshOps';

/** Unit cube [0,1]³, 12 triangles counter-clockwise seen from outside. */
function cube(offset: [number, number, number] = [0, 0, 0], size = 1) {
  const positions = new Float32Array(24);
  for (let c = 0; c < 8; c++) {
    positions[c * 3] = offset[0] + size * (c & 1);
    positions[c * 3 + 1] = offset[1] + size * ((c >> 1) & 1);
    positions[c * 3 + 2] = offset[2] + size * ((c >> 2) & 1);
  }
  // prettier-ignore
  const indices = Uint32Array.of(
    0, 2, 1, 1, 2, 3, // z = 0, normal −z
    4, 5, 6, 5, 7, 6, // z = 1, +z
    0, 1, 4, 1, 5, 4, // y = 0, −y
    2, 6, 3, 3, 6, 7, // y = 1, +y
    0, 4, 2, 2, 4, 6, // x = 0, −x
    1, 3, 5, 3, 7, 5, // x = 1, +x
  );
  return { positions, indices };
}

/** A tetrahedron on the given 4 vertex ids, positively oriented geometry assumed. */
function tetTriangles(a: number, b: number, c: number, d: number): number[] {
  return [a, c, b, a, b, d, a, d, c, b, c, d];
}

describe('mesh operations', () => {
  it('a cube is a closed manifold with χ = 2, volume 1 and outward normals', () => {
    const { positions, indices } = cube();
    const topo = checkTopology(indices, 8);
    expect(topo).toMatchObject({ closedManifold: true, eulerCharacteristic: 2, edges: 18, components: 1 });
    expect(signedVolume(positions, indices)).toBeCloseTo(1, 6);
    const normals = computeNormals(positions, indices);
    for (let v = 0; v < 8; v++) {
      const d = [positions[v * 3] - 0.5, positions[v * 3 + 1] - 0.5, positions[v * 3 + 2] - 0.5];
      expect(d[0] * normals[v * 3] + d[1] * normals[v * 3 + 1] + d[2] * normals[v * 3 + 2]).toBeGreaterThan(0);
    }
  });

  it('detects holes, flipped triangles and reports their vertices', () => {
    const { indices } = cube();
    const open = indices.slice(0, 33);
    expect(checkTopology(open, 8)).toMatchObject({ closedManifold: false, boundaryEdges: 3 });
    const flipped = indices.slice();
    [flipped[1], flipped[2]] = [flipped[2], flipped[1]];
    expect(checkTopology(flipped, 8).badEdges).toBeGreaterThan(0);
    expect(Array.from(topologyProblemVertices(flipped, 8)).sort()).toEqual([0, 1, 2]);
    expect(topologyProblemVertices(indices, 8).length).toBe(0);
  });

  it('removes flaps (a folded pair of triangles) and restores the closed manifold', () => {
    const { indices } = cube();
    // A flap on vertices 0, 1, 3 glued onto the bottom face.
    const withFlap = Uint32Array.from([...indices, 0, 1, 3, 0, 3, 1]);
    expect(checkTopology(withFlap, 8).closedManifold).toBe(false);
    const { indices: fixed, removed } = removeFlaps(withFlap);
    expect(removed).toBe(2);
    expect(checkTopology(fixed, 8).closedManifold).toBe(true);
  });

  it('splits two solids touching along an edge into two closed surfaces', () => {
    // Tetrahedra (0,1,2,3) and (0,1,4,5) share only the edge 0–1 (on the x axis).
    const positions = Float32Array.of(0, 0, 0, 1, 0, 0, 0.5, 1, 0.2, 0.5, 0.2, 1, 0.5, -1, 0.2, 0.5, 0.2, -1);
    const tetA = tetTriangles(0, 1, 2, 3);
    const tetB = tetTriangles(0, 1, 4, 5);
    const orient = (tris: number[]) => {
      const m = { positions, indices: Uint32Array.from(tris) };
      return signedVolume(m.positions, m.indices) > 0 ? tris : tris.map((_, i) => tris[i - (i % 3) + [0, 2, 1][i % 3]]);
    };
    const indices = Uint32Array.from([...orient(tetA), ...orient(tetB)]);
    const before = checkTopology(indices, 6);
    expect(before.closedManifold).toBe(false);
    const split = splitNonManifold({ positions, indices })!;
    expect(split.splitVertices).toBe(2);
    const after = checkTopology(split.indices, split.positions.length / 3);
    expect(after).toMatchObject({ closedManifold: true, components: 2, eulerCharacteristic: 4 });
    expect(signedVolume(split.positions, split.indices)).toBeCloseTo(signedVolume(positions, indices), 6);
  });

  it('splits two cubes touching at a vertex', () => {
    const a = cube([0, 0, 0]);
    const b = cube([1, 1, 1]);
    const positions = new Float32Array([...a.positions, ...b.positions]);
    // Weld b's corner 0 onto a's corner 7 (both at (1,1,1)).
    const bIdx = Array.from(b.indices, (v) => (v === 0 ? 7 : v + 8));
    const indices = Uint32Array.from([...a.indices, ...bIdx]);
    expect(checkTopology(indices, 16).nonManifoldVertices).toBe(1);
    const split = splitNonManifold({ positions, indices })!;
    expect(split.splitVertices).toBe(1);
    expect(checkTopology(split.indices, split.positions.length / 3)).toMatchObject({ closedManifold: true, components: 2 });
  });

  it('removes components below a volume', () => {
    const a = cube([0, 0, 0], 10);
    const b = cube([20, 0, 0], 1);
    const positions = new Float32Array([...a.positions, ...b.positions]);
    const indices = Uint32Array.from([...a.indices, ...Array.from(b.indices, (v) => v + 8)]);
    const kept = removeSmallComponents({ positions, indices }, 2);
    expect(kept.removedComponents).toBe(1);
    expect(kept.positions.length).toBe(24);
    expect(signedVolume(kept.positions, kept.indices)).toBeCloseTo(1000, 3);
  });
});

describe('point to mesh distance', () => {
  it('point–triangle distance: face, edge and vertex regions', () => {
    const t = [0, 0, 0, 2, 0, 0, 0, 2, 0] as const;
    expect(pointTriangleDistanceSq(0.5, 0.5, 3, ...t)).toBeCloseTo(9, 12);
    expect(pointTriangleDistanceSq(1, -1, 0, ...t)).toBeCloseTo(1, 12);
    expect(pointTriangleDistanceSq(-1, -1, 1, ...t)).toBeCloseTo(3, 12);
    expect(pointTriangleDistanceSq(2, 2, 0, ...t)).toBeCloseTo(2, 12);
  });

  it('matches brute force on random points around a mesh', () => {
    const { positions, indices } = cube([0, 0, 0], 10);
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const points = new Float32Array(3 * 500);
    for (let i = 0; i < points.length; i++) points[i] = -5 + 20 * rand();
    const stats = pointsToMeshDistance(points, positions, indices);
    let max = 0, sum = 0;
    for (let p = 0; p < 500; p++) {
      let best = Infinity;
      for (let t = 0; t < indices.length; t += 3) {
        const a = indices[t] * 3, b = indices[t + 1] * 3, c = indices[t + 2] * 3;
        best = Math.min(best, pointTriangleDistanceSq(
          points[p * 3], points[p * 3 + 1], points[p * 3 + 2],
          positions[a], positions[a + 1], positions[a + 2],
          positions[b], positions[b + 1], positions[b + 2],
          positions[c], positions[c + 1], positions[c + 2],
        ));
      }
      max = Math.max(max, Math.sqrt(best));
      sum += Math.sqrt(best);
    }
    expect(stats.count).toBe(500);
    expect(stats.max).toBeCloseTo(max, 9);
    expect(stats.mean).toBeCloseTo(sum / 500, 9);
  });
});

describe('point to mesh distance on analytic cases', () => {
  /** The square [0, size]² at z = 0, tessellated into n×n cells of two triangles each. */
  function plane(n: number, size: number) {
    const positions = new Float32Array((n + 1) * (n + 1) * 3);
    for (let j = 0; j <= n; j++) for (let i = 0; i <= n; i++) positions.set([(i * size) / n, (j * size) / n, 0], 3 * (i + (n + 1) * j));
    const indices: number[] = [];
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const a = i + (n + 1) * j, b = a + 1, c = a + n + 1, d = c + 1;
      indices.push(a, b, d, a, d, c);
    }
    return { positions, indices: Uint32Array.from(indices) };
  }

  it('points above and beside a tessellated plane: distance |z|, or to the nearest edge', () => {
    const { positions, indices } = plane(40, 10);
    let seed = 11;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    // Points in shuffled order (no coherence to exploit), some beyond the square's x = 10 edge.
    const count = 3000;
    const points = new Float32Array(count * 3);
    let max = 0;
    let sum = 0;
    for (let p = 0; p < count; p++) {
      const x = Math.fround(-2 + 14 * rand()), y = Math.fround(10 * rand()), z = Math.fround(-3 + 6 * rand());
      points.set([x, y, z], p * 3);
      const dx = x < 0 ? -x : x > 10 ? x - 10 : 0;
      const d = Math.hypot(dx, z);
      max = Math.max(max, d);
      sum += d;
    }
    const stats = pointsToMeshDistance(points, positions, indices);
    expect(stats.count).toBe(count);
    expect(stats.max).toBeCloseTo(max, 6);
    expect(stats.mean).toBeCloseTo(sum / count, 6);
  });

  it('a far outlier among close points keeps the true maximum', () => {
    const { positions, indices } = plane(20, 10);
    // Coherent points just above the plane, then one 50 mm away, then close ones again.
    const coords: number[] = [];
    for (let k = 0; k < 200; k++) coords.push(0.05 * k, 0.03 * k, 0.01);
    coords.push(5, 5, 50);
    for (let k = 0; k < 200; k++) coords.push(10 - 0.05 * k, 0.03 * k, -0.02);
    const stats = pointsToMeshDistance(Float32Array.from(coords), positions, indices);
    expect(stats.max).toBeCloseTo(50, 5);
    expect(stats.mean).toBeCloseTo((200 * Math.fround(0.01) + 50 + 200 * Math.fround(0.02)) / 401, 6);
  });

  it('every n-th point with a stride', () => {
    const { positions, indices } = plane(10, 10);
    const points = Float32Array.of(5, 5, 1, 5, 5, 7, 5, 5, 2, 5, 5, 9);
    const stats = pointsToMeshDistance(points, positions, indices, { stride: 2 });
    expect(stats.count).toBe(2);
    expect(stats.max).toBeCloseTo(2, 6);
    expect(stats.mean).toBeCloseTo(1.5, 6);
  });
});

describe('marching tetrahedra', () => {
  /** A field from a typed array, streamed by layers. */
  function fieldOf(values: Float32Array, n: number): FieldLayers {
    return { nx: n, ny: n, nz: n, layer: (z, out) => out.set(values.subarray(z * n * n, (z + 1) * n * n)) };
  }

  it('every cube configuration gives a closed, outward surface', () => {
    // Each of the 256 configurations as a single cube in a zero-padded 4×4×4 lattice.
    for (let config = 1; config < 256; config++) {
      const values = new Float32Array(64);
      for (let c = 0; c < 8; c++) if ((config >> c) & 1) values[(1 + (c & 1)) + 4 * (1 + ((c >> 1) & 1)) + 16 * (1 + (c >> 2))] = 1;
      const mesh = marchingTetrahedra(fieldOf(values, 4), { iso: 0.5 });
      const topo = checkTopology(mesh.indices, mesh.positions.length / 3);
      expect(topo.closedManifold, `config ${config}`).toBe(true);
      expect(signedVolume(mesh.positions, mesh.indices), `config ${config}`).toBeGreaterThan(0);
    }
  });

  it('random fields give closed manifolds whose volume grows with the inside', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 40; trial++) {
      const n = 8;
      const values = new Float32Array(n * n * n);
      for (let z = 1; z < n - 1; z++) for (let y = 1; y < n - 1; y++) for (let x = 1; x < n - 1; x++) values[x + n * (y + n * z)] = rand();
      const mesh = marchingTetrahedra(fieldOf(values, n), { iso: 0.5 });
      expect(checkTopology(mesh.indices, mesh.positions.length / 3).closedManifold).toBe(true);
    }
  });

  it('reverses triangles for a mirrored affine so they stay outward', () => {
    const values = new Float32Array(64);
    values[1 + 4 + 16] = 1;
    values[2 + 4 + 16] = 1;
    const plain = marchingTetrahedra(fieldOf(values, 4), { iso: 0.5 });
    const mirrored = marchingTetrahedra(fieldOf(values, 4), { iso: 0.5, affine: [1, 0, 0, 0, 1, 0, 0, 0, -2, 5, 6, 7] });
    expect(signedVolume(plain.positions, plain.indices)).toBeGreaterThan(0);
    expect(signedVolume(mirrored.positions, mirrored.indices)).toBeCloseTo(2 * signedVolume(plain.positions, plain.indices), 5);
  });
});
