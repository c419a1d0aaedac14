/**
 * SurfaceMesh[] → Wavefront OBJ + MTL: one object and group per structure (`o`/`g` with the class
 * name), its own material (`usemtl`) with the class colour and opacity from the model manifest, and
 * per-vertex normals. Pure, synchronous, no DOM or Node API, no dependency.
 *
 * Frame: patient **LPS** millimetres, HoloCT's internal space, written as is. OBJ has no frame or
 * unit either; the first comment line says `SPACE=LPS` (3D Slicer reads that tag from an OBJ's
 * comment, and assumes LPS without it) and the next says the axes and the unit.
 *
 * Nothing about the patient goes in: comments carry "HoloCT" and the model's name, objects and
 * materials carry class names.
 */

import type { ClassInfo } from '../segmentation/manifest';
import { hexToRgb } from '../segmentation/manifest';
import type { SurfaceMesh } from './types';

export interface ObjOptions {
  /** File name of the material library that `mtllib` refers to. Default "hologram.mtl". */
  mtlFileName?: string;
  /** The model that made the meshes (manifest name), for the comment. */
  model?: string;
}

export interface ObjFiles {
  obj: string;
  mtl: string;
}

/** OBJ/MTL names are single tokens: whitespace becomes "_". */
function token(name: string): string {
  return name.trim().replace(/\s+/g, '_') || 'structure';
}

/**
 * A number rounded to `digits` decimals in its shortest form ("12.5", not "12.5000"): positions to
 * 1/10000 mm, far below float32's resolution at a few hundred mm. Rounding then String() is several
 * times faster than toFixed and trimming, which matters at a million numbers.
 */
function num(x: number, digits: number): string {
  const scale = digits === 4 ? 1e4 : 10 ** digits;
  const r = Math.round(x * scale) / scale;
  return r === 0 ? '0' : String(r);
}

function comment(text: string): string {
  return `# ${text.replace(/[\r\n]+/g, ' ')}`;
}

/** Encodes meshes as OBJ text and its MTL. Meshes with no triangle are left out. */
export function meshesToObj(meshes: readonly SurfaceMesh[], classes: readonly ClassInfo[], options: ObjOptions = {}): ObjFiles {
  const mtlFileName = options.mtlFileName ?? 'hologram.mtl';
  const byId = new Map(classes.map((c) => [c.id, c]));
  const drawn = meshes.filter((m) => m.indices.length >= 3);
  const header = [
    comment('HoloCT hologram SPACE=LPS'),
    comment('coordinates: patient LPS millimetres (x = towards patient left, y = posterior, z = superior)'),
    ...(options.model ? [comment(`model: ${options.model}`)] : []),
  ];

  const obj: string[] = [...header, `mtllib ${mtlFileName}`];
  const mtl: string[] = [...header];
  let base = 1; // OBJ indices are 1-based and global across objects
  for (const m of drawn) {
    const info = byId.get(m.classId);
    const name = token(info?.name ?? m.name);
    const [r, g, b] = info ? hexToRgb(info.color) : [0.8, 0.8, 0.8];
    const opacity = info ? info.opacity : 1;
    mtl.push(
      '',
      `newmtl ${name}`,
      `Ka ${num(r, 4)} ${num(g, 4)} ${num(b, 4)}`,
      `Kd ${num(r, 4)} ${num(g, 4)} ${num(b, 4)}`,
      'Ks 0.1 0.1 0.1',
      'Ns 20',
      `d ${num(opacity, 4)}`,
      // Tr is d's complement, for readers that only know Tr.
      `Tr ${num(1 - opacity, 4)}`,
      'illum 2',
    );

    const p = m.positions, n = m.normals;
    const vertexCount = p.length / 3;
    if (n.length !== p.length) throw new Error(`OBJ export: structure "${name}" has ${n.length / 3} normals for ${vertexCount} vertices`);
    const lines: string[] = ['', `o ${name}`, `g ${name}`, `usemtl ${name}`];
    for (let v = 0; v < p.length; v += 3) lines.push(`v ${num(p[v], 4)} ${num(p[v + 1], 4)} ${num(p[v + 2], 4)}`);
    for (let v = 0; v < n.length; v += 3) lines.push(`vn ${num(n[v], 5)} ${num(n[v + 1], 5)} ${num(n[v + 2], 5)}`);
    const idx = m.indices;
    for (let t = 0; t < idx.length; t += 3) {
      const a = idx[t] + base, b2 = idx[t + 1] + base, c = idx[t + 2] + base;
      lines.push(`f ${a}//${a} ${b2}//${b2} ${c}//${c}`);
    }
    obj.push(lines.join('\n'));
    base += vertexCount;
  }
  return { obj: `${obj.join('\n')}\n`, mtl: `${mtl.join('\n')}\n` };
}
