import { Constants } from '@babylonjs/core/Engines/constants';
import { Color3 } from '@babylonjs/core/Maths/math.color';
import { Plane } from '@babylonjs/core/Maths/math.plane';
import { Matrix } from '@babylonjs/core/Maths/math.vector';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { RawTexture } from '@babylonjs/core/Materials/Textures/rawTexture';
import { Texture } from '@babylonjs/core/Materials/Textures/texture';
import { Mesh } from '@babylonjs/core/Meshes/mesh';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer';
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData';
import { Observable, type Observer } from '@babylonjs/core/Misc/observable';
import type { Scene } from '@babylonjs/core/scene';
import { viewCuts, viewWorldPose, type CutEntry, type HologramState, type HologramStore, type Vec3 } from '../state';
import { indexToPatientAffine, invertAffine, type Affine } from '../volume/geometry';
import { expandHalf, halfSlicePlane, markOutsideAir, subsampleHalf, moveSlicePlane, resampleSlice, SLICE_WINDOWS, slicePlaneFor, windowSlice, type HuWindow, type SlicePlane } from '../volume/mpr';
import type { Volume } from '../volume/types';
import type { HologramView } from './hologram-view';

export interface SliceViewOptions {
  store: HologramStore;
  view: HologramView;
  /** The CT the hologram was segmented from (LPS). */
  volume: Volume;
  /** Largest slice side in pixels (default 512). */
  maxSize?: number;
}

/** One cut's MPR: its pixel grid, buffers, texture and quad. */
interface SliceEntry {
  id: string;
  normal: Vec3;
  offset: number;
  /** The grid at the offset the quad's vertices were made for; the quad moves along the normal from there. */
  base: SlicePlane;
  plane: SlicePlane;
  hu: Float32Array;
  rgba: Uint8Array;
  /** 1 where the slice shows the air around the body (left transparent). */
  air: Uint8Array;
  /** The half-resolution grid and buffers used while the plane moves. */
  coarse: SlicePlane;
  coarseHu: Float32Array;
  coarseAir: Uint8Array;
  coarseRgba: Uint8Array;
  /** 32-bit views of the RGBA buffers (one word per pixel). */
  coarseWords: Uint32Array;
  words: Uint32Array;
  /** The slice shows the half-resolution sampling (a full one is due when the plane rests). */
  coarseShown: boolean;
  /** performance.now() of the last resample. */
  lastResample: number;
  texture: RawTexture;
  material: StandardMaterial;
  mesh: Mesh;
  /** Resample needed (plane moved or turned). */
  resample: boolean;
  /** Window needed (new HU or new window). */
  rewindow: boolean;
}

export interface SliceUpdateStats {
  /** ms of the last slice update: resample + window + texture upload (CPU side of the upload). */
  lastMs: number;
  /** Pixels resampled in that update (a quarter of the slice while the plane moves). */
  lastPixels: number;
  /** Slice updates since the view was made. */
  updates: number;
}

/** Below this HU, air connected to the slice's edge is not drawn: the cut shows the body, not a black square. */
const AIR_HU = -600;

/** A plane that has not moved for this long (ms) gets its full-resolution slice. */
const REFINE_MS = 120;

const CLIP_KEYS = ['clipPlane', 'clipPlane2', 'clipPlane3', 'clipPlane4', 'clipPlane5', 'clipPlane6'] as const;
const AXES: Vec3[] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];

function sameDirection(a: Readonly<Vec3>, b: Readonly<Vec3>): boolean {
  return Math.abs(a[0] - b[0]) < 1e-9 && Math.abs(a[1] - b[1]) < 1e-9 && Math.abs(a[2] - b[2]) < 1e-9;
}

/**
 * The CT on each cut: an MPR slice resampled (trilinear) from the volume exactly on the cut plane, in
 * the state's window (bone W1500/L300 or soft tissue W400/L40), on a quad in the hologram's patient
 * frame. It observes the store and never changes it. Moving a plane re-samples once per rendered
 * frame at most, into buffers and a texture made when the plane first appears (the slice keeps its
 * size along its normal; an oblique plane gets a square that fits every orientation, so turning it
 * does not reallocate either). While a plane is being dragged, its slice is sampled at half
 * resolution, and at full resolution as soon as it rests.
 */
export class SliceView {
  readonly onSliceUpdatedObservable = new Observable<{ id: string; plane: SlicePlane }>();
  readonly stats: SliceUpdateStats = { lastMs: 0, lastPixels: 0, updates: 0 };
  private readonly entries = new Map<string, SliceEntry>();
  private readonly toIndex: Affine;
  private readonly unsubscribe: () => void;
  private readonly beforeRender: Observer<Scene>;
  private readonly worldPlanes: Plane[] = [new Plane(0, 0, 0, 0), new Plane(0, 0, 0, 0), new Plane(0, 0, 0, 0)];
  private readonly inverse = new Matrix();
  private clipDirty = true;
  /** Flood-fill stack shared by the slices (grown to the largest slice). */
  private stack = new Int32Array(0);
  private state: HologramState;

  constructor(readonly scene: Scene, private readonly options: SliceViewOptions) {
    this.toIndex = invertAffine(indexToPatientAffine(options.volume));
    this.state = options.store.getState();
    this.unsubscribe = options.store.subscribe((state, previous) => this.onState(state, previous));
    this.beforeRender = scene.onBeforeRenderObservable.add(() => this.frameUpdate());
    this.onState(this.state, undefined);
  }

  get volume(): Volume {
    return this.options.volume;
  }

  /** The slice of a cut, when it shows one: its pixel grid and HU (NaN outside the volume). */
  getSlice(id: string): { plane: SlicePlane; hu: Float32Array; rgba: Uint8Array; air: Uint8Array; mesh: Mesh; texture: RawTexture } | undefined {
    const e = this.entries.get(id);
    return e && { plane: e.plane, hu: e.hu, rgba: e.rgba, air: e.air, mesh: e.mesh, texture: e.texture };
  }

  /** Brings every pending slice up to date now, at full resolution (otherwise done before the next frame). */
  flush(): void {
    this.interactive = false;
    this.entries.forEach(this.flushEntry);
    if (this.clipDirty) this.applyClipPlanes();
  }

  /**
   * Before each frame. While a plane keeps moving (updates less than REFINE_MS apart) its slice is
   * resampled at half resolution (a quarter of the pixels), then once at full resolution when it stops.
   */
  private frameUpdate(): void {
    this.interactive = true;
    this.entries.forEach(this.flushEntry);
    if (this.clipDirty) this.applyClipPlanes();
  }

  private interactive = false;

  private readonly flushEntry = (e: SliceEntry): void => {
    const now = performance.now();
    const refine = e.coarseShown && (!this.interactive || now - e.lastResample > REFINE_MS);
    if (!e.resample && !e.rewindow && !refine) return;
    const t = now;
    const pixels = e.plane.width * e.plane.height;
    const window = SLICE_WINDOWS[this.state.shared.sliceWindow];
    if (this.interactive && e.resample && now - e.lastResample < REFINE_MS) {
      // moving: half resolution, windowed small and blown up as RGBA words (the HU buffer keeps the last
      // full-resolution slice until the plane rests)
      this.resampleCoarse(e, window);
      e.coarseShown = true;
      e.lastResample = now;
    } else {
      if (e.resample || refine) {
        resampleSlice(this.options.volume, e.plane, { out: e.hu, patientToIndex: this.toIndex });
        // the air mask at half resolution (a quarter of the flood fill), blown up: its 2-pixel edge does not show
        subsampleHalf(e.hu, e.plane.width, e.plane.height, e.coarseHu);
        markOutsideAir(e.coarseHu, e.coarse.width, e.coarse.height, AIR_HU, e.coarseAir, this.stack);
        expandHalf(e.coarseAir, e.coarse.width, e.air, e.plane.width, e.plane.height);
        e.coarseShown = false;
        e.lastResample = now;
      }
      windowSlice(e.hu, window, e.rgba, pixels, e.air);
    }
    e.texture.update(e.rgba);
    // the quad was built at the base offset: move it along the normal to the plane
    const d = e.offset - (e.base.origin[0] * e.normal[0] + e.base.origin[1] * e.normal[1] + e.base.origin[2] * e.normal[2]);
    e.mesh.position.set(d * e.normal[0], d * e.normal[1], d * e.normal[2]);
    e.resample = e.rewindow = false;
    this.stats.lastMs = performance.now() - t;
    this.stats.lastPixels = e.coarseShown ? e.coarse.width * e.coarse.height : pixels;
    this.stats.updates++;
    if (this.onSliceUpdatedObservable.hasObservers()) this.onSliceUpdatedObservable.notifyObservers({ id: e.id, plane: e.plane });
  };

  /** Half resolution: resampled, masked and windowed small, then each pixel fills its 2×2 block of the texture. */
  private resampleCoarse(e: SliceEntry, window: HuWindow): void {
    const c = e.coarse;
    c.origin[0] = e.plane.origin[0]; c.origin[1] = e.plane.origin[1]; c.origin[2] = e.plane.origin[2];
    c.u = e.plane.u; c.v = e.plane.v;
    const count = c.width * c.height;
    resampleSlice(this.options.volume, c, { out: e.coarseHu, patientToIndex: this.toIndex });
    markOutsideAir(e.coarseHu, c.width, c.height, AIR_HU, e.coarseAir, this.stack);
    windowSlice(e.coarseHu, window, e.coarseRgba, count, e.coarseAir);
    expandHalf(e.coarseWords, c.width, e.words, e.plane.width, e.plane.height);
  }

  dispose(): void {
    this.unsubscribe();
    this.scene.onBeforeRenderObservable.remove(this.beforeRender);
    for (const e of this.entries.values()) this.disposeEntry(e);
    this.entries.clear();
    this.onSliceUpdatedObservable.clear();
  }

  private onState(state: HologramState, previous: HologramState | undefined): void {
    this.state = state;
    const cuts = viewCuts(state);
    const moved = !previous || viewWorldPose(previous) !== viewWorldPose(state) || previous.shared.pivot !== state.shared.pivot;
    if (previous && viewCuts(previous) === cuts && previous.shared.sliceWindow === state.shared.sliceWindow) {
      // a move of the hologram only: the slices ride along in the patient frame; their clip planes change
      if (moved) this.clipDirty = true;
      return;
    }
    const windowChanged = previous !== undefined && previous.shared.sliceWindow !== state.shared.sliceWindow;
    const shown = new Set<string>();
    for (const p of cuts) {
      if (!p.showSlice) continue;
      shown.add(p.id);
      const e = this.entries.get(p.id);
      if (!e) this.entries.set(p.id, this.createEntry(p));
      else this.updateEntry(e, p);
    }
    for (const [id, e] of this.entries) {
      if (shown.has(id)) {
        if (windowChanged) e.rewindow = true;
        continue;
      }
      this.disposeEntry(e);
      this.entries.delete(id);
    }
    if (!previous || viewCuts(previous) !== cuts || moved) this.clipDirty = true;
  }

  private gridFor(normal: Readonly<Vec3>, offset: number): SlicePlane {
    const axisAligned = AXES.some((a) => Math.abs(Math.abs(a[0] * normal[0] + a[1] * normal[1] + a[2] * normal[2]) - 1) < 1e-9);
    return slicePlaneFor(this.options.volume, normal, offset, { maxSize: this.options.maxSize, anyOrientation: !axisAligned });
  }

  private createEntry(p: CutEntry): SliceEntry {
    const plane = this.gridFor(p.normal, p.offset);
    const max = plane.width * plane.height;
    const hu = new Float32Array(max);
    const rgba = new Uint8Array(max * 4);
    const air = new Uint8Array(max);
    if (this.stack.length < max) this.stack = new Int32Array(max);
    const coarse = halfSlicePlane(plane);
    const coarseRgba = new Uint8Array(coarse.width * coarse.height * 4);
    const texture = new RawTexture(rgba, plane.width, plane.height, Constants.TEXTUREFORMAT_RGBA, this.scene, false, false,
      Texture.BILINEAR_SAMPLINGMODE, Constants.TEXTURETYPE_UNSIGNED_BYTE);
    texture.name = `slice:${p.id}`;
    texture.wrapU = texture.wrapV = Texture.CLAMP_ADDRESSMODE;
    texture.hasAlpha = true; // alpha test: no CT outside the volume
    const material = new StandardMaterial(`slice-material:${p.id}`, this.scene);
    material.diffuseTexture = texture;
    // unlit: with lighting off, Babylon's standard shader shows (emissive + ambient) × texture
    material.diffuseColor = Color3.White();
    material.specularColor = Color3.Black();
    material.emissiveColor = Color3.White();
    material.disableLighting = true;
    material.backFaceCulling = false;
    const mesh = new Mesh(`slice:${p.id}`, this.scene);
    mesh.parent = this.options.view.patientNode;
    mesh.material = material;
    mesh.isPickable = false;
    mesh.metadata = { slice: p.id };
    const e: SliceEntry = {
      id: p.id, normal: [...p.normal] as Vec3, offset: p.offset, base: { ...plane, origin: [...plane.origin] as Vec3 }, plane,
      hu, rgba, air, texture, material, mesh, resample: true, rewindow: true,
      coarse, coarseHu: new Float32Array(coarse.width * coarse.height), coarseAir: new Uint8Array(coarse.width * coarse.height),
      coarseRgba, coarseWords: new Uint32Array(coarseRgba.buffer), words: new Uint32Array(rgba.buffer),
      coarseShown: false, lastResample: -Infinity,
    };
    this.buildQuad(e, true);
    return e;
  }

  private updateEntry(e: SliceEntry, p: CutEntry): void {
    if (!sameDirection(e.normal, p.normal)) {
      const plane = this.gridFor(p.normal, p.offset);
      if (plane.width !== e.plane.width || plane.height !== e.plane.height) {
        // a different grid size (e.g. a free plane snapped to an axis): new buffers and texture
        const next = this.createEntry(p);
        this.disposeEntry(e);
        this.entries.set(p.id, next);
        return;
      }
      e.normal = [...p.normal] as Vec3;
      e.plane = plane;
      e.coarse.u = plane.u;
      e.coarse.v = plane.v;
      e.base = { ...plane, origin: [...plane.origin] as Vec3 };
      e.offset = p.offset;
      this.buildQuad(e, false);
      e.resample = true;
      return;
    }
    if (e.offset !== p.offset) {
      e.offset = p.offset;
      moveSlicePlane(e.plane, e.normal, p.offset, e.plane);
      e.resample = true;
    }
  }

  /** Quad over the pixel boxes of the base grid, in patient mm; uv (0,0) at pixel (0,0)'s corner. */
  private buildQuad(e: SliceEntry, create: boolean): void {
    const { origin: o, u, v, spacing: s, width: w, height: h } = e.base;
    const corner = (x: number, y: number) => [0, 1, 2].map((a) => o[a] + (x * u[a] + y * v[a]) * s);
    const positions = [...corner(-0.5, -0.5), ...corner(w - 0.5, -0.5), ...corner(w - 0.5, h - 0.5), ...corner(-0.5, h - 0.5)];
    if (create) {
      const data = new VertexData();
      data.positions = positions;
      data.uvs = [0, 0, 1, 0, 1, 1, 0, 1];
      data.indices = [0, 1, 2, 0, 2, 3];
      data.normals = [];
      VertexData.ComputeNormals(positions, data.indices, data.normals);
      data.applyToMesh(e.mesh, true);
    } else {
      e.mesh.updateVerticesData(VertexBuffer.PositionKind, positions);
    }
    e.mesh.position.set(0, 0, 0);
    e.mesh.refreshBoundingInfo();
  }

  /** Each slice is clipped by the other cuts, not by its own (it lies on it). */
  private applyClipPlanes(): void {
    this.clipDirty = false;
    const planes = viewCuts(this.state);
    const world = this.options.view.patientNode.computeWorldMatrix(true);
    world.invertToRef(this.inverse);
    const m = this.inverse.m;
    planes.forEach((p, i) => {
      // plane (n, −offset) in patient space → world: coefficients inv · [n; −o] (row-vector convention)
      const n0 = p.normal[0], n1 = p.normal[1], n2 = p.normal[2], n3 = -p.offset;
      const a = m[0] * n0 + m[1] * n1 + m[2] * n2 + m[3] * n3;
      const b = m[4] * n0 + m[5] * n1 + m[6] * n2 + m[7] * n3;
      const c = m[8] * n0 + m[9] * n1 + m[10] * n2 + m[11] * n3;
      const d = m[12] * n0 + m[13] * n1 + m[14] * n2 + m[15] * n3;
      const len = Math.hypot(a, b, c) || 1;
      const target = this.worldPlanes[i];
      target.normal.set(a / len, b / len, c / len);
      target.d = d / len;
    });
    for (const e of this.entries.values()) {
      CLIP_KEYS.forEach((key, i) => {
        e.material[key] = i < planes.length && planes[i].id !== e.id ? this.worldPlanes[i] : null;
      });
    }
  }

  private disposeEntry(e: SliceEntry): void {
    e.mesh.dispose();
    e.material.dispose();
    e.texture.dispose();
  }
}
