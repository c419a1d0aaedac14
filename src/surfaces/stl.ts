/**
 * SurfaceMesh[] → binary STL, for 3D printing and planning software. Pure, synchronous, no DOM or
 * Node API, no dependency.
 *
 * Frame: patient **LPS** millimetres, exactly HoloCT's internal space (x = towards the patient's left,
 * y = posterior, z = superior). STL has no field for a frame or a unit, so the 80-byte header says it:
 * `SPACE=LPS`, the tag 3D Slicer writes into its own STL headers and looks for when it reads one
 * (Slicer ≥ 4.11 reads STL/OBJ as LPS unless the header says `SPACE=RAS`), and `UNITS=mm`.
 * Triangles keep the mesh's counter-clockwise-from-outside order (right-handed LPS), so each
 * facet normal (from the triangle itself, as STL readers expect) points outward.
 *
 * Nothing about the patient goes in: the header carries only "HoloCT", the frame, the unit and the
 * model's name; the triangles carry no attribute.
 */

import type { SurfaceMesh } from './types';

export const STL_HEADER_BYTES = 80;
const TRIANGLE_BYTES = 50;

export interface StlOptions {
  /** The model that made the meshes (manifest name), put in the header after the frame; truncated to fit. */
  model?: string;
}

/** The 80-byte header text: printable ASCII only, and never starting with "solid" (that marks ASCII STL). */
export function stlHeader(options: StlOptions = {}): string {
  const model = (options.model ?? '').replace(/[^\x20-\x7e]/g, '?');
  const text = `HoloCT binary STL SPACE=LPS UNITS=mm${model ? ` model=${model}` : ''}`;
  return text.slice(0, STL_HEADER_BYTES);
}

/** Byte size of a binary STL holding `triangles` triangles. */
export function stlByteLength(triangles: number): number {
  return STL_HEADER_BYTES + 4 + TRIANGLE_BYTES * triangles;
}

/**
 * One binary STL holding every triangle of `meshes` (one structure, or a whole set: STL has no
 * notion of parts, so a set is one solid per file). Empty meshes add nothing.
 */
export function meshesToStl(meshes: readonly Pick<SurfaceMesh, 'positions' | 'indices'>[], options: StlOptions = {}): Uint8Array {
  let triangles = 0;
  for (const m of meshes) triangles += m.indices.length / 3;
  if (triangles > 0xffffffff) throw new RangeError(`binary STL holds at most 2^32-1 triangles, got ${triangles}`);
  const out = new Uint8Array(stlByteLength(triangles));
  const view = new DataView(out.buffer);
  const header = stlHeader(options);
  for (let i = 0; i < header.length; i++) out[i] = header.charCodeAt(i);
  out.fill(0x20, header.length, STL_HEADER_BYTES);
  view.setUint32(STL_HEADER_BYTES, triangles, true);

  let at = STL_HEADER_BYTES + 4;
  for (const { positions: p, indices } of meshes) {
    for (let t = 0; t < indices.length; t += 3) {
      const a = indices[t] * 3, b = indices[t + 1] * 3, c = indices[t + 2] * 3;
      // Facet normal from the triangle (right-hand rule on a→b→c); 0 for a degenerate triangle.
      const ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
      const vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
      let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
      const length = Math.hypot(nx, ny, nz);
      if (length > 0) { nx /= length; ny /= length; nz /= length; }
      view.setFloat32(at, nx, true);
      view.setFloat32(at + 4, ny, true);
      view.setFloat32(at + 8, nz, true);
      at += 12;
      for (let corner = 0; corner < 3; corner++) {
        const v = corner === 0 ? a : corner === 1 ? b : c;
        view.setFloat32(at, p[v], true);
        view.setFloat32(at + 4, p[v + 1], true);
        view.setFloat32(at + 8, p[v + 2], true);
        at += 12;
      }
      view.setUint16(at, 0, true); // attribute byte count: none
      at += 2;
    }
  }
  return out;
}
