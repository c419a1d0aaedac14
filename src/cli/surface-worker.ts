/**
 * A surface worker thread (src/cli/parallel-surfaces.ts): meshes the structures it is sent, on the
 * label map shared with the main thread, and sends each mesh back with its buffers transferred.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { simplifierReady } from '../surfaces/decimate';
import { answerSurfaceTask, type SurfaceTask, type SurfaceWorkerData } from '../surfaces/pool';
import { meshTransferables } from '../surfaces/types';

await simplifierReady();
parentPort!.on('message', (task: SurfaceTask) => {
  const reply = answerSurfaceTask(workerData as SurfaceWorkerData, task);
  parentPort!.postMessage(reply, reply.mesh ? meshTransferables(reply.mesh) : []);
});
