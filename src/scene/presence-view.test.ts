import { describe, expect, it } from 'vitest';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine';
import { FreeCamera } from '@babylonjs/core/Cameras/freeCamera';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer';
import type { Mesh } from '@babylonjs/core/Meshes/mesh';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import { Scene } from '@babylonjs/core/scene';
import { buildPresence } from '../team/presence';
import { PresenceView } from './presence-view';

describe('presence view (NullEngine)', () => {
  it('draws the others (not self) in the room frame, and forgets a member who left', () => {
    const engine = new NullEngine();
    const scene = new Scene(engine);
    new FreeCamera('camera', new Vector3(0, 1.6, -2), scene);
    const room = new TransformNode('room', scene);
    room.position.set(1, 0, 0); // this device's calibration: room origin 1 m to the right
    const texts = new Map<string, string>();
    // Node has no canvas for TextLabel: a plain plane stands in and records its text
    const createLabel = (sc: Scene, name: string) => {
      const mesh = CreatePlane(name, { size: 0.1 }, sc);
      return { mesh, setText: (t: string) => texts.set(name, t), dispose: () => mesh.dispose() };
    };
    const view = new PresenceView(scene, { roomNode: room, createLabel });
    const meshesBefore = scene.meshes.length;
    const anna = buildPresence({ name: 'Anna', color: '#ff0000', device: 'headset', head: { p: [0, 1.7, 0.5], q: [0, 0, 0, 1] }, hands: { left: [[0.2, 1.2, 0.3], [0.25, 1.2, 0.3]], right: [[-0.2, 1.2, 0.3]] }, ray: { origin: [-0.2, 1.2, 0.3], direction: [0, 0, -1], length: 0.5, active: true } });
    const me = buildPresence({ name: 'Me', color: '#00ff00', device: 'desktop', head: { p: [0, 1.6, -2], q: [0, 0, 0, 1] } });
    view.update([{ clientId: 1, self: true, presence: me }, { clientId: 2, self: false, presence: anna }]);
    expect(view.shownCount).toBe(1);
    const heads = scene.getMeshByName('presence-heads') as Mesh;
    const hands = scene.getMeshByName('presence-hands') as Mesh;
    expect(hands.thinInstanceCount).toBe(3);
    // the head instance sits at its room-frame position; the room node carries it into the world
    room.computeWorldMatrix(true);
    heads.computeWorldMatrix(true);
    const world = Vector3.TransformCoordinates(heads.thinInstanceGetWorldMatrices()[0].getTranslation(), heads.getWorldMatrix());
    expect([world.x, world.y, world.z].map((x) => Math.round(x * 1000) / 1000)).toEqual([1, 1.7, 0.5]);
    expect(heads.parent).toBe(room);
    const rays = scene.getMeshByName('presence-rays')!;
    expect(rays.isEnabled()).toBe(true);
    expect(Array.from(rays.getVerticesData(VertexBuffer.PositionKind)!.slice(0, 6)).map((x) => Math.round(x * 100) / 100)).toEqual([-0.2, 1.2, 0.3, -0.2, 1.2, -0.2]);
    const label = scene.getMeshByName('presence-label-2')!;
    expect(label.isEnabled()).toBe(true);
    expect(label.position.y).toBeGreaterThan(1.7);
    expect(texts.get('presence-label-2')).toBe('Anna');
    expect(label.parent).toBe(room);

    // updates allocate no new meshes
    for (let i = 0; i < 10; i++) view.update([{ clientId: 2, self: false, presence: { ...anna, head: { p: [i / 10, 1.7, 0.5], q: [0, 0, 0, 1] } } }]);
    expect(scene.meshes.length).toBe(meshesBefore + 1); // + Anna's label

    view.update([]);
    expect(view.shownCount).toBe(0);
    expect(hands.thinInstanceCount).toBe(0);
    expect(rays.isEnabled()).toBe(false);
    expect(scene.getMeshByName('presence-label-2')).toBeNull();
    view.dispose();
    expect(scene.getMeshByName('presence-heads')).toBeNull();
  });
});
