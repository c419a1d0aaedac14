import { Plane } from '@babylonjs/core/Maths/math.plane';
import { Matrix, Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector';
import type { Vec3 } from '../state';

/**
 * Coordinate frames of the hologram.
 *
 *  patient LPS mm ──(swap y/z, minus centre)──▶ hologram frame mm ──(pose: scale, rotation, position)──▶ world m
 *
 * The hologram frame stands the patient upright, facing a viewer at −z: x = patient Left, y = Superior,
 * z = Posterior. Babylon's world is left-handed, so this swap is a proper placement (anatomy is not
 * mirrored); its negative determinant only flips triangle winding, which Babylon compensates for
 * meshes whose world matrix has a negative determinant.
 */

/** Matrix (Babylon row-vector convention) from patient LPS mm to the hologram frame (mm), centred on `center`. */
export function patientToHologramMatrix(center: Readonly<Vec3>): Matrix {
  const [cx, cy, cz] = center;
  // rows are the images of the basis vectors: L → x, P → z, S → y; last row the translation −A·c
  return Matrix.FromValues(
    1, 0, 0, 0,
    0, 0, 1, 0,
    0, 1, 0, 0,
    -cx, -cz, -cy, 1,
  );
}

export function poseMatrix(position: Readonly<Vec3>, rotation: readonly [number, number, number, number], scale: number, result = new Matrix()): Matrix {
  return Matrix.ComposeToRef(
    new Vector3(scale, scale, scale),
    new Quaternion(rotation[0], rotation[1], rotation[2], rotation[3]),
    new Vector3(position[0], position[1], position[2]),
    result,
  );
}

/** World matrix of patient LPS mm: pose ∘ patient→hologram. */
export function patientToWorldMatrix(center: Readonly<Vec3>, pose: { position: Vec3; rotation: [number, number, number, number]; scale: number }): Matrix {
  return patientToHologramMatrix(center).multiply(poseMatrix(pose.position, pose.rotation, pose.scale));
}

export function patientToWorld(point: Readonly<Vec3>, patientToWorldM: Matrix): Vector3 {
  return Vector3.TransformCoordinates(new Vector3(point[0], point[1], point[2]), patientToWorldM);
}

export function worldToPatient(point: Vector3, patientToWorldM: Matrix): Vec3 {
  const p = Vector3.TransformCoordinates(point, Matrix.Invert(patientToWorldM));
  return [p.x, p.y, p.z];
}

/**
 * Babylon clip plane (world space) for a cut that keeps normal·p ≤ offset in patient space.
 * Babylon discards fragments where a·x + b·y + c·z + d > 0, so the patient-space plane is
 * (n, −offset), carried to world space by the inverse transpose of the world matrix.
 */
export function worldClipPlane(normal: Readonly<Vec3>, offset: number, patientToWorldM: Matrix, result?: Plane): Plane {
  const inv = Matrix.Invert(patientToWorldM);
  const m = inv.m;
  // Row-vector convention: patient p = w·inv; plane value n·p − o = w·(inv·[n; −o]) over homogeneous w.
  const n = [normal[0], normal[1], normal[2], -offset];
  const coef = [0, 1, 2, 3].map((r) => m[r * 4] * n[0] + m[r * 4 + 1] * n[1] + m[r * 4 + 2] * n[2] + m[r * 4 + 3] * n[3]);
  const len = Math.hypot(coef[0], coef[1], coef[2]);
  const plane = result ?? new Plane(0, 0, 0, 0);
  plane.normal.set(coef[0] / len, coef[1] / len, coef[2] / len);
  plane.d = coef[3] / len;
  return plane;
}
