/**
 * The bench's realistic case: the sample torso (assets/sample/ct_3mm.nii.gz, 3 mm) resampled
 * trilinearly to 0.75×0.75×1.5 mm, the voxel size of a clinical abdominal CT (≈ 490×400×220 voxels,
 * every structure of the model present). Generated on the fly, never committed.
 */
import { readFile } from 'node:fs/promises';
import { readNiftiVolume } from '../src/volume/nifti';
import { resampleTrilinear } from '../src/volume/resample';
import type { Grid, Vec3, Volume } from '../src/volume/types';

export const SAMPLE_CT = 'assets/sample/ct_3mm.nii.gz';
export const REALISTIC_SPACING: Vec3 = [0.75, 0.75, 1.5];

/** The grid covering `source`'s voxel centres at `spacing`, same origin and direction. */
export function finerGrid(source: Grid, spacing: Readonly<Vec3>): Grid {
  const dims = [0, 1, 2].map((a) => Math.floor(((source.dims[a] - 1) * source.spacing[a]) / spacing[a] + 1e-6) + 1) as Vec3;
  return { dims, spacing: [...spacing] as Vec3, origin: [...source.origin] as Vec3, direction: [...source.direction] };
}

/** The sample CT at 0.75×0.75×1.5 mm, as Int16 HU like a decoded DICOM series. */
export async function realisticVolume(path = SAMPLE_CT): Promise<Volume> {
  const source = readNiftiVolume(await readFile(path), path);
  const grid = finerGrid(source, REALISTIC_SPACING);
  const hu = resampleTrilinear(source, grid, { padValue: -1024 });
  const data = new Int16Array(hu.length);
  for (let i = 0; i < hu.length; i++) data[i] = Math.round(hu[i]);
  return { ...grid, data };
}
