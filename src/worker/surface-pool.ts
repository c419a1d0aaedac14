/**
 * The browser's surface stage on a pool of Web Workers started by the pipeline worker, one per
 * core the page may use (at most 4; the pipeline worker itself waits meanwhile), with the same
 * meshes as one thread (src/surfaces/pool.ts). The label map is shared (SharedArrayBuffer) when
 * the page is cross-origin isolated, else each worker gets a copy (a few MB on the model's grid).
 */
import type { SurfacesExtractor } from '../surfaces/extract';
import { pooledSurfaces, type SurfaceReply, type SurfaceWorkerData } from '../surfaces/pool';

const MAX_THREADS = 4;

export function browserSurfaces(): SurfacesExtractor {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return pooledSurfaces(
    (data: SurfaceWorkerData) => {
      // The literal `new Worker(new URL(...), { type: 'module' })` lets Vite bundle it.
      const worker = new Worker(new URL('./surface.worker.ts', import.meta.url), { type: 'module', name: 'holoct-surfaces' });
      worker.postMessage({ data });
      return {
        post: (task) => worker.postMessage(task),
        onReply: (listener) => worker.addEventListener('message', (event: MessageEvent<SurfaceReply>) => listener(event.data)),
        onError: (listener) => worker.addEventListener('error', (event) => listener(new Error(`surface worker: ${event.message}`))),
        terminate: () => worker.terminate(),
      };
    },
    Math.min(cores, MAX_THREADS),
    (labels) => {
      if (!isolated) return labels;
      const shared = new Uint8Array(new SharedArrayBuffer(labels.data.length));
      shared.set(labels.data);
      return { ...labels, data: shared };
    },
  );
}
