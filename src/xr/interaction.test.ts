import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { Scene } from '@babylonjs/core/scene';
import { CreateBoxVertexData } from '@babylonjs/core/Meshes/Builders/boxBuilder';
import { HologramView } from '../scene/hologram-view';
import { MeasureView } from '../scene/measure-view';
import { PlaneHandles } from '../scene/plane-handles';
import type { ClassInfo } from '../segmentation/manifest';
import type { LabelMap } from '../volume/types';
import { createHologramStore, initialSharedState, measurementLengthMm, viewCuts, viewMeasurements, viewWorldPose, type HologramStore } from '../state';
import { Effector } from './effector';
import { HologramInteraction } from './interaction';
import { XRMenuPanel, type MenuRow } from './menu';

/** Babylon's text textures need a 2D canvas; Node has none, so a silent stand-in. */
class FakeCanvas {
  constructor(public width: number, public height: number) {}
  getContext() {
    return new Proxy({}, { get: (_t, key) => (key === 'measureText' ? () => ({ width: 10 }) : key === 'canvas' ? this : () => undefined), set: () => true });
  }
}

const CLASSES: ClassInfo[] = [
  { id: 1, name: 'bone', label: 'Bone', group: 'bone', color: '#e8dcc0', opacity: 1, sourceNames: [] },
  { id: 2, name: 'liver', label: 'Liver', group: 'organ', color: '#9c4a32', opacity: 0.6, sourceNames: [] },
];

function box(classId: number, name: string, half: number, at: [number, number, number]) {
  const data = CreateBoxVertexData({ size: 2 * half });
  const positions = Float32Array.from(data.positions!, (v, i) => v + at[i % 3]);
  return { classId, name, positions, normals: Float32Array.from(data.normals!), indices: Uint32Array.from(data.indices!), volumeMl: 0 };
}

/** The same boxes as labels on a 2 mm grid over ±60 mm. */
function labelMap(): LabelMap {
  const n = 61;
  const data = new Uint8Array(n * n * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const x = -60 + 2 * i, y = -60 + 2 * j, z = -60 + 2 * k;
    const inLiver = Math.abs(x - 10) <= 20 && Math.abs(y) <= 20 && Math.abs(z) <= 20;
    const inBone = Math.abs(x) <= 50 && Math.abs(y) <= 50 && Math.abs(z) <= 50;
    data[i + j * n + k * n * n] = inLiver ? 2 : inBone ? 1 : 0;
  }
  return { dims: [n, n, n], spacing: [2, 2, 2], origin: [-60, -60, -60], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data };
}

describe('hologram interaction (NullEngine, fake hands)', () => {
  let engine: NullEngine;
  let scene: Scene;
  let store: HologramStore;
  let view: HologramView;
  let interaction: HologramInteraction;
  let near: XRMenuPanel;
  let hand: XRMenuPanel;
  let handles: PlaneHandles;
  let right: Effector;
  let left: Effector;
  const head = { position: new Vector3(0, 0, -0.6), rotation: new Vector3(0, 0, 0).toQuaternion() };

  beforeAll(() => {
    (globalThis as unknown as { OffscreenCanvas: unknown }).OffscreenCanvas = FakeCanvas;
  });

  beforeEach(() => {
    engine = new NullEngine();
    scene = new Scene(engine);
    store = createHologramStore({ shared: initialSharedState(CLASSES) }, { clientId: 'test' });
    view = new HologramView(scene, { store, classes: CLASSES });
    // patient box ±50 mm (bone) and a liver box inside it: at scale 0.001 the hologram spans ±5 cm around the origin
    view.addSurface(box(1, 'bone', 50, [0, 0, 0]) as never);
    view.addSurface(box(2, 'liver', 20, [10, 0, 0]) as never);
    handles = new PlaneHandles(scene, { store, view });
    new MeasureView(scene, { store, view });
    near = new XRMenuPanel(scene, 'near', { width: 0.34, rowHeight: 0.036, rows: () => interaction.nearMenuRows() });
    hand = new XRMenuPanel(scene, 'hand', { width: 0.2, rowHeight: 0.03, rows: () => interaction.handMenuRows() });
    near.root.position.set(-0.4, 0, 0);
    interaction = new HologramInteraction(scene, { store, view, classes: CLASSES, handles, nearMenu: near, handMenu: hand, head, labels: labelMap() });
    near.setVisible(true);
    hand.setVisible(false);
    right = new Effector('r', 'hand', 'right');
    left = new Effector('l', 'hand', 'left');
    for (const e of [right, left]) {
      e.tracked = true;
      e.palmNormal.set(0, -1, 0); // palms down
      e.rayDirection.set(0, 0, 1);
    }
    left.position.set(-0.3, -0.3, -0.3);
    right.position.set(0.3, -0.3, -0.3);
    right.rayOrigin.set(0.3, -0.3, -0.3);
    left.rayOrigin.set(-0.3, -0.3, -0.3);
    interaction.effectors = [right, left];
  });

  afterEach(() => {
    interaction.dispose();
    scene.dispose();
    engine.dispose();
  });

  const frame = () => interaction.update();
  /** What this device shows (live drags over the shared state). */
  const pose = () => viewWorldPose(store.getState());
  const cuts = () => viewCuts(store.getState());

  it('one hand grabs inside the hologram and moves it', () => {
    right.position.set(0.01, 0.02, 0);
    right.press();
    frame();
    right.position.set(0.11, 0.02, 0.05);
    frame();
    expect(pose().position[0]).toBeCloseTo(0.1, 6);
    expect(pose().position[2]).toBeCloseTo(0.05, 6);
    expect(pose().scale).toBe(0.001);
    // the frame that ends the pinch has the fingers opening already: that motion does not move the hologram
    right.position.set(0.13, 0.04, 0.05);
    right.release();
    frame();
    expect(pose().position[0]).toBeCloseTo(0.1, 6);
    right.position.set(0.5, 0, 0);
    frame();
    expect(pose().position[0]).toBeCloseTo(0.1, 6); // let go: stays
    // the release committed the final pose to the shared state and ended the live drag
    expect(store.getState().shared.pose.position[0]).toBeCloseTo(0.1, 6);
    expect(store.getState().local.drag.pose).toBeNull();
  });

  it('a drag at 72 Hz shows every frame here and reaches the shared state at most 10 times a second', () => {
    vi.useFakeTimers({ now: 0 });
    try {
      let commits = 0;
      store.subscribe((s, p) => {
        if (s.shared.pose !== p.shared.pose) commits++;
      });
      right.position.set(0.01, 0.02, 0);
      right.press();
      frame();
      for (let i = 1; i <= 72; i++) {
        right.position.set(0.01 + i * 0.001, 0.02, 0);
        frame();
        expect(pose().position[0]).toBeCloseTo(i * 0.001, 6); // the headset shows the hand's place at once
        vi.advanceTimersByTime(1000 / 72);
      }
      expect(commits).toBeGreaterThanOrEqual(9);
      expect(commits).toBeLessThanOrEqual(11);
      right.release();
      frame();
      expect(store.getState().shared.pose.position[0]).toBeCloseTo(0.072, 6);
      expect(store.getState().local.drag.pose).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a pinch outside the hologram grabs nothing', () => {
    right.position.set(0.2, 0.2, 0);
    right.rayDirection.set(0, 1, 0);
    right.press();
    frame();
    right.position.set(0.4, 0.2, 0);
    frame();
    expect(pose().position).toEqual([0, 0, 0]);
  });

  it('two hands scale it: double the distance, double the size, the middle stays put', () => {
    left.position.set(-0.02, 0, 0);
    right.position.set(0.02, 0, 0);
    left.press();
    frame();
    right.press();
    frame();
    left.position.set(-0.04, 0, 0);
    right.position.set(0.04, 0, 0);
    frame();
    expect(pose().scale).toBeCloseTo(0.002, 9);
    expect(pose().position[0]).toBeCloseTo(0, 6);
    // one hand lets go: the other carries on moving it at the new size
    left.release();
    frame();
    right.position.set(0.14, 0, 0);
    frame();
    expect(pose().position[0]).toBeCloseTo(0.1, 6);
    expect(pose().scale).toBeCloseTo(0.002, 9);
  });

  it('a cut plane handle dragged by a pinch moves the cut along its normal, in patient mm', () => {
    interaction.runAction('cut:axial');
    expect(cuts()).toEqual([{ id: 'axial', normal: [0, 0, 1], offset: 0, showSlice: true }]);
    const h = handles.all.get('axial')!;
    right.position.copyFrom(h.world);
    right.press();
    frame();
    right.position.addInPlaceFromFloats(0.003, 0.02, 0); // 2 cm up (world up = patient superior), a little sideways
    frame();
    expect(cuts()[0].offset).toBeCloseTo(20, 3); // 2 cm / 0.001 m per mm
    expect(h.world.y).toBeCloseTo(0.02, 6); // the handle moved with the plane
    right.release();
    frame();
    expect(store.getState().shared.cuts.axial.offset).toBeCloseTo(20, 3);
    expect(store.getState().local.drag.cuts).toEqual({});
  });

  it('measures between two pinched points in patient mm, at any scale', () => {
    store.dispatch({ type: 'pose/set', pose: { scale: 0.0025 } });
    interaction.runAction('tool:measure');
    const world = view.patientToWorld();
    const a = Vector3.TransformCoordinates(new Vector3(-30, 10, 20), world);
    const b = Vector3.TransformCoordinates(new Vector3(25, -5, -40), world);
    right.position.copyFrom(a);
    right.press();
    frame();
    right.release();
    frame();
    expect(interaction.pendingMeasurePoint).not.toBeNull();
    right.position.copyFrom(b);
    right.press();
    frame();
    const [m] = viewMeasurements(store.getState());
    expect(m.id).toBe('test-1');
    expect(measurementLengthMm(m)).toBeCloseTo(Math.hypot(55, 15, 60), 2);
    expect(interaction.pendingMeasurePoint).toBeNull();
  });

  it('cuts a free plane from the hand: normal to the palm, through the pinch point', () => {
    interaction.runAction('tool:cut');
    right.position.set(0, 0.015, 0);
    right.palmNormal.set(0, 1, 0);
    right.press();
    frame();
    const plane = cuts().find((p) => p.id === 'free')!;
    plane.normal.forEach((v, i) => expect(v).toBeCloseTo([0, 0, 1][i], 6));
    expect(plane.offset).toBeCloseTo(15, 3);
    right.palmNormal.set(1, 0, 0); // the hand turns: the plane follows while pinched
    frame();
    expect(cuts().find((p) => p.id === 'free')!.normal[0]).toBeCloseTo(1, 6);
  });

  it('presses near-menu buttons by pinching at them: a structure, then a group', () => {
    const at = near.itemCenter('vis:liver')!;
    right.position.copyFrom(at);
    right.press();
    frame();
    right.release();
    frame();
    expect(store.getState().shared.structures.liver.visible).toBe(false);
    expect(view.getStructureMesh('liver')!.isEnabled()).toBe(false);
    right.position.copyFrom(near.itemCenter('group:bone')!);
    right.press();
    frame();
    expect(view.getStructureMesh('bone')!.isEnabled()).toBe(false);
  });

  it('menu actions: opacity steps, true size, window, CT on cuts, and session actions handed to the session', () => {
    interaction.runAction('op-:liver');
    expect(store.getState().shared.structures.liver.opacity).toBe(0.5);
    interaction.runAction('op+:bone');
    expect(store.getState().shared.structures.bone.opacity).toBe(1);
    store.dispatch({ type: 'pose/set', pose: { scale: 0.0031 } });
    interaction.runAction('true-size');
    expect(pose().scale).toBe(0.001);
    interaction.runAction('window:bone');
    expect(store.getState().shared.sliceWindow).toBe('bone');
    interaction.runAction('cut:coronal');
    interaction.runAction('slices:toggle');
    expect(cuts()[0].showSlice).toBe(false);
    interaction.runAction('cut:coronal'); // again: removes it
    expect(cuts()).toEqual([]);
    // a fourth cut asks, in the same command, for the oldest to go (the reducer itself never evicts)
    for (const c of ['axial', 'coronal', 'sagittal']) interaction.runAction(`cut:${c}`);
    store.dispatch({ type: 'cut/upsert', id: 'extra', cut: { normal: [1, 0, 0], offset: 1, showSlice: false } });
    expect(cuts().map((c) => c.id)).toEqual(['axial', 'coronal', 'sagittal']);
    interaction.runAction('tool:cut');
    right.position.set(0, 0.015, 0);
    right.palmNormal.set(0, 1, 0);
    right.press();
    frame();
    expect(cuts().map((c) => c.id)).toEqual(['coronal', 'sagittal', 'free']);
    const seen: string[] = [];
    interaction.onSessionActionObservable.add((a) => seen.push(a));
    for (const a of ['place', 'reset', 'exit']) interaction.runAction(a);
    expect(seen).toEqual(['place', 'reset', 'exit']);
    expect(() => interaction.runAction('nope')).toThrow(/unknown action/);
  });

  it('presses a button with a far ray (controllers, HoloLens 2, Vision Pro)', () => {
    const ray = new Effector('c', 'transient', 'none');
    ray.tracked = true;
    const target = near.itemCenter('cut:sagittal')!;
    ray.rayOrigin.set(target.x, target.y, target.z - 1);
    ray.rayDirection.set(0, 0, 1);
    interaction.effectors = [ray];
    ray.press();
    frame();
    expect(cuts().map((p) => p.id)).toEqual(['sagittal']);
  });

  it('grabs from afar with a ray and carries the hologram at the ray’s end', () => {
    const ray = new Effector('c', 'controller', 'right');
    ray.tracked = true;
    ray.near = false;
    ray.rayOrigin.set(0, 0, -1);
    ray.rayDirection.set(0, 0, 1);
    ray.position.set(0, 0, -1);
    interaction.effectors = [ray];
    ray.press();
    frame();
    ray.rayOrigin.set(0.2, 0, -1);
    ray.position.set(0.2, 0, -1);
    frame();
    expect(pose().position[0]).toBeCloseTo(0.2, 6);
  });

  it('shows the hand menu while the left palm faces up', () => {
    left.position.set(-0.2, -0.1, -0.2);
    frame();
    expect(hand.visible).toBe(false);
    left.palmNormal.set(0, 1, 0);
    frame();
    expect(hand.visible).toBe(true);
    expect(hand.root.position.y).toBeGreaterThan(left.position.y);
    // its buttons work for the other hand
    right.position.copyFrom(hand.itemCenter('tool:measure')!);
    right.press();
    frame();
    expect(interaction.tool).toBe('measure');
    left.palmNormal.set(0, -1, 0);
    frame();
    expect(hand.visible).toBe(false);
  });

  it('names the structure under the ray, from the label map, minding visibility and cuts', () => {
    right.rayOrigin.set(0.01, 0, -0.5);
    right.rayDirection.set(0, 0, 1);
    for (let i = 0; i < 6; i++) frame();
    expect(interaction.hoveredStructure).toBe('bone');
    interaction.runAction('vis:bone');
    for (let i = 0; i < 6; i++) frame();
    expect(interaction.hoveredStructure).toBe('liver');
    interaction.runAction('vis:bone');
    // a coronal cut keeping patient P ≥ … : normal −P keeps the posterior half; the ray enters from anterior (−z world)
    store.dispatch({ type: 'cut/upsert', id: 'c', cut: { normal: [0, -1, 0], offset: 0, showSlice: false } });
    for (let i = 0; i < 6; i++) frame();
    expect(interaction.hoveredStructure).toBe('liver'); // the bone's anterior wall is cut away, the liver reaches the cut
  });

  it('measures on the surface a far ray hits', () => {
    interaction.runAction('tool:measure');
    const ray = new Effector('c', 'transient', 'none');
    ray.tracked = true;
    interaction.effectors = [ray];
    ray.rayDirection.set(0, 0, 1);
    for (const x of [-0.04, 0.04]) {
      ray.rayOrigin.set(x, 0, -0.5);
      ray.press();
      frame();
      ray.release();
      frame();
    }
    const [m] = viewMeasurements(store.getState());
    // both points on the bone box's anterior face (patient y = −50 mm), 80 mm apart
    expect(Math.abs(m.a[1] + 50)).toBeLessThanOrEqual(1.01); // the label boundary: within half a 2 mm voxel
    expect(measurementLengthMm(m)).toBeCloseTo(80, 0);
  });

  it('says first on both menus when the series is outside the model\'s scope, and nothing when inside it', () => {
    const firstRows = (rows: MenuRow[]) => rows.slice(0, 2);
    expect(firstRows(interaction.nearMenuRows())[0]).toEqual({ title: 'Tool' });
    interaction.setScope({ bodyPart: 'HEAD', inScope: false, note: 'outside' });
    for (const rows of [interaction.nearMenuRows(), interaction.handMenuRows()]) {
      expect(firstRows(rows)).toEqual([{ title: 'Labels not reliable' }, [{ id: 'scope', label: 'HEAD: outside the model\'s scope', disabled: true, warning: true }]]);
    }
    interaction.setScope({ bodyPart: 'CHEST', inScope: true });
    expect(firstRows(interaction.handMenuRows())[0]).toEqual({ title: 'Tool' });
  });
});
