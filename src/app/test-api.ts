import type { Scene } from '@babylonjs/core/scene';
import type { HologramView } from '../scene/hologram-view';
import type { HologramStore } from '../state';
import type { WindowResult } from '../worker/protocol';
import type { XRBridge } from './xr-bridge';

/**
 * What a test build of the app exposes to the browser tests as `window.__holoct` (types only; the
 * production build has no such global: see test-hooks.ts). The tests read it inside `page.evaluate`
 * through the global declaration in tests/e2e/test-api.ts.
 */
export interface HoloctTestApi {
  /** The state, view and scene of the case on show (published when a case has loaded: wait for it). */
  store: HologramStore;
  view: HologramView;
  scene: Scene;
  /** Cut handles, slices, measurements and the headset session of that case. */
  xr: XRBridge;
  /** Runs one normalized window on the loaded model (tests/e2e/webgpu.test.ts; no patient data passes). */
  runWindow(patch: Float32Array): Promise<WindowResult>;
}
