/**
 * SurfaceMesh[] → a binary glTF 2.0 (.glb) file: one named node and mesh per structure, each with
 * its own PBR material (class color and opacity). Hand-written (a GLB is a JSON chunk and a BIN
 * chunk), synchronous, no DOM or Node API, no dependency.
 *
 * Frame: glTF is right-handed with +Y up, +Z the asset's front and metres as unit. HoloCT's patient
 * space is LPS mm. The mapping is
 *
 *     x_gltf =  L · s      (patient left   → +X)
 *     y_gltf =  S · s      (superior       → +Y, up)
 *     z_gltf = −P · s      (anterior       → +Z, the front faces the viewer)
 *
 * with s = 0.001 (mm → m). Its matrix [[1,0,0],[0,0,1],[0,−1,0]] has determinant +1: a proper
 * rotation, so anatomy is not mirrored and counter-clockwise triangles stay counter-clockwise
 * (glTF's front faces). A viewer looking at the asset's front (from +Z) sees the patient's face
 * with the patient's left on the viewer's right, as in an anterior view.
 *
 * Nothing about the patient goes in: node, mesh and material names are class names, the generator
 * is "HoloCT", no extras.
 */

import type { ClassInfo } from '../segmentation/manifest';
import { hexToRgb } from '../segmentation/manifest';
import type { SurfaceMesh } from './types';

export interface GlbOptions {
  /** Metres per position unit (mm). Default 0.001. */
  scale?: number;
  /**
   * Subtract the centre of all meshes' bounding box so the hologram sits at the origin.
   * Default false: positions keep the patient frame (LPS origin of the scan).
   */
  center?: boolean;
}

const GLTF_FLOAT = 5126;
const GLTF_UNSIGNED_SHORT = 5123;
const GLTF_UNSIGNED_INT = 5125;
const ARRAY_BUFFER = 34962;
const ELEMENT_ARRAY_BUFFER = 34963;

/** sRGB component (0..1) → linear, as glTF's baseColorFactor is linear. */
function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

/** LPS mm → glTF metres, the mapping documented above; `c` is subtracted first (LPS). */
export function lpsToGltf(x: number, y: number, z: number, scale = 0.001, c: readonly number[] = [0, 0, 0]): [number, number, number] {
  return [(x - c[0]) * scale, (z - c[2]) * scale, -(y - c[1]) * scale];
}

interface JsonAccessor {
  bufferView: number;
  componentType: number;
  count: number;
  type: 'VEC3' | 'SCALAR';
  min?: number[];
  max?: number[];
}

/** Encodes meshes as a GLB. Meshes with no triangle are left out. */
export function meshesToGlb(meshes: readonly SurfaceMesh[], classes: readonly ClassInfo[], options: GlbOptions = {}): Uint8Array {
  const scale = options.scale ?? 0.001;
  const byId = new Map(classes.map((c) => [c.id, c]));
  const drawn = meshes.filter((m) => m.indices.length >= 3 && m.positions.length >= 9);

  let centre: [number, number, number] = [0, 0, 0];
  if (options.center && drawn.length) {
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (const m of drawn) {
      for (let v = 0; v < m.positions.length; v += 3) {
        for (let k = 0; k < 3; k++) {
          const x = m.positions[v + k];
          if (x < lo[k]) lo[k] = x;
          if (x > hi[k]) hi[k] = x;
        }
      }
    }
    centre = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2];
  }

  // Lay out the binary chunk: per mesh positions, normals, indices, each 4-byte aligned.
  const views: { byteOffset: number; byteLength: number; target: number }[] = [];
  let binLength = 0;
  const layout = drawn.map((m) => {
    const vertexCount = m.positions.length / 3;
    const wide = vertexCount > 65535;
    const parts = [vertexCount * 12, vertexCount * 12, m.indices.length * (wide ? 4 : 2)];
    const offsets = parts.map((bytes, i) => {
      const byteOffset = binLength;
      views.push({ byteOffset, byteLength: bytes, target: i < 2 ? ARRAY_BUFFER : ELEMENT_ARRAY_BUFFER });
      binLength += (bytes + 3) & ~3;
      return byteOffset;
    });
    return { vertexCount, wide, offsets };
  });
  const bin = new Uint8Array(binLength);
  const binView = new DataView(bin.buffer);

  const accessors: JsonAccessor[] = [];
  const gltfMeshes: unknown[] = [];
  const materials: unknown[] = [];
  const nodes: unknown[] = [];
  drawn.forEach((m, index) => {
    const { vertexCount, wide, offsets } = layout[index];
    const min = [Infinity, Infinity, Infinity];
    const max = [-Infinity, -Infinity, -Infinity];
    for (let v = 0; v < vertexCount; v++) {
      const p = lpsToGltf(m.positions[v * 3], m.positions[v * 3 + 1], m.positions[v * 3 + 2], scale, centre);
      for (let k = 0; k < 3; k++) {
        // Bounds of the float32 values actually stored, as validators compare exactly.
        const f = Math.fround(p[k]);
        binView.setFloat32(offsets[0] + v * 12 + k * 4, f, true);
        if (f < min[k]) min[k] = f;
        if (f > max[k]) max[k] = f;
      }
      const n = m.normals;
      binView.setFloat32(offsets[1] + v * 12, n[v * 3], true);
      binView.setFloat32(offsets[1] + v * 12 + 4, n[v * 3 + 2], true);
      binView.setFloat32(offsets[1] + v * 12 + 8, -n[v * 3 + 1], true);
    }
    for (let i = 0; i < m.indices.length; i++) {
      if (wide) binView.setUint32(offsets[2] + i * 4, m.indices[i], true);
      else binView.setUint16(offsets[2] + i * 2, m.indices[i], true);
    }
    const base = accessors.length;
    accessors.push(
      { bufferView: index * 3, componentType: GLTF_FLOAT, count: vertexCount, type: 'VEC3', min, max },
      { bufferView: index * 3 + 1, componentType: GLTF_FLOAT, count: vertexCount, type: 'VEC3' },
      { bufferView: index * 3 + 2, componentType: wide ? GLTF_UNSIGNED_INT : GLTF_UNSIGNED_SHORT, count: m.indices.length, type: 'SCALAR' },
    );
    const info = byId.get(m.classId);
    const name = info?.name ?? m.name;
    const [r, g, b] = info ? hexToRgb(info.color) : [0.8, 0.8, 0.8];
    const opacity = info ? info.opacity : 1;
    const material: Record<string, unknown> = {
      name,
      pbrMetallicRoughness: {
        baseColorFactor: [srgbToLinear(r), srgbToLinear(g), srgbToLinear(b), opacity],
        metallicFactor: 0,
        roughnessFactor: 0.6,
      },
    };
    if (opacity < 1) material.alphaMode = 'BLEND';
    materials.push(material);
    gltfMeshes.push({
      name,
      primitives: [{ attributes: { POSITION: base, NORMAL: base + 1 }, indices: base + 2, material: index, mode: 4 }],
    });
    nodes.push({ name, mesh: index });
  });

  // glTF forbids empty arrays: an empty hologram is a scene without nodes.
  const json: Record<string, unknown> = {
    asset: { version: '2.0', generator: 'HoloCT' },
    scene: 0,
    scenes: [drawn.length ? { name: 'hologram', nodes: nodes.map((_, i) => i) } : { name: 'hologram' }],
  };
  if (drawn.length) {
    Object.assign(json, {
      nodes,
      meshes: gltfMeshes,
      materials,
      accessors,
      bufferViews: views.map((v) => ({ buffer: 0, ...v })),
      buffers: [{ byteLength: binLength }],
    });
  }
  const jsonBytes = new TextEncoder().encode(JSON.stringify(json));
  const jsonLength = (jsonBytes.length + 3) & ~3;
  const total = 12 + 8 + jsonLength + (drawn.length ? 8 + binLength : 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x46546c67, true); // "glTF"
  view.setUint32(4, 2, true);
  view.setUint32(8, total, true);
  view.setUint32(12, jsonLength, true);
  view.setUint32(16, 0x4e4f534a, true); // "JSON"
  out.set(jsonBytes, 20);
  out.fill(0x20, 20 + jsonBytes.length, 20 + jsonLength); // pad JSON with spaces
  if (drawn.length) {
    const at = 20 + jsonLength;
    view.setUint32(at, binLength, true);
    view.setUint32(at + 4, 0x004e4942, true); // "BIN\0"
    out.set(bin, at + 8);
  }
  return out;
}
