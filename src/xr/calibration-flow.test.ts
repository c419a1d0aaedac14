import { describe, expect, it } from 'vitest';
import { applyRigid, yawQuat } from '../state';
import { addLandmark, calibrationPrompt, finishCalibration, IDLE, startCalibration, undoLandmark, type CalibrationFlow } from './calibration-flow';

describe('calibrate room: the pinch steps', () => {
  it('two corners and a third point give the frame, the landmarks in it and a prompt at each step', () => {
    let f: CalibrationFlow = startCalibration();
    expect(calibrationPrompt(f)).toMatch(/^Pinch landmark 1: the first corner/);
    f = addLandmark(f, [1, 0.8, -1]);
    expect(calibrationPrompt(f)).toMatch(/^Pinch landmark 2/);
    f = addLandmark(f, [1, 0.8, -2]); // 1 m toward world −z
    expect(calibrationPrompt(f)).toMatch(/^Pinch landmark 3: a third point/);
    f = addLandmark(f, [0.5, 0.8, -2]);
    expect(f.phase).toBe('done');
    if (f.phase !== 'done') return;
    // room +x runs from landmark 1 to 2 (world −z): a quarter turn about +y
    f.calibration.rotation.forEach((v, i) => expect(v).toBeCloseTo(yawQuat(Math.PI / 2)[i], 12));
    expect(f.landmarks.map((p) => p.map((v) => Math.round(v * 1e9) / 1e9 + 0))).toEqual([[0, 0, 0], [1, 0, 0], [1, 0, -0.5]]);
    expect(applyRigid(f.calibration, f.landmarks[2]).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0.5, 0.8, -2]);
    expect(calibrationPrompt(f)).toBe('Room calibrated with 3 landmarks');
  });

  it('refuses a second landmark too close to the first, keeps the first, and says why', () => {
    let f = addLandmark(startCalibration(), [0, 0.8, 0]);
    f = addLandmark(f, [0.02, 0.9, 0]);
    expect(f).toMatchObject({ phase: 'pinching', points: [[0, 0.8, 0]] });
    expect(calibrationPrompt(f)).toMatch(/2\.0 cm apart.*Pinch landmark 2/);
  });

  it('undo takes the last landmark back; done needs two; outside a calibration nothing happens', () => {
    let f = addLandmark(addLandmark(startCalibration(), [0, 0.8, 0]), [0.5, 0.8, 0]);
    f = undoLandmark(f);
    expect(f).toMatchObject({ phase: 'pinching', points: [[0, 0.8, 0]] });
    expect(finishCalibration(f)).toBe(f);
    f = finishCalibration(addLandmark(f, [0, 0.8, 0.7]));
    expect(f.phase === 'done' && f.landmarks.length).toBe(2);
    expect(addLandmark(IDLE, [0, 0, 0])).toBe(IDLE);
    expect(undoLandmark(f)).toBe(f);
  });
});
