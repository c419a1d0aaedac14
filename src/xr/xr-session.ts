import { WebXRDefaultExperience } from '@babylonjs/core/XR/webXRDefaultExperience';
import type { Scene } from '@babylonjs/core/scene';

export type ImmersiveMode = 'immersive-ar' | 'immersive-vr';

/** immersive-ar where offered (Quest passthrough, Android XR, Vision Pro), else immersive-vr, else none. */
export async function detectImmersiveMode(): Promise<ImmersiveMode | null> {
  const xr = (navigator as Navigator & { xr?: { isSessionSupported(mode: string): Promise<boolean> } }).xr;
  if (!xr) return null;
  for (const mode of ['immersive-ar', 'immersive-vr'] as const) {
    try {
      if (await xr.isSessionSupported(mode)) return mode;
    } catch {
      // a browser that throws here simply does not offer the mode
    }
  }
  return null;
}

/** Creates Babylon's XR helper (no CDN UI) and enters the session. */
export async function enterImmersive(scene: Scene, mode: ImmersiveMode): Promise<WebXRDefaultExperience> {
  const xr = await WebXRDefaultExperience.CreateAsync(scene, {
    disableDefaultUI: true,
    disableTeleportation: true,
    inputOptions: { doNotLoadControllerMeshes: true },
    optionalFeatures: false,
  });
  await xr.baseExperience.enterXRAsync(mode, 'local-floor');
  return xr;
}
