import type { StructureGroup } from '../segmentation/manifest';
import { MAX_CLIP_PLANES, type ClipPlaneState, type HologramState, type Measurement, type Pose, type SliceWindow, type Vec3 } from './hologram-state';

/** Pure state transitions. Each returns the same object when nothing changes. */

export function setVisible(names: readonly string[], visible: boolean) {
  return (s: HologramState): HologramState => {
    if (names.every((n) => !s.structures[n] || s.structures[n].visible === visible)) return s;
    const structures = { ...s.structures };
    for (const n of names) if (structures[n]) structures[n] = { ...structures[n], visible };
    return { ...s, structures };
  };
}

export function toggleVisible(name: string) {
  return (s: HologramState): HologramState => (s.structures[name] ? setVisible([name], !s.structures[name].visible)(s) : s);
}

/** Names of the classes of a group, for group toggles. */
export function namesInGroup(classes: ReadonlyArray<{ name: string; group: StructureGroup }>, group: StructureGroup): string[] {
  return classes.filter((c) => c.group === group).map((c) => c.name);
}

export function setOpacity(name: string, opacity: number) {
  const value = Math.min(1, Math.max(0, opacity));
  return (s: HologramState): HologramState => {
    const current = s.structures[name];
    if (!current || current.opacity === value) return s;
    return { ...s, structures: { ...s.structures, [name]: { ...current, opacity: value } } };
  };
}

export function setPose(pose: Partial<Pose>) {
  return (s: HologramState): HologramState => ({ ...s, pose: { ...s.pose, ...pose } });
}

function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  if (!(n > 0)) throw new Error('a clip plane needs a non-zero normal');
  return [v[0] / n, v[1] / n, v[2] / n];
}

/** Adds or replaces the plane with this id; beyond MAX_CLIP_PLANES the oldest plane gives way. */
export function upsertClipPlane(plane: ClipPlaneState) {
  const clean: ClipPlaneState = { ...plane, normal: normalize(plane.normal) };
  return (s: HologramState): HologramState => {
    const index = s.clipPlanes.findIndex((p) => p.id === plane.id);
    let planes: ClipPlaneState[];
    if (index >= 0) {
      planes = s.clipPlanes.slice();
      planes[index] = clean;
    } else {
      planes = [...s.clipPlanes, clean].slice(-MAX_CLIP_PLANES);
    }
    return { ...s, clipPlanes: planes };
  };
}

export function removeClipPlane(id: string) {
  return (s: HologramState): HologramState =>
    s.clipPlanes.some((p) => p.id === id) ? { ...s, clipPlanes: s.clipPlanes.filter((p) => p.id !== id) } : s;
}

export function addMeasurement(measurement: Measurement) {
  return (s: HologramState): HologramState => ({ ...s, measurements: [...s.measurements, measurement] });
}

export function removeMeasurement(id: string) {
  return (s: HologramState): HologramState =>
    s.measurements.some((m) => m.id === id) ? { ...s, measurements: s.measurements.filter((m) => m.id !== id) } : s;
}

export function setSliceWindow(window: SliceWindow) {
  return (s: HologramState): HologramState => (s.sliceWindow === window ? s : { ...s, sliceWindow: window });
}

/** Distance between a measurement's points in patient mm: independent of the hologram's scale. */
export function measurementLengthMm(m: Measurement): number {
  return Math.hypot(m.b[0] - m.a[0], m.b[1] - m.a[1], m.b[2] - m.a[2]);
}

/** Axis-aligned presets in patient LPS: axial (S), coronal (P), sagittal (L). */
export const PLANE_PRESETS: Record<'axial' | 'coronal' | 'sagittal', Vec3> = {
  axial: [0, 0, 1],
  coronal: [0, 1, 0],
  sagittal: [1, 0, 0],
};
