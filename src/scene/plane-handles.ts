import { Color3 } from '@babylonjs/core/Maths/math.color';
import { Matrix, Vector3 } from '@babylonjs/core/Maths/math.vector';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder';
import type { Mesh } from '@babylonjs/core/Meshes/mesh';
import type { Scene } from '@babylonjs/core/scene';
import { viewCuts, viewWorldPose, type CutEntry, type HologramState, type HologramStore, type Vec3 } from '../state';
import { sliceAxes } from '../volume/mpr';
import type { HologramView } from './hologram-view';

export interface PlaneHandlesOptions {
  store: HologramStore;
  view: HologramView;
  /** Handle radius in world metres (default 0.018): the same size at any hologram scale. */
  radius?: number;
}

export interface PlaneHandle {
  id: string;
  mesh: Mesh;
  /** The normal the row axis below was computed for, and that axis (patient LPS). */
  normal: Readonly<Vec3> | null;
  u: Vec3;
  /** Handle centre in patient LPS mm (on the cut plane). */
  patient: Vector3;
  /** Handle centre in world m. */
  world: Vector3;
}

const COLORS: Array<[Vec3, Color3]> = [
  [[0, 0, 1], new Color3(0.25, 0.55, 1)], // axial: blue
  [[0, 1, 0], new Color3(0.3, 0.85, 0.4)], // coronal: green
  [[1, 0, 0], new Color3(1, 0.35, 0.3)], // sagittal: red
];
const FREE = new Color3(1, 0.82, 0.25);

/**
 * A grab handle per cut plane: a sphere on the plane, just beside the hologram along the slice's row
 * axis, so it never sits inside the anatomy. Pinch (or ray-select) and drag it to move the cut along
 * its normal. Observes the store; positions change only with the state.
 */
export class PlaneHandles {
  readonly radius: number;
  private readonly handles = new Map<string, PlaneHandle>();
  private readonly unsubscribe: () => void;
  private readonly world = new Matrix();
  private enabled = true;
  private bounds: { min: Vector3; max: Vector3 } | null;

  constructor(readonly scene: Scene, private readonly options: PlaneHandlesOptions) {
    this.radius = options.radius ?? 0.018;
    this.unsubscribe = options.store.subscribe((s, p) => {
      // only cuts and pose move handles: other changes (visibility, measurements) cost nothing here
      if (viewCuts(s) !== viewCuts(p) || viewWorldPose(s) !== viewWorldPose(p) || s.shared.pivot !== p.shared.pivot) this.apply(s);
    });
    this.bounds = options.view.patientBounds();
    this.apply(options.store.getState());
  }

  get all(): ReadonlyMap<string, PlaneHandle> {
    return this.handles;
  }

  /** Handles show in XR, where hands grab them (the desktop uses sliders). */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    for (const h of this.handles.values()) h.mesh.setEnabled(enabled);
  }

  /** Re-places the handles (e.g. after the hologram's meshes changed). */
  refresh(): void {
    this.bounds = this.options.view.patientBounds();
    this.apply(this.options.store.getState());
  }

  dispose(): void {
    this.unsubscribe();
    for (const h of this.handles.values()) {
      h.mesh.material?.dispose();
      h.mesh.dispose();
    }
    this.handles.clear();
  }

  private apply(state: HologramState): void {
    const planes = viewCuts(state);
    this.handles.forEach(this.dropIfGone, planes);
    if (!planes.length) return;
    this.world.copyFrom(this.options.view.patientNode.computeWorldMatrix(true));
    for (let i = 0; i < planes.length; i++) {
      const p = planes[i];
      let h = this.handles.get(p.id);
      if (!h) {
        h = this.create(p);
        this.handles.set(p.id, h);
      }
      this.place(h, p, this.bounds);
    }
  }

  private readonly dropIfGone = function (this: readonly CutEntry[], h: PlaneHandle, id: string, map: Map<string, PlaneHandle>): void {
    for (let i = 0; i < this.length; i++) if (this[i].id === id) return;
    h.mesh.material?.dispose();
    h.mesh.dispose();
    map.delete(id);
  };

  private create(p: CutEntry): PlaneHandle {
    const mesh = CreateSphere(`plane-handle:${p.id}`, { diameter: 2 * this.radius, segments: 12 }, this.scene);
    const material = new StandardMaterial(`plane-handle-material:${p.id}`, this.scene);
    const color = COLORS.find(([n]) => Math.abs(n[0] * p.normal[0] + n[1] * p.normal[1] + n[2] * p.normal[2]) > 0.999)?.[1] ?? FREE;
    material.diffuseColor = color;
    material.emissiveColor = color.scale(0.45);
    mesh.material = material;
    mesh.isPickable = false;
    mesh.renderingGroupId = 1;
    mesh.metadata = { planeHandle: p.id };
    mesh.setEnabled(this.enabled);
    return { id: p.id, mesh, normal: null, u: [1, 0, 0], patient: new Vector3(), world: new Vector3() };
  }

  private place(h: PlaneHandle, p: CutEntry, bounds: { min: Vector3; max: Vector3 } | null): void {
    const c = this.options.view.centerMm;
    const n = p.normal;
    // the hologram's centre projected on the plane, then out along the slice's row axis past the bounds
    const dist = n[0] * c[0] + n[1] * c[1] + n[2] * c[2] - p.offset;
    if (h.normal !== n) {
      h.u = sliceAxes(n).u;
      h.normal = n;
    }
    const u = h.u;
    let reach = 120;
    if (bounds) {
      // the farthest corner of the bounds along u: each coordinate at its min or max by the sign of u
      reach = (u[0] > 0 ? bounds.max.x : bounds.min.x) - c[0];
      reach = reach * u[0] + ((u[1] > 0 ? bounds.max.y : bounds.min.y) - c[1]) * u[1] + ((u[2] > 0 ? bounds.max.z : bounds.min.z) - c[2]) * u[2];
    }
    reach += this.radius / Math.max(1e-6, viewWorldPose(this.options.store.getState()).scale) + 10;
    h.patient.set(c[0] - dist * n[0] + reach * u[0], c[1] - dist * n[1] + reach * u[1], c[2] - dist * n[2] + reach * u[2]);
    Vector3.TransformCoordinatesToRef(h.patient, this.world, h.world);
    h.mesh.position.copyFrom(h.world);
  }
}
