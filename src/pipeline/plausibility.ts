/**
 * Is a segmented volume anatomically plausible for an adult? Flags a structure whose volume is far
 * outside the adult range, and one that should be in the field of view but is missing. A note for
 * the reader, not a correction: a diseased organ may truly be that size.
 *
 * Adult ranges (mL) and their sources. "Far outside" = below half the low end or above 1.5× the high end.
 * | class   | typical adult range | source |
 * |---------|---------------------|--------|
 * | liver   | 1000–2200 mL        | Heinemann A et al., Standard liver volume in the Caucasian population, Liver Transpl Surg 1999;5(5):366–368 (CT volumetry of 1332 adults, mean ≈ 1.5 L) |
 * | spleen  | 107–314 mL          | Prassopoulos P et al., Determination of normal splenic volume on computed tomography…, Eur Radiol 1997;7(2):246–248 (range of 140 adults, mean 215 mL) |
 * | kidneys | 250–500 mL (both)   | Cheong B et al., Normal values for renal length and volume as measured by MRI, Clin J Am Soc Nephrol 2007;2(1):38–45 (≈ 150–250 mL each) |
 * | lungs   | 3000–8000 mL (both) | Stocks J, Quanjer PH, Reference values for residual volume, functional residual capacity and total lung capacity, Eur Respir J 1995;8:492–506 (adult total lung capacity) |
 * The lungs' range holds for a full inspiration with both lungs in the field of view; a crop of the
 * chest or abdomen holds only part of some organs, so a low volume of an organ cut by the scan's
 * border is not flagged.
 */
export interface VolumeRange {
  /** Typical adult range, mL. */
  low: number;
  high: number;
  source: string;
}

export const ADULT_VOLUME_ML: Readonly<Record<string, VolumeRange>> = {
  liver: { low: 1000, high: 2200, source: 'Heinemann et al., Liver Transpl Surg 1999;5:366–368' },
  spleen: { low: 107, high: 314, source: 'Prassopoulos et al., Eur Radiol 1997;7:246–248' },
  kidneys: { low: 250, high: 500, source: 'Cheong et al., Clin J Am Soc Nephrol 2007;2:38–45' },
  lungs: { low: 3000, high: 8000, source: 'Stocks & Quanjer, Eur Respir J 1995;8:492–506' },
};

/** Structure → structures that lie beside it at the same level: when it is found whole, they are expected. */
export const EXPECTED_BESIDE: Readonly<Record<string, readonly string[]>> = {
  lungs: ['heart'],
  liver: ['spleen'],
};

export interface StructureVolume {
  name: string;
  volumeMl: number;
  /** True when the structure reaches a face of the scanned volume (cut by the field of view). */
  touchesScanEnd: boolean;
}

/** One note per implausible structure, keyed by class name. */
export function plausibilityNotes(structures: readonly StructureVolume[]): Map<string, string> {
  const notes = new Map<string, string>();
  const byName = new Map(structures.map((s) => [s.name, s]));
  for (const s of structures) {
    const range = ADULT_VOLUME_ML[s.name];
    if (!range || s.volumeMl === 0) continue;
    const litres = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} L` : `${Math.round(v)} mL`);
    if (s.volumeMl > range.high * 1.5) {
      notes.set(s.name, `${litres(s.volumeMl)} is far above the adult range ${litres(range.low)}–${litres(range.high)} (${range.source}): check the segmentation`);
    } else if (s.volumeMl < range.low / 2 && !s.touchesScanEnd) {
      notes.set(s.name, `${litres(s.volumeMl)} is far below the adult range ${litres(range.low)}–${litres(range.high)} (${range.source}) though the scan holds it whole: check the segmentation`);
    }
  }
  for (const [anchor, expected] of Object.entries(EXPECTED_BESIDE)) {
    const a = byName.get(anchor);
    const range = ADULT_VOLUME_ML[anchor];
    // only an anchor held whole and of a plausible size says the neighbour must be there
    if (!a || a.touchesScanEnd || notes.has(anchor) || (range && a.volumeMl < range.low / 2)) continue;
    for (const name of expected) {
      const e = byName.get(name);
      if (e && e.volumeMl === 0 && !notes.has(name)) notes.set(name, `not found, though the ${anchor} are in the field of view and it lies beside them: check the segmentation`.replace('the liver are', 'the liver is'));
    }
  }
  return notes;
}

/** Class ids that reach any face of the label grid: structures the field of view cuts. */
export function classesCutByFieldOfView(labels: { dims: readonly [number, number, number]; data: Uint8Array }): Set<number> {
  const [nx, ny, nz] = labels.dims;
  const out = new Set<number>();
  let n = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, n++) {
    if (i === 0 || j === 0 || k === 0 || i === nx - 1 || j === ny - 1 || k === nz - 1) out.add(labels.data[n]);
  }
  return out;
}
