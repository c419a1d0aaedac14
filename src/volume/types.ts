/**
 * The geometry of a regular voxel grid in patient space.
 *
 * Patient space is DICOM LPS: +x towards the patient's Left, +y Posterior, +z Superior, in mm.
 * Voxel (i, j, k) sits at   origin + i*spacing[0]*dir_i + j*spacing[1]*dir_j + k*spacing[2]*dir_k
 * and is stored at index    i + j*dims[0] + k*dims[0]*dims[1]   (i fastest).
 */
export interface Grid {
  /** Voxel counts along i (columns), j (rows), k (slices). */
  dims: [number, number, number];
  /** Distance between voxel centres along i, j, k, in mm (all > 0). */
  spacing: [number, number, number];
  /** LPS position of the centre of voxel (0,0,0), in mm. */
  origin: [number, number, number];
  /**
   * Direction cosines, column-major 3×3: elements 0..2 are the unit LPS vector of the i axis,
   * 3..5 of j, 6..8 of k. Orthonormal for every grid HoloCT builds (tilted input is resampled).
   */
  direction: [number, number, number, number, number, number, number, number, number];
}

/** A CT volume in Hounsfield units. */
export interface Volume extends Grid {
  /** HU per voxel, i fastest; length = dims[0]*dims[1]*dims[2]. */
  data: Int16Array | Float32Array;
}

/** A label map: one class id per voxel (0 = background), ids from the model manifest. */
export interface LabelMap extends Grid {
  data: Uint8Array;
}

export type Vec3 = [number, number, number];
export type Mat3 = Grid['direction'];

export const IDENTITY_DIRECTION: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function voxelCount(grid: Pick<Grid, 'dims'>): number {
  return grid.dims[0] * grid.dims[1] * grid.dims[2];
}
