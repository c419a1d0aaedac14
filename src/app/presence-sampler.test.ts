import { describe, expect, it } from 'vitest';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine';
import { FreeCamera } from '@babylonjs/core/Cameras/freeCamera';
import { Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import { Scene } from '@babylonjs/core/scene';
import { Effector } from '../xr/effector';
import { PresenceSampler } from './presence-sampler';

const round = (v: readonly number[]) => v.map((x) => Math.round(x * 1000) / 1000 + 0);

describe('PresenceSampler (NullEngine)', () => {
  it('publishes head, hands and pointer in the room frame: world → room through the calibration', () => {
    const scene = new Scene(new NullEngine());
    const camera = new FreeCamera('head', new Vector3(1, 1.6, 2), scene);
    scene.activeCamera = camera;
    // room frame → world: shifted 1 m along x and turned 90° about y
    const room = new TransformNode('room', scene);
    room.position.set(1, 0, 0);
    room.rotationQuaternion = Quaternion.RotationAxis(Vector3.Up(), Math.PI / 2);
    room.computeWorldMatrix(true);
    const right = new Effector('r', 'hand', 'right');
    right.tracked = true;
    right.position.set(1, 1.2, 1);
    right.rayOrigin.copyFrom(right.position);
    right.rayDirection.set(1, 0, 0);
    right.pressed = true;
    const left = new Effector('l', 'hand', 'left');
    left.tracked = true;
    left.position.set(1.5, 1.2, 0);
    let inXR = false;
    const sampler = new PresenceSampler(scene, { roomNode: room, effectors: () => (inXR ? [right, left] : undefined), pointerInside: () => false });

    const desk = sampler.sample()!;
    expect(desk.device).toBe('desktop');
    // world (1, 1.6, 2) is 2 m along world z from the room origin; the room's x axis points along world −z
    expect(round(desk.head!.p)).toEqual([-2, 1.6, 0]);
    expect(desk.ray).toBeUndefined(); // mouse outside the canvas
    expect(desk.hands).toBeUndefined();

    inXR = true;
    const xr = sampler.sample()!;
    expect(xr.device).toBe('headset');
    expect(round(xr.hands!.right![0])).toEqual([-1, 1.2, 0]);
    expect(round(xr.hands!.left![0])).toEqual([0, 1.2, 0.5]);
    expect(round(xr.ray!.origin)).toEqual([-1, 1.2, 0]);
    expect(round(xr.ray!.direction)).toEqual([0, 0, 1]);
    expect(xr.ray!.active).toBe(true);
  });
});
