/// <reference lib="webworker" />
/**
 * A surface Web Worker of the pipeline worker's pool (src/worker/surface-pool.ts): the first message
 * is the call's data (label map, statistics, options), then one task per structure; each mesh goes
 * back with its buffers transferred.
 */
import { simplifierReady } from '../surfaces/decimate';
import { answerSurfaceTask, type SurfaceTask, type SurfaceWorkerData } from '../surfaces/pool';
import { meshTransferables } from '../surfaces/types';

let data: SurfaceWorkerData | undefined;
const ready = simplifierReady();
self.onmessage = async (event: MessageEvent<{ data: SurfaceWorkerData } | SurfaceTask>) => {
  if ('data' in event.data) {
    data = event.data.data;
    return;
  }
  await ready;
  const reply = answerSurfaceTask(data!, event.data);
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply, reply.mesh ? meshTransferables(reply.mesh) : []);
};
