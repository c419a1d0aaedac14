/**
 * Meshes trimmed by the hologram's cut planes into closed solids, for printing what the surgeon sees.
 *
 * A cut keeps the half-space normal · p ≤ offset (p in patient LPS mm), the same convention as the
 * hologram's clip planes. The boolean work is done by manifold-3d (a maintained, robust mesh-boolean
 * library compiled to wasm): `trimByPlane` closes every cut with a cap, so each result is a closed
 * 2-manifold again, which a slicer for 3D printing needs and a plain clip would not give.
 *
 * The wasm is loaded by `loadMeshCutter`, environment-agnostic: in Node manifold-3d finds
 * `manifold.wasm` beside itself; a bundled browser script passes `locateWasm` (Vite: `import url
 * from 'manifold-3d/manifold.wasm?url'`), as the DICOM codecs do.
 */

import type { Manifold, ManifoldToplevel } from 'manifold-3d';
import { computeNormals } from './meshOps';
import type { SurfaceMesh } from './types';

/** A cut: keeps normal · p ≤ offset, p in patient LPS mm. The normal need not be unit length. */
export interface CutPlane {
  normal: readonly [number, number, number];
  /** mm along the unit normal. */
  offset: number;
}

export interface MeshCutterEnvironment {
  /** Where manifold-3d's .wasm is, by file name ("manifold.wasm"). Leave out in Node. */
  locateWasm?: (fileName: string) => string;
}

export class MeshCutError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MeshCutError';
  }
}

/** The loaded manifold-3d module, as `cutMeshes` needs it. */
export type MeshCutter = ManifoldToplevel;

/** Loads and initialises manifold-3d's wasm (a few MB; load once, on first need). */
export async function loadMeshCutter(environment: MeshCutterEnvironment = {}): Promise<MeshCutter> {
  const { default: load } = await import('manifold-3d');
  const { locateWasm } = environment;
  const wasm = await load(locateWasm ? { locateFile: () => locateWasm('manifold.wasm') } : undefined);
  wasm.setup();
  return wasm;
}

/** Validates the planes and returns unit normals with offsets scaled to match. */
function unitPlanes(planes: readonly CutPlane[]): CutPlane[] {
  return planes.map((plane, index) => {
    const [x, y, z] = plane.normal;
    const length = Math.hypot(x, y, z);
    if (![x, y, z, plane.offset].every(Number.isFinite) || !(length > 0)) {
      throw new MeshCutError(`cut plane ${index + 1}: needs a non-zero finite normal and a finite offset (got normal ${JSON.stringify(plane.normal)}, offset ${plane.offset})`);
    }
    return { normal: [x / length, y / length, z / length], offset: plane.offset / length };
  });
}

/**
 * One mesh trimmed by every plane: a closed mesh stays closed (cut faces capped). No planes: the
 * mesh itself. A structure cut away entirely comes back with no triangle. The volume is recomputed,
 * normals are area-weighted vertex normals (flat across a cap's edge is not needed for printing).
 */
export function cutMesh(mesh: SurfaceMesh, planes: readonly CutPlane[], cutter: MeshCutter): SurfaceMesh {
  if (planes.length === 0 || mesh.indices.length === 0) return mesh;
  const units = unitPlanes(planes);
  const { Manifold, Mesh } = cutter;
  let solid: Manifold;
  try {
    solid = Manifold.ofMesh(new Mesh({ numProp: 3, vertProperties: mesh.positions, triVerts: mesh.indices }));
  } catch (error) {
    throw new MeshCutError(`cannot cut "${mesh.name}": its surface is not a closed 2-manifold (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const status = solid.status();
  if (status !== 'NoError') {
    solid.delete();
    throw new MeshCutError(`cannot cut "${mesh.name}": its surface is not a closed 2-manifold (manifold-3d: ${status})`);
  }
  try {
    for (const { normal, offset } of units) {
      // trimByPlane keeps n'·p ≥ o'; keeping n·p ≤ o is n' = −n, o' = −o.
      const next: Manifold = solid.trimByPlane([-normal[0], -normal[1], -normal[2]], -offset);
      solid.delete();
      solid = next;
    }
    const out = solid.getMesh();
    const positions = out.numProp === 3 ? Float32Array.from(out.vertProperties) : positionsOnly(out.vertProperties, out.numProp);
    const indices = Uint32Array.from(out.triVerts);
    return {
      ...mesh,
      positions,
      indices,
      normals: computeNormals(positions, indices),
      volumeMl: solid.volume() / 1000,
    };
  } finally {
    solid.delete();
  }
}

function positionsOnly(properties: Float32Array, stride: number): Float32Array {
  const count = properties.length / stride;
  const out = new Float32Array(count * 3);
  for (let v = 0; v < count; v++) {
    out[v * 3] = properties[v * stride];
    out[v * 3 + 1] = properties[v * stride + 1];
    out[v * 3 + 2] = properties[v * stride + 2];
  }
  return out;
}

/** Every mesh trimmed by the same planes (see cutMesh). */
export function cutMeshes(meshes: readonly SurfaceMesh[], planes: readonly CutPlane[], cutter: MeshCutter): SurfaceMesh[] {
  return meshes.map((mesh) => cutMesh(mesh, planes, cutter));
}
