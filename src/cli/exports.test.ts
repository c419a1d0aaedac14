import { describe, expect, it } from 'vitest';
import { UsageError } from './args';
import { parseCutPlanes } from './cuts';
import { EXPORT_FORMATS, exportHelp, parseExportList, type ExportFormat } from './exports';

describe('--export registry', () => {
  it('parses a list in order, without repeats or case', () => {
    expect(parseExportList('stl, OBJ,stl')).toEqual(['stl', 'obj']);
    expect(Object.keys(EXPORT_FORMATS)).toEqual(['glb', 'stl', 'obj', 'seg']);
  });

  it('an unknown name lists the valid ones', () => {
    expect(() => parseExportList('stl,ply,3mf')).toThrow(UsageError);
    expect(() => parseExportList('stl,ply,3mf')).toThrow('unknown export "ply", "3mf": valid exports are glb, stl, obj, seg');
    expect(() => parseExportList(' , ')).toThrow(/needs at least one of: glb, stl, obj, seg/);
  });

  it('a format added to the registry is accepted and listed in --help', () => {
    const seg: ExportFormat = { summary: 'segmentation.dcm: DICOM SEG', write: async () => ['segmentation.dcm'] };
    const formats = { ...EXPORT_FORMATS, seg };
    expect(parseExportList('seg,stl', formats)).toEqual(['seg', 'stl']);
    expect(exportHelp(formats)).toMatch(/seg\s+segmentation\.dcm: DICOM SEG/);
  });
});

describe('--cuts file', () => {
  it('reads a plane list or a saved state’s cuts', () => {
    expect(parseCutPlanes([{ normal: [0, 0, 1], offset: -40 }], 'c.json')).toEqual([{ normal: [0, 0, 1], offset: -40 }]);
    expect(parseCutPlanes({ cuts: { a: { normal: [1, 0, 0], offset: 3, showSlice: true } } }, 'state.json')).toEqual([{ normal: [1, 0, 0], offset: 3 }]);
    expect(parseCutPlanes({ shared: { cuts: { a: { normal: [0, 1, 0], offset: -2, showSlice: false } } } }, 'state.json')).toEqual([{ normal: [0, 1, 0], offset: -2 }]);
  });

  it('refuses anything else with the file and the plane', () => {
    expect(() => parseCutPlanes({ planes: [] }, 'c.json')).toThrow(/^c\.json: expected a list/);
    expect(() => parseCutPlanes([{ normal: [0, 0, 1] }], 'c.json')).toThrow('c.json: plane 1 needs');
    expect(() => parseCutPlanes([{ normal: [0, 0, 1], offset: 1 }, { normal: [0, 0, 0], offset: 1 }], 'c.json')).toThrow('c.json: plane 2 needs');
  });
});
