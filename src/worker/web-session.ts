import * as ort from 'onnxruntime-web/webgpu';
import type { ModelManifest } from '../segmentation/manifest';
import { createOrtSession, type OrtModule, type SegmentationSession } from '../segmentation/session';
import type { BackendPreference } from './protocol';

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string };
}

function describeAdapter(adapter: GpuAdapterLike): string {
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown';
}

export function isSoftwareAdapter(adapter: GpuAdapterLike): boolean {
  return adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|software|lavapipe/i.test(describeAdapter(adapter));
}

/**
 * Opens the model in the browser: WebGPU first (compute on the GPU, `onnxruntime-web/webgpu`), else
 * WASM with threads when the page is cross-origin isolated. The first WebGPU run is checked on a
 * real patch, because some adapters accept the session and fail at run time.
 */
export async function createWebSession(
  model: Uint8Array,
  manifest: ModelManifest,
  preference: BackendPreference,
): Promise<{ session: SegmentationSession; fallbackReason?: string }> {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  ort.env.wasm.numThreads = isolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency ?? 1)) : 1;
  let fallbackReason: string | undefined;
  if (preference !== 'wasm') {
    try {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
      if (!gpu) throw new Error('this browser has no WebGPU');
      const adapter = await gpu.requestAdapter();
      if (!adapter) throw new Error('no WebGPU adapter');
      // A CPU-emulated adapter (SwiftShader) runs 3D convolutions 100–300× slower than WASM (measured
      // here: a 16-channel Conv3D on 32×64×64 took 44 s on SwiftShader WebGPU, 0.15 s on WASM).
      if (preference === 'auto' && isSoftwareAdapter(adapter)) throw new Error(`software adapter (${describeAdapter(adapter)})`);
      const session = await createOrtSession(ort as unknown as OrtModule, model, manifest, 'webgpu', { executionProviders: ['webgpu'] });
      const [x, y, z] = manifest.patchSize;
      await session.run(new Float32Array(x * y * z), manifest.patchSize);
      return { session };
    } catch (error) {
      fallbackReason = `WebGPU unavailable (${error instanceof Error ? error.message : String(error)}); using WASM`;
      if (preference === 'webgpu') throw new Error(fallbackReason, { cause: error });
    }
  }
  const session = await createOrtSession(ort as unknown as OrtModule, model, manifest, 'wasm', { executionProviders: ['wasm'] });
  return { session, fallbackReason: fallbackReason ?? (isolated ? undefined : 'not cross-origin isolated: WASM runs on one thread') };
}
