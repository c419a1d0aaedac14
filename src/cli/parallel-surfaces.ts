/** `extractSurfaces` on worker threads for the CLI (the pool itself: src/surfaces/pool.ts). */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SurfacesExtractor } from '../surfaces/extract';
import { pooledSurfaces, type SurfaceReply, type SurfaceWorkerData } from '../surfaces/pool';

const WORKER_ENTRY = new URL('./surface-worker.mjs', import.meta.url);

/** At most this many threads by default: each holds its own module graph and wasm (~50 MB). */
const MAX_DEFAULT_THREADS = 4;

/** Structures meshed on `threads` worker threads sharing the label map (a SharedArrayBuffer); same meshes as one thread. */
export function parallelSurfaces(threads = Math.min(availableParallelism(), MAX_DEFAULT_THREADS)): SurfacesExtractor {
  return pooledSurfaces(
    (workerData: SurfaceWorkerData) => {
      const worker = new Worker(WORKER_ENTRY, { workerData });
      return {
        post: (task) => worker.postMessage(task),
        onReply: (listener) => worker.on('message', (reply: SurfaceReply) => listener(reply)),
        onError: (listener) => worker.on('error', listener),
        terminate: () => worker.terminate(),
      };
    },
    threads,
    (labels) => {
      const shared = new Uint8Array(new SharedArrayBuffer(labels.data.length));
      shared.set(labels.data);
      return { ...labels, data: shared };
    },
  );
}
