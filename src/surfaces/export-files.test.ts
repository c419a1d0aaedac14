import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { boxMesh, tetrahedronMesh } from '../../tests/analytic-meshes';
import { readBinaryStl, readObj } from '../../tests/mesh-readers';
import type { ClassInfo } from '../segmentation/manifest';
import { exportDownload, stlExportFiles, structureFileName } from './export-files';

const CLASSES: ClassInfo[] = [
  { id: 1, name: 'bone', label: 'Bone', group: 'bone', color: '#e8dcc0', opacity: 1, sourceNames: [] },
  { id: 9, name: 'other_organs', label: 'Other organs', group: 'organ', color: '#6fae72', opacity: 0.5, sourceNames: [] },
];
const meshes = [boxMesh(1, 'bone', [0, 0, 0], [10, 10, 10]), tetrahedronMesh(9, 'other_organs', [20, 0, 0], 6)];

describe('export files and downloads', () => {
  it('names files from class names, safely', () => {
    expect(structureFileName('other_organs')).toBe('other_organs');
    expect(structureFileName('../a b/c')).toBe('a_b_c');
    expect(structureFileName('///')).toBe('structure');
  });

  it('STL: one file per structure with triangles and the set; the zip holds them all', () => {
    const empty = { ...boxMesh(3, 'veins', [0, 0, 0], [1, 1, 1]), indices: new Uint32Array(0) };
    expect(stlExportFiles([...meshes, empty]).map((f) => f.path)).toEqual(['stl/bone.stl', 'stl/other_organs.stl', 'stl/visible.stl']);
    const download = exportDownload('stl', meshes, CLASSES, { model: 'm' });
    expect(download.fileName).toBe('hologram-stl.zip');
    expect(download.mime).toBe('application/zip');
    const files = unzipSync(download.bytes);
    expect(readBinaryStl(files['stl/bone.stl']).triangles).toBe(12);
    expect(readBinaryStl(files['stl/other_organs.stl']).triangles).toBe(4);
    expect(readBinaryStl(files['stl/visible.stl']).triangles).toBe(16);
  });

  it('OBJ: the zip holds hologram.obj and the hologram.mtl it names; GLB is the file itself', () => {
    const files = unzipSync(exportDownload('obj', meshes, CLASSES).bytes);
    expect(Object.keys(files).sort()).toEqual(['hologram.mtl', 'hologram.obj']);
    const obj = readObj(new TextDecoder().decode(files['hologram.obj']));
    expect(obj.mtllib).toBe('hologram.mtl');
    expect(obj.objects.map((o) => [o.name, o.triangles])).toEqual([['bone', 12], ['other_organs', 4]]);
    const glb = exportDownload('glb', meshes, CLASSES);
    expect(glb.fileName).toBe('hologram.glb');
    expect(new DataView(glb.bytes.buffer).getUint32(0, true)).toBe(0x46546c67);
  });
});
