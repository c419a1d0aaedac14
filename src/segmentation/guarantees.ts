/**
 * What post-processing promises, checked on a result: no label outside the body, no class with more
 * components than its rule allows, no component below its minimum size. Evaluation and the tests
 * check every case with it.
 */
import type { LabelMap } from '../volume/types';
import type { ComponentRule } from './component-rules';
import { componentsByLabel } from './components';

export interface AnatomyCheck {
  /** Labelled voxels where `body` is 0. */
  outsideBodyVoxels: number;
  /** Classes breaking their rule: components found, the rule's maximum, the smallest size (mL). */
  violations: Array<{ classId: number; components: number; max: number | null; smallestMl: number; minMl: number }>;
}

export function checkAnatomy(labels: LabelMap, body: Uint8Array | null, rules: ReadonlyMap<number, ComponentRule>, defaultMinMl: number): AnatomyCheck {
  let outsideBodyVoxels = 0;
  if (body) for (let n = 0; n < labels.data.length; n++) if (labels.data[n] && !body[n]) outsideBodyVoxels++;
  const voxelMl = (labels.spacing[0] * labels.spacing[1] * labels.spacing[2]) / 1000;
  const violations: AnatomyCheck['violations'] = [];
  for (const [classId, components] of componentsByLabel(labels.data, labels.dims)) {
    const rule = rules.get(classId) ?? {};
    const minMl = rule.minMl ?? defaultMinMl;
    const smallestMl = components[components.length - 1].size * voxelMl;
    const tooMany = rule.max !== undefined && components.length > rule.max;
    // a tolerance of one voxel: a size exactly at the threshold is kept
    if (tooMany || smallestMl < minMl - voxelMl * 1e-6) {
      violations.push({ classId, components: components.length, max: rule.max ?? null, smallestMl, minMl });
    }
  }
  return { outsideBodyVoxels, violations };
}
