import '@babylonjs/core/Meshes/thinInstanceMesh'; // side effect: Mesh.thinInstance*
import { Color3 } from '@babylonjs/core/Maths/math.color';
import { Matrix, Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer';
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder';
import { CreateLineSystem } from '@babylonjs/core/Meshes/Builders/linesBuilder';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder';
import type { LinesMesh } from '@babylonjs/core/Meshes/linesMesh';
import type { Mesh } from '@babylonjs/core/Meshes/mesh';
import type { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import type { Scene } from '@babylonjs/core/scene';
import { MAX_HAND_POINTS, type PresenceState } from '../team/presence';
import { TextLabel } from './text-label';

export interface PresenceViewOptions {
  /** The room frame in this device's world (its calibration); presence coordinates are local to it. */
  roomNode?: TransformNode;
  /** Most members drawn at once (default 16); buffers are sized for it once. */
  maxMembers?: number;
  /** Makes a name label (default: a {@link TextLabel}, which needs a canvas; Node tests pass a plain mesh). */
  createLabel?: (scene: Scene, name: string) => NameLabel;
}

/** The part of a {@link TextLabel} the view uses. */
export interface NameLabel {
  readonly mesh: Mesh;
  setText(text: string): void;
  dispose(): void;
}

/** What the view needs of a member (TeamMember fits). */
export interface PresenceMember {
  clientId: number;
  self: boolean;
  presence?: PresenceState;
}

const HEAD_SIZE = 0.18;
const HAND_POINT = 0.02;

/**
 * The other members of a team session: a head box, hand points and a pointer ray each, in the
 * member's colour, with a name label above the head; all in the room frame. Three draw calls for
 * everyone's heads, hands and rays (thin instances with per-instance colour, one line system), plus
 * one per name label. Buffers are made once for `maxMembers`; {@link update} (called when presence
 * changes, ≤ 30 Hz per member) writes into them and allocates nothing except a label for a new member.
 */
export class PresenceView {
  private readonly heads: Mesh;
  private readonly hands: Mesh;
  private readonly rays: LinesMesh;
  private readonly headMatrices: Float32Array;
  private readonly headColors: Float32Array;
  private readonly handMatrices: Float32Array;
  private readonly handColors: Float32Array;
  private readonly rayPositions: Float32Array;
  private readonly rayColors: Float32Array;
  private readonly labels = new Map<number, NameLabel>();
  private readonly seen = new Set<number>();
  private readonly max: number;
  private readonly m = new Matrix();
  private readonly q = new Quaternion();
  private readonly p = new Vector3();
  private readonly one = new Vector3(1, 1, 1);
  private readonly rgb = new Color3();

  constructor(readonly scene: Scene, private readonly options: PresenceViewOptions = {}) {
    this.max = options.maxMembers ?? 16;
    const material = new StandardMaterial('presence-material', scene);
    material.diffuseColor = Color3.White();
    material.emissiveColor = new Color3(0.35, 0.35, 0.35);
    material.specularColor = Color3.Black();

    this.heads = CreateBox('presence-heads', { width: HEAD_SIZE * 0.8, height: HEAD_SIZE, depth: HEAD_SIZE }, scene);
    this.hands = CreateSphere('presence-hands', { diameter: HAND_POINT, segments: 6 }, scene);
    this.headMatrices = new Float32Array(this.max * 16);
    this.headColors = new Float32Array(this.max * 4);
    this.handMatrices = new Float32Array(this.max * 2 * MAX_HAND_POINTS * 16);
    this.handColors = new Float32Array(this.max * 2 * MAX_HAND_POINTS * 4);
    for (const [mesh, matrices, colors] of [[this.heads, this.headMatrices, this.headColors], [this.hands, this.handMatrices, this.handColors]] as const) {
      mesh.material = material;
      mesh.isPickable = false;
      mesh.parent = options.roomNode ?? null;
      mesh.thinInstanceSetBuffer('matrix', matrices, 16, false);
      mesh.thinInstanceSetBuffer('color', colors, 4, false);
      mesh.thinInstanceCount = 0;
      mesh.alwaysSelectAsActiveMesh = true; // instances move far from the source's bounds
    }

    // one segment per member, collapsed to a point when unused
    const lines = Array.from({ length: this.max }, () => [Vector3.Zero(), Vector3.Zero()]);
    this.rays = CreateLineSystem('presence-rays', { lines, updatable: true, useVertexAlpha: false }, scene);
    this.rays.isPickable = false;
    this.rays.parent = options.roomNode ?? null;
    this.rays.alwaysSelectAsActiveMesh = true;
    this.rayPositions = new Float32Array(this.max * 6);
    this.rayColors = new Float32Array(this.max * 8);
    this.rays.setVerticesData(VertexBuffer.ColorKind, this.rayColors, true, 4);
  }

  /** Shows these members (self and members without presence are skipped); members not listed disappear. */
  update(members: readonly PresenceMember[]): void {
    let heads = 0, points = 0, rays = 0;
    this.seen.clear();
    this.rayPositions.fill(0);
    this.rayColors.fill(0);
    for (const member of members) {
      const s = member.presence;
      if (member.self || !s || heads >= this.max) continue;
      this.seen.add(member.clientId);
      hexInto(s.color, this.rgb);
      if (s.head) {
        this.q.set(s.head.q[0], s.head.q[1], s.head.q[2], s.head.q[3]);
        this.p.set(s.head.p[0], s.head.p[1], s.head.p[2]);
        Matrix.ComposeToRef(this.one, this.q, this.p, this.m);
        this.m.copyToArray(this.headMatrices, heads * 16);
        this.setColor(this.headColors, heads, 1);
        heads++;
        const label = this.labelFor(member.clientId);
        label.setText(s.name);
        label.mesh.position.set(s.head.p[0], s.head.p[1] + HEAD_SIZE * 0.9, s.head.p[2]);
        label.mesh.setEnabled(true);
      } else {
        this.labels.get(member.clientId)?.mesh.setEnabled(false);
      }
      points = this.addHand(s.hands?.left, points);
      points = this.addHand(s.hands?.right, points);
      if (s.ray) {
        const o = rays * 6;
        const { origin: a, direction: d, length } = s.ray;
        this.rayPositions.set(a, o);
        this.rayPositions[o + 3] = a[0] + d[0] * length;
        this.rayPositions[o + 4] = a[1] + d[1] * length;
        this.rayPositions[o + 5] = a[2] + d[2] * length;
        // a laser (select held) is bright; a resting pointer is dim
        const k = s.ray.active ? 1 : 0.4;
        this.setColor(this.rayColors, rays * 2, k);
        this.setColor(this.rayColors, rays * 2 + 1, k);
        rays++;
      }
    }
    this.heads.thinInstanceCount = heads;
    this.hands.thinInstanceCount = points;
    this.heads.thinInstanceBufferUpdated('matrix');
    this.heads.thinInstanceBufferUpdated('color');
    this.hands.thinInstanceBufferUpdated('matrix');
    this.hands.thinInstanceBufferUpdated('color');
    this.rays.updateVerticesData(VertexBuffer.PositionKind, this.rayPositions);
    this.rays.updateVerticesData(VertexBuffer.ColorKind, this.rayColors);
    this.rays.setEnabled(rays > 0);
    for (const [id, label] of this.labels) {
      if (this.seen.has(id)) continue;
      label.dispose(); // the member left
      this.labels.delete(id);
    }
  }

  /** Members drawn now (for tests and the member list). */
  get shownCount(): number {
    return this.heads.thinInstanceCount;
  }

  dispose(): void {
    for (const label of this.labels.values()) label.dispose();
    this.labels.clear();
    this.heads.material?.dispose();
    this.heads.dispose();
    this.hands.dispose();
    this.rays.dispose();
  }

  private addHand(points: readonly (readonly number[])[] | undefined, count: number): number {
    if (!points) return count;
    for (const pt of points) {
      if (count >= this.max * 2 * MAX_HAND_POINTS) break;
      Matrix.TranslationToRef(pt[0], pt[1], pt[2], this.m);
      this.m.copyToArray(this.handMatrices, count * 16);
      this.setColor(this.handColors, count, 1);
      count++;
    }
    return count;
  }

  private setColor(target: Float32Array, index: number, k: number): void {
    target[index * 4] = this.rgb.r * k;
    target[index * 4 + 1] = this.rgb.g * k;
    target[index * 4 + 2] = this.rgb.b * k;
    target[index * 4 + 3] = 1;
  }

  private labelFor(clientId: number): NameLabel {
    let label = this.labels.get(clientId);
    if (!label) {
      const name = `presence-label-${clientId}`;
      label = this.options.createLabel?.(this.scene, name) ?? new TextLabel(this.scene, name, { width: 0.3, height: 0.06, pixelsWide: 320 });
      label.mesh.parent = this.options.roomNode ?? null;
      this.labels.set(clientId, label);
    }
    return label;
  }
}

/** "#rrggbb" → out (0..1), without allocating (validated presence colours only). */
function hexInto(hex: string, out: Color3): void {
  const v = parseInt(hex.slice(1), 16);
  out.set(((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255);
}
