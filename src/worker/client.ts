import * as Comlink from 'comlink';
import type { PipelineWorkerApi } from './protocol';

/** Starts the pipeline worker. The literal `new Worker(new URL(...), { type: 'module' })` lets Vite bundle it. */
export function startPipelineWorker(): { api: Comlink.Remote<PipelineWorkerApi>; terminate: () => void } {
  const worker = new Worker(new URL('./pipeline.worker.ts', import.meta.url), { type: 'module', name: 'holoct-pipeline' });
  const api = Comlink.wrap<PipelineWorkerApi>(worker);
  return { api, terminate: () => { api[Comlink.releaseProxy](); worker.terminate(); } };
}
