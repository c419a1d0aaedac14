/**
 * `extractSurfaces` on worker threads, one structure per task, with the very same result as the
 * sequential call: each structure is first meshed with only its error-bounded pass (independent of
 * the budget), largest structures first over a pool of threads; the budget is then shared out in
 * the structures' order exactly as `extractSurfaces` does, and the rare structure whose first pass
 * exceeds its share is decimated again to the share. Meshes reach `onMesh` in order.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { simplifierReady } from '../surfaces/decimate';
import { BudgetSharing, DEFAULT_MAX_TRIANGLES, extractSurfaces, structureSurface, type SurfacesExtractor } from '../surfaces/extract';
import { classStats } from '../surfaces/field';
import type { SurfaceMesh } from '../surfaces/types';
import type { SurfaceTask, SurfaceWorkerData } from './surface-worker';

const WORKER_ENTRY = new URL('./surface-worker.mjs', import.meta.url);

/** At most this many threads by default: each holds its own module graph and wasm (~50 MB). */
const MAX_DEFAULT_THREADS = 4;

/** A pool of `threads` surface workers over one label map; `extractSurfaces`' signature. */
export function parallelSurfaces(threads = Math.min(availableParallelism(), MAX_DEFAULT_THREADS)): SurfacesExtractor {
  return async (labels, classes, options = {}, onMesh) => {
    const stats = options.stats ?? classStats(labels);
    const present = classes.filter((c) => stats.voxels[c.id] > 0);
    const count = Math.min(threads, present.length);
    if (count < 2) return extractSurfaces(labels, classes, { ...options, stats }, onMesh);
    await simplifierReady();
    const shared = new Uint8Array(new SharedArrayBuffer(labels.data.length));
    shared.set(labels.data);
    const { signal, stats: _own, ...plain } = options; // the worker gets `stats` once, and no signal
    const workerData: SurfaceWorkerData = { labels: { ...labels, data: shared }, stats, options: plain };
    const workers = Array.from({ length: count }, () => new Worker(WORKER_ENTRY, { workerData }));
    try {
      // First passes, largest boundary first so the longest task starts first.
      const firstPasses = new Array<Promise<SurfaceMesh | null>>(present.length);
      const order = present.map((_, i) => i).sort((a, b) => stats.boundaryFaces[present[b].id] - stats.boundaryFaces[present[a].id]);
      const queue = [...order];
      const settle = new Map<number, { resolve: (m: SurfaceMesh | null) => void; reject: (e: Error) => void }>();
      for (const i of order) firstPasses[i] = new Promise((resolve, reject) => settle.set(i, { resolve, reject }));
      const feed = (worker: Worker) => {
        const i = queue.shift();
        if (i === undefined) return;
        const task: SurfaceTask = { task: i, cls: { id: present[i].id, name: present[i].name }, maxTriangles: Infinity };
        worker.postMessage(task);
      };
      for (const worker of workers) {
        worker.on('message', ({ task, mesh, error }: { task: number; mesh?: SurfaceMesh | null; error?: string }) => {
          const s = settle.get(task)!;
          if (error !== undefined) s.reject(new Error(`surface of ${present[task].name}: ${error}`));
          else s.resolve(mesh ?? null);
          feed(worker);
        });
        worker.on('error', (error: Error) => { for (const s of settle.values()) s.reject(error); });
        feed(worker);
      }
      const budget = new BudgetSharing(present, stats, Math.floor(options.maxTriangles ?? DEFAULT_MAX_TRIANGLES), Math.floor(options.minTrianglesPerMesh ?? 1000));
      const meshes: SurfaceMesh[] = [];
      for (let i = 0; i < present.length; i++) {
        signal?.throwIfAborted();
        const share = budget.share();
        let mesh = await firstPasses[i];
        if (!mesh) continue;
        // Over its share: what the sequential call would have done (here, on this thread).
        if (mesh.indices.length / 3 > share) mesh = structureSurface(labels, present[i], stats, share, options);
        if (!mesh) continue;
        budget.used(mesh.indices.length / 3);
        meshes.push(mesh);
        onMesh?.(mesh);
      }
      return meshes;
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  };
}
