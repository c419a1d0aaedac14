/**
 * Test-only readers for the mesh exports (binary STL, OBJ, MTL): they parse what a planning tool
 * would and return counts and bounds in mm, independently of the writers in src/surfaces/.
 */

export interface Bounds {
  min: [number, number, number];
  max: [number, number, number];
}

function emptyBounds(): Bounds {
  return { min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] };
}

function grow(b: Bounds, x: number, y: number, z: number): void {
  const p = [x, y, z];
  for (let k = 0; k < 3; k++) {
    if (p[k] < b.min[k]) b.min[k] = p[k];
    if (p[k] > b.max[k]) b.max[k] = p[k];
  }
}

export interface StlFile {
  /** The 80-byte header as text, trailing spaces and NULs cut. */
  header: string;
  triangles: number;
  /** Facet normal per triangle (3 floats). */
  normals: Float32Array;
  /** Three corners per triangle (9 floats). */
  corners: Float32Array;
  bounds: Bounds;
}

/** Parses a binary STL; throws when the size does not match its triangle count. */
export function readBinaryStl(bytes: Uint8Array): StlFile {
  if (bytes.length < 84) throw new Error(`binary STL: ${bytes.length} bytes, needs at least 84`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = String.fromCharCode(...bytes.subarray(0, 80)).replace(/[\s\0]+$/, '');
  const triangles = view.getUint32(80, true);
  if (bytes.length !== 84 + 50 * triangles) throw new Error(`binary STL: ${bytes.length} bytes for ${triangles} triangles (expected ${84 + 50 * triangles})`);
  const normals = new Float32Array(triangles * 3);
  const corners = new Float32Array(triangles * 9);
  const bounds = emptyBounds();
  for (let t = 0; t < triangles; t++) {
    const at = 84 + 50 * t;
    for (let k = 0; k < 3; k++) normals[t * 3 + k] = view.getFloat32(at + 4 * k, true);
    for (let c = 0; c < 3; c++) {
      const x = view.getFloat32(at + 12 + 12 * c, true), y = view.getFloat32(at + 16 + 12 * c, true), z = view.getFloat32(at + 20 + 12 * c, true);
      corners.set([x, y, z], t * 9 + c * 3);
      grow(bounds, x, y, z);
    }
  }
  return { header, triangles, normals, corners, bounds };
}

export interface ObjObject {
  name: string;
  groups: string[];
  material?: string;
  triangles: number;
  /** Bounds of the vertices its faces use, mm. */
  bounds: Bounds;
  /** Faces whose corners each name a normal. */
  facesWithNormals: number;
}

export interface ObjFile {
  comments: string[];
  mtllib?: string;
  vertices: number;
  normals: number;
  objects: ObjObject[];
}

/** Parses OBJ text (v, vn, o, g, usemtl, mtllib, f with v, v//vn or v/vt/vn, 1-based or negative). */
export function readObj(text: string): ObjFile {
  const positions: number[] = [];
  let normals = 0;
  const comments: string[] = [];
  let mtllib: string | undefined;
  const objects: ObjObject[] = [];
  let current: ObjObject | undefined;
  const faces: Array<{ object: ObjObject; corners: number[] }> = [];
  const object = () => {
    if (!current) {
      current = { name: '', groups: [], triangles: 0, bounds: emptyBounds(), facesWithNormals: 0 };
      objects.push(current);
    }
    return current;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) { comments.push(line.slice(1).trim()); continue; }
    const [keyword, ...rest] = line.split(/\s+/);
    switch (keyword) {
      case 'v': positions.push(Number(rest[0]), Number(rest[1]), Number(rest[2])); break;
      case 'vn': normals++; break;
      case 'mtllib': mtllib = rest.join(' '); break;
      case 'o': current = { name: rest.join(' '), groups: [], triangles: 0, bounds: emptyBounds(), facesWithNormals: 0 }; objects.push(current); break;
      case 'g': object().groups.push(rest.join(' ')); break;
      case 'usemtl': object().material = rest.join(' '); break;
      case 'f': {
        const o = object();
        const vertexCount = positions.length / 3;
        const corners = rest.map((c) => {
          const index = Number(c.split('/')[0]);
          return index < 0 ? vertexCount + index : index - 1;
        });
        if (rest.every((c) => (c.split('/')[2] ?? '') !== '')) o.facesWithNormals++;
        o.triangles += corners.length - 2;
        faces.push({ object: o, corners });
        break;
      }
      default: break;
    }
  }
  const vertices = positions.length / 3;
  for (const { object: o, corners } of faces) {
    for (const v of corners) {
      if (!(v >= 0 && v < vertices)) throw new Error(`OBJ: face index ${v + 1} outside 1..${vertices}`);
      grow(o.bounds, positions[v * 3], positions[v * 3 + 1], positions[v * 3 + 2]);
    }
  }
  return { comments, mtllib, vertices, normals, objects };
}

export interface MtlMaterial {
  Kd?: [number, number, number];
  d?: number;
}

export function readMtl(text: string): Map<string, MtlMaterial> {
  const materials = new Map<string, MtlMaterial>();
  let current: MtlMaterial | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [keyword, ...rest] = line.split(/\s+/);
    if (keyword === 'newmtl') { current = {}; materials.set(rest.join(' '), current); }
    else if (keyword === 'Kd' && current) current.Kd = [Number(rest[0]), Number(rest[1]), Number(rest[2])];
    else if (keyword === 'd' && current) current.d = Number(rest[0]);
  }
  return materials;
}

export interface WeldedEdges {
  /** Undirected edges after welding corners with identical coordinates. */
  edges: number;
  /** Edges whose a→b uses are not matched by as many b→a uses: holes or flipped triangles. */
  open: number;
  /** Edges used by more than two triangles (surfaces touching along an edge), matched in pairs. */
  nonManifold: number;
}

/**
 * The edges of a triangle soup (STL) as a slicer sees them, welding corners by exact coordinates.
 * Watertight and consistently oriented when `open` is 0; a 2-manifold when `nonManifold` is 0 too.
 */
export function weldedEdges(corners: Float32Array): WeldedEdges {
  const ids = new Map<string, number>();
  const id = (t: number, c: number) => {
    const key = `${corners[t * 9 + c * 3]},${corners[t * 9 + c * 3 + 1]},${corners[t * 9 + c * 3 + 2]}`;
    let v = ids.get(key);
    if (v === undefined) { v = ids.size; ids.set(key, v); }
    return v;
  };
  // per undirected edge: [uses a→b with a < b, uses b→a]
  const uses = new Map<string, [number, number]>();
  for (let t = 0; t < corners.length / 9; t++) {
    const v = [id(t, 0), id(t, 1), id(t, 2)];
    for (let e = 0; e < 3; e++) {
      const a = v[e], b = v[(e + 1) % 3];
      const key = a < b ? `${a},${b}` : `${b},${a}`;
      const count = uses.get(key) ?? [0, 0];
      count[a < b ? 0 : 1]++;
      uses.set(key, count);
    }
  }
  let open = 0, nonManifold = 0;
  for (const [forward, backward] of uses.values()) {
    if (forward !== backward) open++;
    else if (forward + backward > 2) nonManifold++;
  }
  return { edges: uses.size, open, nonManifold };
}
