import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { ModelManifest } from './manifest';

/** Which runtime ran the model. */
export type Backend = 'webgpu' | 'wasm' | 'node-cpu';

/**
 * Runs the model on one patch. The pipeline depends on this interface only, so the browser worker
 * (onnxruntime-web, WebGPU or WASM), the CLI (onnxruntime-node) and tests plug in their own.
 */
export interface SegmentationSession {
  readonly backend: Backend;
  /**
   * @param patch normalized input, length X*Y*Z, x fastest (the tensor is [1, 1, Z, Y, X])
   * @param size  [X, Y, Z] = manifest.patchSize
   * @returns class id per voxel, same layout
   */
  run(patch: Float32Array, size: readonly [number, number, number]): Promise<Uint8Array>;
  dispose(): Promise<void>;
}

/** The part of an onnxruntime module (web or node; they share onnxruntime-common's API) we use. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;
}

export class SessionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionError';
  }
}

/** Converts the graph's ArgMax output (int64, int32 or uint8) to class ids. */
export function toClassIds(data: Tensor['data'], expectedLength: number): Uint8Array {
  if (data.length !== expectedLength) {
    throw new SessionError(`model output has ${data.length} values, expected ${expectedLength}`);
  }
  if (data instanceof Uint8Array) return data;
  const out = new Uint8Array(expectedLength);
  if (data instanceof BigInt64Array) {
    for (let n = 0; n < expectedLength; n++) out[n] = Number(data[n]);
  } else if (data instanceof Int32Array || data instanceof Float32Array || data instanceof Int8Array || data instanceof Uint16Array || data instanceof Int16Array) {
    for (let n = 0; n < expectedLength; n++) out[n] = data[n];
  } else {
    throw new SessionError('model output is not a class-id tensor (expected ArgMax output)');
  }
  return out;
}

/** A SegmentationSession over an onnxruntime InferenceSession. */
export async function createOrtSession(
  ort: OrtModule,
  model: Uint8Array,
  manifest: ModelManifest,
  backend: Backend,
  options: InferenceSession.SessionOptions = {},
): Promise<SegmentationSession> {
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all', ...options });
  } catch (error) {
    throw new SessionError(`could not load model ${manifest.file} on ${backend}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!session.inputNames.includes(manifest.inputName) || !session.outputNames.includes(manifest.outputName)) {
    await session.release();
    throw new SessionError(
      `model ${manifest.file} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; ` +
        `the manifest names input "${manifest.inputName}" and output "${manifest.outputName}"`,
    );
  }
  return {
    backend,
    async run(patch, size) {
      const count = size[0] * size[1] * size[2];
      const input = new ort.Tensor('float32', patch, [1, 1, size[2], size[1], size[0]]);
      const results = await session.run({ [manifest.inputName]: input });
      const output = results[manifest.outputName];
      const ids = toClassIds(output.data, count);
      // WebGPU outputs may live on the GPU; release what ort allocated for this run.
      for (const tensor of Object.values(results)) tensor.dispose?.();
      return ids;
    },
    async dispose() {
      await session.release();
    },
  };
}
