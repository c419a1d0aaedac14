import * as Comlink from 'comlink';
import type { ExportWorkerApi } from './export-protocol';

/** Starts the export worker (STL/OBJ/GLB downloads, cuts applied with manifold-3d). The literal `new Worker(new URL(...))` lets Vite bundle it. */
export function startExportWorker(): { api: Comlink.Remote<ExportWorkerApi>; terminate: () => void } {
  const worker = new Worker(new URL('./export.worker.ts', import.meta.url), { type: 'module', name: 'holoct-export' });
  const api = Comlink.wrap<ExportWorkerApi>(worker);
  return { api, terminate: () => { api[Comlink.releaseProxy](); worker.terminate(); } };
}
