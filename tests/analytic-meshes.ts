/** Analytic closed meshes for the export tests: an axis-aligned box and a right tetrahedron. */
import { computeNormals } from '../src/surfaces/meshOps';
import type { SurfaceMesh } from '../src/surfaces/types';

type Vec3 = [number, number, number];

function surface(classId: number, name: string, positions: number[], indices: number[], volumeMm3: number): SurfaceMesh {
  const p = Float32Array.from(positions);
  const i = Uint32Array.from(indices);
  return { classId, name, positions: p, indices: i, normals: computeNormals(p, i), volumeMl: volumeMm3 / 1000, decimationErrorMm: 0 };
}

/** The box [min, max] in LPS mm: 8 vertices, 12 triangles counter-clockwise seen from outside. */
export function boxMesh(classId: number, name: string, min: Vec3, max: Vec3): SurfaceMesh {
  const positions: number[] = [];
  // vertex index = x + 2y + 4z, each bit choosing min or max along its axis
  for (let v = 0; v < 8; v++) positions.push(v & 1 ? max[0] : min[0], v & 2 ? max[1] : min[1], v & 4 ? max[2] : min[2]);
  const indices = [0, 2, 3, 0, 3, 1, 4, 5, 7, 4, 7, 6, 0, 1, 5, 0, 5, 4, 2, 6, 7, 2, 7, 3, 0, 4, 6, 0, 6, 2, 1, 3, 7, 1, 7, 5];
  const volume = (max[0] - min[0]) * (max[1] - min[1]) * (max[2] - min[2]);
  return surface(classId, name, positions, indices, volume);
}

/** The tetrahedron with corner `at` and legs `leg` mm along +x, +y, +z (volume leg³/6). */
export function tetrahedronMesh(classId: number, name: string, at: Vec3, leg: number): SurfaceMesh {
  const [x, y, z] = at;
  const positions = [x, y, z, x + leg, y, z, x, y + leg, z, x, y, z + leg];
  const indices = [0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3];
  return surface(classId, name, positions, indices, leg ** 3 / 6);
}
