/**
 * The inverse of {@link meshesToGlb}: a HoloCT GLB (uncentred, one triangle primitive per named
 * node) → SurfaceMesh[] in patient LPS mm. Team sessions send the hologram as a GLB; a joiner turns
 * it back into the meshes the scene and the cut panels already know. Reads only what HoloCT writes
 * (float VEC3 POSITION/NORMAL, uint16/uint32 indices, one buffer) and refuses anything else with a
 * message naming the reason. Pure: no DOM or Node API.
 */
import type { ClassInfo } from '../segmentation/manifest';
import { signedVolume } from './meshOps';
import type { SurfaceMesh } from './types';

export class GlbReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GlbReadError';
  }
}

interface Accessor { bufferView: number; componentType: number; count: number; type: string; byteOffset?: number }
interface BufferView { buffer: number; byteOffset?: number; byteLength: number; byteStride?: number }
interface Primitive { attributes: { POSITION?: number; NORMAL?: number }; indices?: number; mode?: number }
interface GltfJson {
  meshes?: { name?: string; primitives: Primitive[] }[];
  nodes?: { name?: string; mesh?: number }[];
  accessors?: Accessor[];
  bufferViews?: BufferView[];
}

const FLOAT = 5126, USHORT = 5123, UINT = 5125;

/**
 * Meshes of a HoloCT GLB in LPS mm. Nodes are matched to classes by name; a node whose name is not a
 * class is refused (the GLB is not of this model). `scale` is metres per mm, as written (0.001).
 */
export function glbToMeshes(glb: Uint8Array, classes: readonly ClassInfo[], scale = 0.001): SurfaceMesh[] {
  const view = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  if (glb.byteLength < 20 || view.getUint32(0, true) !== 0x46546c67) throw new GlbReadError('not a GLB file (no "glTF" magic)');
  if (view.getUint32(4, true) !== 2) throw new GlbReadError(`GLB version ${view.getUint32(4, true)} (only 2 is read)`);
  const jsonLength = view.getUint32(12, true);
  if (view.getUint32(16, true) !== 0x4e4f534a || 20 + jsonLength > glb.byteLength) throw new GlbReadError('GLB has no JSON chunk');
  let json: GltfJson;
  try {
    json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLength))) as GltfJson;
  } catch (error) {
    throw new GlbReadError(`GLB JSON chunk does not parse: ${(error as Error).message}`);
  }
  const nodes = json.nodes ?? [];
  if (!nodes.length) return [];
  const binAt = 20 + jsonLength;
  if (binAt + 8 > glb.byteLength || view.getUint32(binAt + 4, true) !== 0x004e4942) throw new GlbReadError('GLB has meshes but no BIN chunk');
  const binLength = view.getUint32(binAt, true);
  if (binAt + 8 + binLength > glb.byteLength) throw new GlbReadError('GLB BIN chunk runs past the end of the file');
  const bin = glb.subarray(binAt + 8, binAt + 8 + binLength);
  const byName = new Map(classes.map((c) => [c.name, c]));

  const read = (index: number | undefined, what: string): { accessor: Accessor; bytes: Uint8Array } => {
    const accessor = index === undefined ? undefined : json.accessors?.[index];
    const bv = accessor ? json.bufferViews?.[accessor.bufferView] : undefined;
    if (!accessor || !bv) throw new GlbReadError(`GLB ${what}: accessor ${index} missing`);
    if (bv.byteStride && bv.byteStride !== 12) throw new GlbReadError(`GLB ${what}: interleaved buffers are not read`);
    const start = (bv.byteOffset ?? 0) + (accessor.byteOffset ?? 0);
    const size = accessor.count * (accessor.type === 'VEC3' ? 12 : accessor.componentType === USHORT ? 2 : 4);
    if (start + size > bin.length || start + size > (bv.byteOffset ?? 0) + bv.byteLength) throw new GlbReadError(`GLB ${what}: data runs past its buffer`);
    return { accessor, bytes: bin.subarray(start, start + size) };
  };

  return nodes.filter((n) => n.mesh !== undefined).map((node) => {
    const info = byName.get(node.name ?? '');
    if (!info) throw new GlbReadError(`GLB node "${node.name ?? ''}" is not a structure of this model`);
    const primitive = json.meshes?.[node.mesh!]?.primitives?.[0];
    if (!primitive || (primitive.mode ?? 4) !== 4) throw new GlbReadError(`GLB mesh of "${info.name}" has no triangle primitive`);
    const pos = read(primitive.attributes.POSITION, `positions of "${info.name}"`);
    const nor = read(primitive.attributes.NORMAL, `normals of "${info.name}"`);
    const idx = read(primitive.indices, `indices of "${info.name}"`);
    if (pos.accessor.componentType !== FLOAT || pos.accessor.type !== 'VEC3' || nor.accessor.componentType !== FLOAT || nor.accessor.count !== pos.accessor.count) {
      throw new GlbReadError(`GLB mesh of "${info.name}": positions and normals must be float VEC3 of one length`);
    }
    if (idx.accessor.componentType !== USHORT && idx.accessor.componentType !== UINT) throw new GlbReadError(`GLB indices of "${info.name}" are not uint16/uint32`);
    const n = pos.accessor.count;
    const p = new DataView(pos.bytes.buffer, pos.bytes.byteOffset, pos.bytes.byteLength);
    const q = new DataView(nor.bytes.buffer, nor.bytes.byteOffset, nor.bytes.byteLength);
    const positions = new Float32Array(n * 3);
    const normals = new Float32Array(n * 3);
    // glTF (x, y, z) = (L, S, −P)·scale: see glb.ts
    for (let v = 0; v < n; v++) {
      const x = p.getFloat32(v * 12, true), y = p.getFloat32(v * 12 + 4, true), z = p.getFloat32(v * 12 + 8, true);
      positions[v * 3] = x / scale;
      positions[v * 3 + 1] = -z / scale;
      positions[v * 3 + 2] = y / scale;
      normals[v * 3] = q.getFloat32(v * 12, true);
      normals[v * 3 + 1] = -q.getFloat32(v * 12 + 8, true);
      normals[v * 3 + 2] = q.getFloat32(v * 12 + 4, true);
    }
    const count = idx.accessor.count;
    const d = new DataView(idx.bytes.buffer, idx.bytes.byteOffset, idx.bytes.byteLength);
    const indices = new Uint32Array(count);
    const wide = idx.accessor.componentType === UINT;
    for (let i = 0; i < count; i++) {
      indices[i] = wide ? d.getUint32(i * 4, true) : d.getUint16(i * 2, true);
      if (indices[i] >= n) throw new GlbReadError(`GLB indices of "${info.name}" point past its ${n} vertices`);
    }
    if (count % 3) throw new GlbReadError(`GLB indices of "${info.name}" are not whole triangles`);
    return { classId: info.id, name: info.name, positions, normals, indices, volumeMl: signedVolume(positions, indices) / 1000, decimationErrorMm: 0 };
  });
}
