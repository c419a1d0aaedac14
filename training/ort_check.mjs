// Runs an exported model with onnxruntime-node on a raw float32 input file and writes the output
// class ids as raw int32: node training/ort_check.mjs model.onnx input.f32 X Y Z output.i32
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const [model, input, X, Y, Z, output] = process.argv.slice(2);
const dims = [1, 1, Number(Z), Number(Y), Number(X)];
const buf = readFileSync(input);
const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' });
const t = performance.now();
const res = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, dims) });
const ms = performance.now() - t;
const out = res[session.outputNames[0]];
const ids = Int32Array.from(out.data, (v) => Number(v));
writeFileSync(output, Buffer.from(ids.buffer));
console.log(JSON.stringify({ input: session.inputNames, output: session.outputNames, dims: out.dims, type: out.type, ms: Math.round(ms) }));
