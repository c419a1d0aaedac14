/**
 * `extractSurfaces` over a pool of workers (threads in the CLI, Web Workers in the browser), one
 * structure per task, with the very same result as the sequential call: each structure is first
 * meshed with only its error-bounded pass (independent of the budget), largest structures first;
 * the budget is then shared out in the structures' order exactly as `extractSurfaces` does, and the
 * rare structure whose first pass exceeds its share is decimated again to the share, here. Meshes
 * reach `onMesh` in order. The workers are reached through `SurfaceWorkerPort`, so this module
 * needs no thread API of its own.
 */
import { simplifierReady } from './decimate';
import { BudgetSharing, DEFAULT_MAX_TRIANGLES, extractSurfaces, structureSurface, type SurfacesExtractor, type SurfacesOptions } from './extract';
import { classStats, type ClassStats } from './field';
import type { SurfaceMesh } from './types';
import type { LabelMap } from '../volume/types';

/** What every worker of one call gets once: the label map, its statistics, the meshing options. */
export interface SurfaceWorkerData {
  labels: LabelMap;
  stats: ClassStats;
  options: Omit<SurfacesOptions, 'stats' | 'signal'>;
}

/** One structure to mesh (with its error-bounded pass only when `maxTriangles` is Infinity). */
export interface SurfaceTask {
  task: number;
  cls: { id: number; name: string };
  maxTriangles: number;
}

export interface SurfaceReply {
  task: number;
  mesh?: SurfaceMesh | null;
  error?: string;
}

/** A started worker: takes tasks, answers each with a reply. */
export interface SurfaceWorkerPort {
  post(task: SurfaceTask): void;
  onReply(listener: (reply: SurfaceReply) => void): void;
  onError(listener: (error: Error) => void): void;
  terminate(): unknown;
}

/** The worker side: answers a task on the data it was given (await `simplifierReady()` first). */
export function answerSurfaceTask(data: SurfaceWorkerData, { task, cls, maxTriangles }: SurfaceTask): SurfaceReply {
  try {
    return { task, mesh: structureSurface(data.labels, cls, data.stats, maxTriangles, data.options) };
  } catch (error) {
    return { task, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * `extractSurfaces`' signature over `threads` workers started by `spawn` for each call (one thread
 * or one structure: the plain sequential call). `share(labels)` may return the label map in memory
 * the workers share (a SharedArrayBuffer) instead of a copy each.
 */
export function pooledSurfaces(
  spawn: (data: SurfaceWorkerData) => SurfaceWorkerPort,
  threads: number,
  share: (labels: LabelMap) => LabelMap = (labels) => labels,
): SurfacesExtractor {
  return async (labels, classes, options = {}, onMesh) => {
    const stats = options.stats ?? classStats(labels);
    const present = classes.filter((c) => stats.voxels[c.id] > 0);
    const count = Math.min(threads, present.length);
    if (count < 2) return extractSurfaces(labels, classes, { ...options, stats }, onMesh);
    await simplifierReady();
    const { signal, stats: _own, ...plain } = options; // workers get `stats` once, and no signal
    const data: SurfaceWorkerData = { labels: share(labels), stats, options: plain };
    const workers: SurfaceWorkerPort[] = [];
    try {
      const settle = new Map<number, { resolve: (m: SurfaceMesh | null) => void; reject: (e: Error) => void }>();
      const firstPasses = present.map((_, i) => new Promise<SurfaceMesh | null>((resolve, reject) => settle.set(i, { resolve, reject })));
      // Unobserved until awaited in order below; a failure is reported there.
      for (const p of firstPasses) p.catch(() => {});
      const queue = present.map((_, i) => i).sort((a, b) => stats.boundaryFaces[present[b].id] - stats.boundaryFaces[present[a].id]);
      const feed = (worker: SurfaceWorkerPort) => {
        const i = queue.shift();
        if (i !== undefined) worker.post({ task: i, cls: { id: present[i].id, name: present[i].name }, maxTriangles: Infinity });
      };
      for (let w = 0; w < count; w++) {
        const worker = spawn(data);
        workers.push(worker);
        worker.onReply(({ task, mesh, error }) => {
          const s = settle.get(task)!;
          if (error !== undefined) s.reject(new Error(`surface of ${present[task].name}: ${error}`));
          else s.resolve(mesh ?? null);
          feed(worker);
        });
        worker.onError((error) => { for (const s of settle.values()) s.reject(error); });
        feed(worker);
      }
      const budget = new BudgetSharing(present, stats, Math.floor(options.maxTriangles ?? DEFAULT_MAX_TRIANGLES), Math.floor(options.minTrianglesPerMesh ?? 1000));
      const meshes: SurfaceMesh[] = [];
      for (let i = 0; i < present.length; i++) {
        signal?.throwIfAborted();
        const shareOfBudget = budget.share();
        let mesh = await firstPasses[i];
        if (!mesh) continue;
        // Over its share: what the sequential call would have done.
        if (mesh.indices.length / 3 > shareOfBudget) mesh = structureSurface(labels, present[i], stats, shareOfBudget, options);
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
