import { describe, expect, it } from 'vitest';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { patientToHologramMatrix, patientToWorld, patientToWorldMatrix, worldClipPlane, worldToPatient } from './frames';

const pose = { position: [0.2, 1.0, -0.5] as [number, number, number], rotation: [0, Math.sin(0.3), 0, Math.cos(0.3)] as [number, number, number, number], scale: 0.002 };

describe('hologram frames', () => {
  it('stands the patient upright: S is up, L is +x, A faces the viewer at −z, centred', () => {
    const m = patientToHologramMatrix([10, 20, 30]);
    const t = (p: [number, number, number]) => Vector3.TransformCoordinates(new Vector3(...p), m);
    expect(t([10, 20, 30]).asArray()).toEqual([0, 0, 0]);
    expect(t([10, 20, 40]).asArray()).toEqual([0, 10, 0]); // superior → up
    expect(t([20, 20, 30]).asArray()).toEqual([10, 0, 0]); // left → +x
    expect(t([10, 10, 30]).asArray()).toEqual([0, 0, -10]); // anterior → towards the viewer
  });

  it('maps patient points to world and back, and scales millimetres', () => {
    const m = patientToWorldMatrix([0, 0, 0], pose);
    const a = patientToWorld([0, 0, 0], m);
    const b = patientToWorld([0, 0, 100], m);
    expect(Vector3.Distance(a, b)).toBeCloseTo(0.2, 6); // 100 mm at scale 0.002 m/mm
    const back = worldToPatient(b, m);
    back.forEach((v, i) => expect(v).toBeCloseTo([0, 0, 100][i], 3)); // Babylon matrices are float32
  });

  it('puts the world clip plane exactly on the patient-space cut, clipping the far side', () => {
    const m = patientToWorldMatrix([5, -3, 40], pose);
    const normal: [number, number, number] = [0, 0.6, 0.8];
    const plane = worldClipPlane(normal, 12, m);
    // points on the cut have plane value 0; points beyond it (n·p > offset) are positive = clipped
    const onCut = patientToWorld([3, 12 * 0.6, 12 * 0.8], m);
    const beyond = patientToWorld([0, 20 * 0.6, 20 * 0.8], m);
    const kept = patientToWorld([0, 0, 0], m);
    expect(plane.dotCoordinate(onCut)).toBeCloseTo(0, 5);
    expect(plane.dotCoordinate(beyond)).toBeGreaterThan(0);
    expect(plane.dotCoordinate(kept)).toBeLessThan(0);
  });
});
