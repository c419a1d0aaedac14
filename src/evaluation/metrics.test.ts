import { describe, expect, it } from 'vitest';
import type { ClassInfo } from '../segmentation/manifest';
import { evaluateLabels } from './metrics';

const cls = (id: number, name: string, group: ClassInfo['group']): ClassInfo => ({ id, name, label: name, group, color: '#000000', opacity: 1, sourceNames: [] });
const classes = [cls(1, 'bone', 'bone'), cls(2, 'arteries', 'vessel'), cls(3, 'veins', 'vessel')];
// voxel:            0  1  2  3  4  5  6  7  8  9
const ref = Uint8Array.from([0, 0, 1, 1, 1, 2, 2, 0, 3, 3]);
const pred = Uint8Array.from([0, 1, 1, 1, 0, 2, 3, 2, 3, 0]);
const byName = (list: { name: string }[], name: string) => list.find((s) => s.name === name)!;

describe('the one scorer, on a hand-computed case', () => {
  it('scores a full reference: IoU, Dice, precision, recall per class and group', () => {
    const r = evaluateLabels(pred, ref, classes);
    expect(r.voxels).toBe(10);
    expect(r.pixelAccuracy).toBe(0.5);
    expect(byName(r.classes, 'bone')).toMatchObject({ truePositiveVoxels: 2, referenceVoxels: 3, predictedVoxels: 3, iou: 0.5, dice: 4 / 6, precision: 2 / 3, recall: 2 / 3 });
    expect(byName(r.classes, 'arteries')).toMatchObject({ iou: 1 / 3, precision: 0.5, recall: 0.5 });
    expect(byName(r.classes, 'veins')).toMatchObject({ iou: 1 / 3, precision: 0.5, recall: 0.5 });
    // an artery voxel called vein is still a vessel: the group pools its classes
    expect(byName(r.groups, 'vessel')).toMatchObject({ truePositiveVoxels: 3, iou: 0.6, precision: 0.75, recall: 0.75 });
    expect(byName(r.groups, 'organ')).toMatchObject({ iou: null, precision: null, recall: null });
  });

  it('skips the ignore region', () => {
    const ignore = new Uint8Array(10);
    ignore[7] = 1;
    const r = evaluateLabels(pred, ref, classes, { ignore });
    expect(r.voxels).toBe(9);
    expect(byName(r.classes, 'arteries')).toMatchObject({ iou: 0.5, precision: 1, recall: 0.5 });
  });

  it('scores a partial reference: complete classes fully, partly labelled ones by recall, unscored predictions as unknown', () => {
    const r = evaluateLabels(pred, ref, classes, { coverage: new Map([[2, 'complete'], [3, 'inside-only']]) });
    expect(r.pixelAccuracy).toBeNull();
    expect(r.classes.map((c) => c.name)).toEqual(['arteries', 'veins']);
    expect(byName(r.classes, 'arteries')).toMatchObject({ iou: 1 / 3, precision: 0.5, recall: 0.5 });
    expect(byName(r.classes, 'veins')).toMatchObject({ coverage: 'inside-only', iou: null, precision: null, recall: 0.5 });
    expect(byName(r.groups, 'vessel')).toMatchObject({ coverage: 'inside-only', iou: null, recall: 0.75 });
    expect(byName(r.groups, 'bone')).toMatchObject({ referenceVoxels: 0, predictedVoxels: 0, iou: null });
  });
});
