import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MANIFEST, readManifest } from '../../src/cli/node-model';

const run = promisify(execFile);

describe('training code (node training/run.mjs --check)', () => {
  it('passes its checks: phantoms, pipeline mirror, real-case loaders, ONNX export agreeing with onnxruntime-node', async () => {
    const { stdout } = await run(process.execPath, ['training/run.mjs', '--check'], { maxBuffer: 1 << 24, timeout: 900_000 });
    expect(stdout).not.toMatch(/^FAIL /m);
    expect(stdout).toMatch(/all training checks passed/);
  }, 900_000);
});

describe('the shipped model', () => {
  it('has the graph onnxruntime-web WebGPU needs and says what produced it', async () => {
    const manifest = await readManifest(DEFAULT_MANIFEST);
    const graph = readFileSync(resolve(dirname(DEFAULT_MANIFEST), manifest.file));
    expect(graph.length).toBeLessThan(30 * 2 ** 20);
    // op types are plain strings in the protobuf: labels in the graph, no ConvTranspose or MaxPool
    const text = graph.toString('latin1');
    expect(text).toContain('ArgMax');
    expect(text).not.toContain('ConvTranspose');
    expect(text).not.toContain('MaxPool');
    const training = (manifest as unknown as { training: Record<string, unknown> }).training;
    expect(String(training.command)).toMatch(/^npm run train\b/);
    expect(String(training.hardware)).not.toBe('');
    expect((training.trainedOn as string[]).some((s) => /real case/.test(s))).toBe(true);
    // leave-one-case-out scores of the same recipe travel with the model
    const loco = (training.validation as { loco: Record<string, unknown> }).loco;
    expect(Object.keys(loco).sort()).toEqual(['A', 'B', 'C']);
  });
});
