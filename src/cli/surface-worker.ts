/**
 * A surface worker thread: meshes the structures it is sent, on the label map shared with the main
 * thread (a SharedArrayBuffer, not copied), and sends each mesh back with its buffers transferred.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { simplifierReady } from '../surfaces/decimate';
import { structureSurface, type SurfacesOptions } from '../surfaces/extract';
import type { ClassStats } from '../surfaces/field';
import { meshTransferables } from '../surfaces/types';
import type { LabelMap } from '../volume/types';

export interface SurfaceWorkerData {
  labels: LabelMap;
  stats: ClassStats;
  options: Omit<SurfacesOptions, 'stats' | 'signal'>;
}

export interface SurfaceTask {
  task: number;
  cls: { id: number; name: string };
  maxTriangles: number;
}

const { labels, stats, options } = workerData as SurfaceWorkerData;
await simplifierReady();
parentPort!.on('message', ({ task, cls, maxTriangles }: SurfaceTask) => {
  try {
    const mesh = structureSurface(labels, cls, stats, maxTriangles, options);
    parentPort!.postMessage({ task, mesh }, mesh ? meshTransferables(mesh) : []);
  } catch (error) {
    parentPort!.postMessage({ task, error: error instanceof Error ? error.message : String(error) });
  }
});
