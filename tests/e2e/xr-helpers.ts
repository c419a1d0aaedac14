/**
 * In-page helpers for the headset tests: IWER (the Immersive Web Emulation Runtime) emulating a Meta
 * Quest 3 with hands, a synthetic table for hit tests, and hand moves in Babylon's world coordinates.
 * These functions are serialized into the page by Playwright: they must not close over anything.
 */

/** Installed before any page script (page.addInitScript), after IWER's bundled build. */
export function installEmulatedQuest(table: { height: number }): void {
  const w = window as unknown as { IWER: Record<string, unknown>; __iwer: unknown; __iwerTable: number };
  const IWER = w.IWER as unknown as {
    XRDevice: new (config: unknown, options?: unknown) => {
      primaryInputMode: string;
      installSEM(ctor: unknown): void;
      installRuntime(options?: unknown): void;
    };
    metaQuest3: unknown;
  };
  w.__iwerTable = table.height;
  /**
   * The smallest Synthetic Environment Module IWER accepts: one horizontal table top, infinite, at
   * `table.height` m. Hit tests intersect the ray with it (IWER global space, right-handed, y up).
   */
  class TableEnvironment {
    version = 'holoct-test-table';
    planesVisible = false;
    boundingBoxesVisible = false;
    meshesVisible = false;
    environmentCanvas = document.createElement('canvas');
    trackedPlanes = new Set();
    trackedMeshes = new Set();
    render(): void {}
    loadEnvironment(): void {}
    loadDefaultEnvironment(): void {}
    deleteAll(): void {}
    computeDepthBuffer(): null {
      return null;
    }
    computeHitTestResults(m: Float32Array): Float32Array[] {
      // ray: origin = translation, direction = −z axis of the ray's matrix (column-major)
      const ox = m[12], oy = m[13], oz = m[14];
      const dx = -m[8], dy = -m[9], dz = -m[10];
      if (dy > -1e-6) return [];
      const t = (table.height - oy) / dy;
      if (t <= 0) return [];
      const hit = new Float32Array(16);
      hit[0] = hit[5] = hit[10] = hit[15] = 1; // y axis = the table's normal
      hit[12] = ox + dx * t;
      hit[13] = table.height;
      hit[14] = oz + dz * t;
      return [hit];
    }
  }
  const device = new IWER.XRDevice(IWER.metaQuest3, { stereoEnabled: false });
  device.primaryInputMode = 'hand';
  device.installSEM(TableEnvironment);
  device.installRuntime({ forceInstall: true });
  w.__iwer = device;
}

type V3 = [number, number, number];

/** Installed once the app is up: `window.__xrt`, driving the emulated hands and head. */
export function installHandDriver(): void {
  interface Vec { x: number; y: number; z: number; set(x: number, y: number, z: number): void }
  interface Quat { x: number; y: number; z: number; w: number; set(x: number, y: number, z: number, w: number): void }
  interface Hand { position: Vec; quaternion: Quat; updatePinchValue(v: number): void; pinchValue: number }
  const device = (window as unknown as { __iwer: { hands: Record<'left' | 'right', Hand>; position: Vec; quaternion: Quat } }).__iwer;
  const holo = () => window.__holoct!.xr.holo;
  const offsets: Record<string, V3> = {};
  /** Waits for n XR frames; returns early when the session ends (or after 20 s, so nothing hangs). */
  const frames = (n: number) => new Promise<void>((resolve) => {
    const h = holo();
    if (!h.inXR) return resolve();
    const sm = h.experience!.baseExperience.sessionManager;
    let left = n;
    const done = () => {
      sm.onXRFrameObservable.remove(o);
      sm.onXRSessionEnded.remove(e);
      clearTimeout(timer);
      resolve();
    };
    const o = sm.onXRFrameObservable.add(() => {
      if (--left <= 0) done();
    });
    const e = sm.onXRSessionEnded.add(done);
    const timer = setTimeout(done, 20_000);
  });
  const effector = (side: string) => holo().adapter?.effectors.find((e) => e.kind === 'hand' && e.handedness === side);
  /** Babylon world (left-handed) ↔ WebXR (right-handed): z flips. */
  const setHand = (side: 'left' | 'right', lh: V3) => device.hands[side].position.set(lh[0], lh[1], -lh[2]);
  const api: HandDriver = {
    frames,
    effector: (side) => {
      const e = effector(side);
      return e && { tracked: e.tracked, position: [e.position.x, e.position.y, e.position.z], palm: [e.palmNormal.x, e.palmNormal.y, e.palmNormal.z], pressed: e.pressed, mode: e.grab.mode };
    },
    head(lh, pitchDeg) {
      device.position.set(lh[0], lh[1], -lh[2]);
      const a = (pitchDeg * Math.PI) / 360;
      device.quaternion.set(Math.sin(a), 0, 0, Math.cos(a)); // about x: negative pitch looks down
    },
    /** Hand orientation in WebXR terms (a quaternion, right-handed). */
    turnHand(side: 'left' | 'right', q: [number, number, number, number]) {
      device.hands[side].quaternion.set(q[0], q[1], q[2], q[3]);
      delete offsets[side];
    },
    /**
     * Learns where the pinch point sits relative to the hand's position (pinched, current orientation):
     * pinches high above everything, reads the effector, lets go.
     */
    async calibrate(side: 'left' | 'right') {
      const spot: V3 = side === 'left' ? [-0.6, 3, 0] : [0.6, 3, 0];
      setHand(side, spot);
      await frames(2);
      device.hands[side].updatePinchValue(1);
      await frames(4);
      const e = effector(side)!;
      offsets[side] = [e.position.x - spot[0], e.position.y - spot[1], e.position.z - spot[2]];
      device.hands[side].updatePinchValue(0);
      await frames(3);
      return offsets[side];
    },
    /** Puts the (pinched) pinch point at a Babylon world point. */
    async moveTo(side, lh, n = 3) {
      if (!offsets[side]) await api.calibrate(side);
      const o = offsets[side];
      setHand(side, [lh[0] - o[0], lh[1] - o[1], lh[2] - o[2]]);
      await frames(n);
    },
    async pinchAt(side, lh) {
      await api.moveTo(side, lh);
      device.hands[side].updatePinchValue(1);
      await frames(4);
    },
    async release(side: 'left' | 'right') {
      device.hands[side].updatePinchValue(0);
      await frames(4);
    },
    /** Pinch and let go at a point (a button, a measurement point). */
    async tap(side, lh) {
      await api.pinchAt(side, lh);
      await api.release(side);
    },
    async park(side: 'left' | 'right') {
      await api.moveTo(side, side === 'left' ? [-0.7, 3, 0] : [0.7, 3, 0], 2);
    },
  };
  window.__xrt = api;
}

type Side = 'left' | 'right';
/** A point in Babylon world metres (left-handed); Vector3.asArray() fits. */
type Point = readonly number[];

/** `window.__xrt`: the emulated head and hands that installHandDriver() puts in the page. */
export interface HandDriver {
  /** Waits for n XR frames (returns early when the session ends). */
  frames(n: number): Promise<void>;
  /** The hand as HoloCT's XR input sees it, as plain data. */
  effector(side: Side): { tracked: boolean; position: number[]; palm: number[]; pressed: boolean; mode: string } | undefined;
  head(lh: Point, pitchDeg: number): void;
  turnHand(side: Side, q: [number, number, number, number]): void;
  calibrate(side: Side): Promise<V3>;
  moveTo(side: Side, lh: Point, n?: number): Promise<void>;
  pinchAt(side: Side, lh: Point): Promise<void>;
  release(side: Side): Promise<void>;
  tap(side: Side, lh: Point): Promise<void>;
  park(side: Side): Promise<void>;
}

declare global {
  interface Window {
    __xrt?: HandDriver;
  }
}

