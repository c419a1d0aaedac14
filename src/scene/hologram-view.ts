import { Color3 } from '@babylonjs/core/Maths/math.color';
import { Matrix, Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { Mesh } from '@babylonjs/core/Meshes/mesh';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData';
import { Observable } from '@babylonjs/core/Misc/observable';
import { Plane } from '@babylonjs/core/Maths/math.plane';
import type { Scene } from '@babylonjs/core/scene';
import { hexToRgb, type ClassInfo } from '../segmentation/manifest';
import { viewCuts, viewWorldPose, type HologramState, type HologramStore, type Vec3 } from '../state';
import type { SurfaceMesh } from '../surfaces/types';
import { patientToHologramMatrix } from './frames';

export interface HologramViewOptions {
  store: HologramStore;
  /** The model's classes: colors, groups, names (from the manifest). */
  classes: readonly ClassInfo[];
}

const CLIP_KEYS = ['clipPlane', 'clipPlane2', 'clipPlane3', 'clipPlane4', 'clipPlane5', 'clipPlane6'] as const;

/**
 * The hologram in a Babylon scene: one mesh (one draw call) per structure under a pose node. It
 * observes the HologramStore and never changes it: gestures and panels change the store. It shows
 * this device's view of the shared state: live drags over the shared pose and cuts, the room-frame
 * pose mapped into this device's world, turning about the shared pivot.
 */
export class HologramView {
  /** World pose (position, rotation, scale): this device's calibration ∘ the room-frame pose. */
  readonly poseNode: TransformNode;
  /** Patient LPS mm → hologram frame; parent of every structure mesh. */
  readonly patientNode: TransformNode;
  readonly onStructureAddedObservable = new Observable<Mesh>();
  private readonly structures = new Map<string, { mesh: Mesh; material: StandardMaterial; info: ClassInfo }>();
  private readonly unsubscribe: () => void;
  private readonly clipPlanes: Plane[] = [];
  private readonly inverse = new Matrix();
  private center: Vec3 | null = null;

  constructor(readonly scene: Scene, private readonly options: HologramViewOptions) {
    this.poseNode = new TransformNode('hologram-pose', scene);
    this.patientNode = new TransformNode('hologram-patient', scene);
    this.patientNode.parent = this.poseNode;
    this.unsubscribe = options.store.subscribe((state) => this.apply(state));
    this.apply(options.store.getState());
  }

  /** Adds (or replaces) the mesh of one structure, in patient LPS mm. */
  addSurface(surface: SurfaceMesh): Mesh {
    const info = this.options.classes.find((c) => c.id === surface.classId);
    if (!info) throw new Error(`mesh for class ${surface.classId} (${surface.name}) is not in the model's class list`);
    this.structures.get(info.name)?.mesh.dispose(false, true);
    const mesh = new Mesh(`structure:${info.name}`, this.scene);
    const data = new VertexData();
    data.positions = surface.positions;
    data.normals = surface.normals;
    data.indices = surface.indices;
    data.applyToMesh(mesh, false);
    mesh.parent = this.patientNode;
    mesh.metadata = { structure: info.name, label: info.label, group: info.group, classId: info.id };
    mesh.isPickable = true;
    const material = new StandardMaterial(`material:${info.name}`, this.scene);
    const [r, g, b] = hexToRgb(info.color);
    material.diffuseColor = new Color3(r, g, b);
    material.specularColor = new Color3(0.25, 0.25, 0.25);
    material.specularPower = 48;
    material.emissiveColor = new Color3(r * 0.12, g * 0.12, b * 0.12);
    // Our triangles wind counter-clockwise seen from outside in right-handed LPS; the LPS→hologram swap
    // (det −1) is compensated by Babylon, so default culling keeps the outer faces.
    material.backFaceCulling = true;
    mesh.material = material;
    this.structures.set(info.name, { mesh, material, info });
    this.applyStructure(info.name, this.options.store.getState());
    this.applyClipPlanes(this.options.store.getState());
    this.onStructureAddedObservable.notifyObservers(mesh);
    return mesh;
  }

  getStructureMesh(name: string): Mesh | undefined {
    return this.structures.get(name)?.mesh;
  }

  get structureNames(): string[] {
    return [...this.structures.keys()];
  }

  /** Patient LPS mm → world matrix (for gestures, picking and measurements). */
  patientToWorld(): Matrix {
    this.poseNode.computeWorldMatrix(true);
    return this.patientNode.computeWorldMatrix(true).clone();
  }

  /**
   * Bounds of the structures' meshes in patient LPS mm (the meshes carry patient coordinates), or null
   * before any mesh exists. Hidden structures count too: the hologram keeps its extent.
   */
  patientBounds(): { min: Vector3; max: Vector3 } | null {
    if (!this.structures.size) return null;
    const min = new Vector3(Infinity, Infinity, Infinity);
    const max = new Vector3(-Infinity, -Infinity, -Infinity);
    for (const { mesh } of this.structures.values()) {
      const box = mesh.getBoundingInfo().boundingBox;
      min.minimizeInPlace(box.minimum);
      max.maximizeInPlace(box.maximum);
    }
    return { min, max };
  }

  /** The patient point the hologram turns about (the shared pivot), LPS mm. */
  get centerMm(): Vec3 {
    return [...this.options.store.getState().shared.pivot] as Vec3;
  }

  /** Removes every structure (a new case is being loaded). */
  reset(): void {
    for (const { mesh } of this.structures.values()) mesh.dispose(false, true);
    this.structures.clear();
  }

  dispose(): void {
    this.unsubscribe();
    this.reset();
    this.patientNode.dispose();
    this.poseNode.dispose();
    this.onStructureAddedObservable.clear();
  }

  private apply(state: HologramState): void {
    const pivot = state.shared.pivot;
    if (pivot !== this.center) {
      this.center = pivot;
      this.patientNode.setPreTransformMatrix(patientToHologramMatrix(pivot));
    }
    const { position, rotation, scale } = viewWorldPose(state);
    this.poseNode.position.set(position[0], position[1], position[2]);
    this.poseNode.rotationQuaternion ??= new Quaternion();
    this.poseNode.rotationQuaternion.set(rotation[0], rotation[1], rotation[2], rotation[3]);
    this.poseNode.scaling.set(scale, scale, scale);
    for (const name of this.structures.keys()) this.applyStructure(name, state);
    this.applyClipPlanes(state);
  }

  private applyStructure(name: string, state: HologramState): void {
    const entry = this.structures.get(name);
    const s = state.shared.structures[name];
    if (!entry || !s) return;
    entry.mesh.setEnabled(s.visible);
    const alpha = s.opacity;
    if (entry.material.alpha !== alpha) {
      entry.material.alpha = alpha;
      // A depth pre-pass keeps one see-through layer per organ instead of a tangle of back faces.
      entry.material.needDepthPrePass = alpha < 1;
    }
  }

  private applyClipPlanes(state: HologramState): void {
    // as worldClipPlane, without allocating: this runs on every state change, i.e. every frame of a gesture
    this.poseNode.computeWorldMatrix(true);
    this.patientNode.computeWorldMatrix(true).invertToRef(this.inverse);
    const m = this.inverse.m;
    const cuts = viewCuts(state);
    for (let i = 0; i < cuts.length; i++) {
      const { normal: n, offset } = cuts[i];
      const a = m[0] * n[0] + m[1] * n[1] + m[2] * n[2] - m[3] * offset;
      const b = m[4] * n[0] + m[5] * n[1] + m[6] * n[2] - m[7] * offset;
      const c = m[8] * n[0] + m[9] * n[1] + m[10] * n[2] - m[11] * offset;
      const d = m[12] * n[0] + m[13] * n[1] + m[14] * n[2] - m[15] * offset;
      const len = Math.hypot(a, b, c) || 1;
      const plane = (this.clipPlanes[i] ??= new Plane(0, 0, 0, 0));
      plane.normal.set(a / len, b / len, c / len);
      plane.d = d / len;
    }
    for (const { material } of this.structures.values()) {
      CLIP_KEYS.forEach((key, i) => {
        material[key] = i < cuts.length ? this.clipPlanes[i] : null;
      });
    }
  }
}

/** Centre of a set of meshes' bounds in patient mm, e.g. for framing cameras. */
export function worldBoundingRadius(meshes: Mesh[]): { center: Vector3; radius: number } {
  let min = new Vector3(Infinity, Infinity, Infinity);
  let max = new Vector3(-Infinity, -Infinity, -Infinity);
  for (const mesh of meshes) {
    mesh.computeWorldMatrix(true);
    const box = mesh.getBoundingInfo().boundingBox;
    min = Vector3.Minimize(min, box.minimumWorld);
    max = Vector3.Maximize(max, box.maximumWorld);
  }
  return { center: min.add(max).scale(0.5), radius: Math.max(1e-3, Vector3.Distance(min, max) / 2) };
}
