/**
 * Bone marrow that the cortex encloses. The network (at 2 mm) and the bone band (≥ 150 HU) find
 * cortex and dense trabecular bone, but fatty or mixed marrow lies anywhere from −100 to 150 HU: an
 * older patient's vertebral bodies, pelvis and femurs come out as hollow rings (held-out case A:
 * most of the bone the model missed, median 85 HU). Per axial slice (the CT's own slices), a hole the
 * bone encloses is marrow unless it is too large (ribs, cartilage and sternum can ring the whole
 * chest), holds air (sinuses, mastoid cells, an airway: marrow is never air), or looks like fluid: the
 * spinal canal (CSF 0–15 HU, cord 20–40 HU), which a closed vertebral arch encloses too.
 * Not measured here (no head CT among the cases): the brain in the skull's top slices, where the skull's
 * section falls under the bound; brain (25–45 HU) is above the fluid box and would be filled.
 */
import type { LabelMap } from '../volume/types';
import { fillHolesPerSlice, type HoleStats } from './component-rules';

export interface MarrowRule {
  /** Holes larger than this in an axial slice stay open, mm². */
  maxMm2: number;
  /** Keep fluid-like holes (the spinal canal) open (default true; false only to measure what it keeps). */
  fluidStaysOpen?: boolean;
}

/**
 * Fluid as a hole shows it: a mean in CSF's and the cord's range and a spread no larger than noise.
 * Marrow differs in one of the two: fat (mean below), red or mixed marrow (above), or trabecular
 * texture (spread). Chosen on held-out B: its spinal canal holes had means −5…12 HU and spreads
 * 24–37 HU (10th–90th percentile); 99 % of the area of held-out A's marrow holes falls outside the box.
 */
export const FLUID_HOLE = { minMeanHU: -20, maxMeanHU: 25, maxStdHU: 40 } as const;

export const isFluidHole = (hole: HoleStats): boolean =>
  hole.meanHU >= FLUID_HOLE.minMeanHU && hole.meanHU <= FLUID_HOLE.maxMeanHU && hole.stdHU < FLUID_HOLE.maxStdHU;

/** Air as a hole shows it: fatty marrow reaches −100 HU, lung and air cells lie far below this. */
export const AIR_HOLE_MAX_MEAN_HU = -200;
export const isAirHole = (hole: HoleStats): boolean => hole.meanHU < AIR_HOLE_MAX_MEAN_HU;

/**
 * Fills the marrow `classId` encloses, in place (`hu` on the labels' grid; `inside`, the body, limits
 * what is filled). Returns the voxels filled.
 */
export function fillMarrow(labels: LabelMap, hu: ArrayLike<number>, classId: number, rule: MarrowRule, inside?: Uint8Array): number {
  const fluidStaysOpen = rule.fluidStaysOpen !== false;
  const keepOpen = (hole: HoleStats) => isAirHole(hole) || (fluidStaysOpen && isFluidHole(hole));
  return fillHolesPerSlice(labels, classId, { maxHoleMm2: rule.maxMm2, hu, keepOpen, inside });
}
