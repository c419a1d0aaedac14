import '@babylonjs/core/Meshes/instancedMesh'; // side effect: Mesh.createInstance
import { Color3 } from '@babylonjs/core/Maths/math.color';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { CreateLines } from '@babylonjs/core/Meshes/Builders/linesBuilder';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder';
import type { InstancedMesh } from '@babylonjs/core/Meshes/instancedMesh';
import type { LinesMesh } from '@babylonjs/core/Meshes/linesMesh';
import type { Mesh } from '@babylonjs/core/Meshes/mesh';
import type { Scene } from '@babylonjs/core/scene';
import { measurementLengthMm, viewMeasurements, viewWorldPose, type HologramState, type HologramStore, type MeasurementEntry, type Vec3 } from '../state';
import type { HologramView } from './hologram-view';
import { TextLabel } from './text-label';

export interface MeasureViewOptions {
  store: HologramStore;
  view: HologramView;
}

interface Drawn {
  measurement: MeasurementEntry;
  line: LinesMesh;
  ends: [InstancedMesh, InstancedMesh];
  label: TextLabel;
}

const COLOR = new Color3(1, 0.85, 0.2);

/** "123.4 mm": distances are in patient millimetres, whatever the hologram's scale. */
export function formatDistance(mm: number): string {
  return `${mm.toFixed(1)} mm`;
}

/**
 * Measurements: a line in the patient frame (so it follows every pose and scale), end markers of a
 * fixed world size, and a label with the length in patient mm at the line's middle. Also shows the
 * pending first point while a measurement is being made. Observes the store.
 */
export class MeasureView {
  private readonly drawn = new Map<string, Drawn>();
  private readonly marker: Mesh;
  private readonly pending: InstancedMesh;
  private pendingPoint: Vec3 | null = null;
  private readonly unsubscribe: () => void;
  private readonly tmp = new Vector3();

  constructor(readonly scene: Scene, private readonly options: MeasureViewOptions) {
    this.marker = CreateSphere('measure-marker', { diameter: 0.008, segments: 8 }, scene);
    const material = new StandardMaterial('measure-marker-material', scene);
    material.diffuseColor = COLOR;
    material.emissiveColor = COLOR.scale(0.6);
    this.marker.material = material;
    this.marker.isPickable = false;
    this.marker.renderingGroupId = 1;
    this.marker.isVisible = false; // the source mesh only feeds its instances (one draw call for all)
    this.pending = this.marker.createInstance('measure-pending');
    this.pending.setEnabled(false);
    this.unsubscribe = options.store.subscribe((s, p) => {
      if (s.shared.measurements !== p.shared.measurements) this.apply(s);
      else if (viewWorldPose(s) !== viewWorldPose(p) || s.shared.pivot !== p.shared.pivot) this.placeMarkers();
      if (s.local.pendingPoint !== p.local.pendingPoint) this.setPending(s.local.pendingPoint);
    });
    this.apply(options.store.getState());
    this.setPending(options.store.getState().local.pendingPoint);
  }

  /** Shows (or hides, with null) the first point of a measurement in progress (patient mm): the local state's pending point. */
  private setPending(point: Vec3 | null): void {
    this.pendingPoint = point;
    this.placeMarkers();
  }

  getLabel(id: string): TextLabel | undefined {
    return this.drawn.get(id)?.label;
  }

  dispose(): void {
    this.unsubscribe();
    for (const d of this.drawn.values()) this.disposeDrawn(d);
    this.drawn.clear();
    this.pending.dispose();
    this.marker.material?.dispose();
    this.marker.dispose();
  }

  private apply(state: HologramState): void {
    const measurements = viewMeasurements(state);
    const live = new Set(measurements.map((m) => m.id));
    for (const [id, d] of this.drawn) {
      if (live.has(id)) continue;
      this.disposeDrawn(d);
      this.drawn.delete(id);
    }
    for (const m of measurements) {
      const existing = this.drawn.get(m.id);
      if (existing && existing.measurement.a === m.a && existing.measurement.b === m.b) continue;
      if (existing) this.disposeDrawn(existing);
      this.drawn.set(m.id, this.draw(m));
    }
    this.placeMarkers();
  }

  private draw(m: MeasurementEntry): Drawn {
    const line = CreateLines(`measure-line:${m.id}`, { points: [new Vector3(...m.a), new Vector3(...m.b)] }, this.scene);
    line.color = COLOR;
    line.parent = this.options.view.patientNode;
    line.isPickable = false;
    line.renderingGroupId = 1;
    const label = new TextLabel(this.scene, `measure-label:${m.id}`, { width: 0.09, height: 0.025 });
    label.setText(formatDistance(measurementLengthMm(m)));
    label.mesh.setEnabled(true);
    label.mesh.metadata = { measurement: m.id };
    const ends: [InstancedMesh, InstancedMesh] = [this.marker.createInstance(`measure-a:${m.id}`), this.marker.createInstance(`measure-b:${m.id}`)];
    return { measurement: m, line, ends, label };
  }

  /** World positions of the markers and labels (fixed world size, so not parented to the scaled frame). */
  private placeMarkers(): void {
    this.options.view.poseNode.computeWorldMatrix(true);
    const world = this.options.view.patientNode.computeWorldMatrix(true);
    for (const d of this.drawn.values()) {
      const { a, b } = d.measurement;
      Vector3.TransformCoordinatesToRef(this.tmp.set(...a), world, d.ends[0].position);
      Vector3.TransformCoordinatesToRef(this.tmp.set(...b), world, d.ends[1].position);
      d.ends[0].position.addToRef(d.ends[1].position, d.label.mesh.position).scaleInPlace(0.5);
      d.label.mesh.position.y += 0.025;
    }
    if (this.pendingPoint) {
      Vector3.TransformCoordinatesToRef(this.tmp.set(...this.pendingPoint), world, this.pending.position);
      this.pending.setEnabled(true);
    } else {
      this.pending.setEnabled(false);
    }
  }

  private disposeDrawn(d: Drawn): void {
    d.line.dispose();
    d.ends.forEach((e) => e.dispose());
    d.label.dispose();
  }
}
