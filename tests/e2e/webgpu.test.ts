import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_MANIFEST, loadNodeModel } from '../../src/cli/node-model';
import { loadInput } from '../../src/pipeline/input';
import { modelInput, normalizeValue } from '../../src/segmentation/pipeline';
import { extractPatch } from '../../src/segmentation/sliding-window';
import { launchBrowser } from './browser';
import './test-api';

/**
 * The shipped .onnx on onnxruntime-web's WebGPU backend (onnxruntime-web/webgpu in the app's worker),
 * in headless Chromium whose adapter is SwiftShader: one real window of the sample CT must give the
 * labels onnxruntime-node gives on the same input. The app itself segments on WASM when the adapter is
 * software (too slow for a whole CT), so this is where the WebGPU graph is checked op by op.
 */
describe('the shipped model on WebGPU', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('labels a window of the sample CT as onnxruntime-node does', async () => {
    // the window the pipeline would cut at the centre of the sample's model grid
    const { manifest, session } = await loadNodeModel(DEFAULT_MANIFEST);
    const input = await loadInput([{ name: 'ct_3mm.nii.gz', bytes: await readFile('assets/sample/ct_3mm.nii.gz') }]);
    const { grid, input: normalized } = modelInput(input.volume, manifest);
    const size = manifest.patchSize;
    const start = [0, 1, 2].map((a) => Math.max(0, Math.floor((grid.dims[a] - size[a]) / 2))) as [number, number, number];
    const patch = extractPatch(normalized, grid.dims, start, size, normalizeValue(manifest.padHU, manifest.normalization), new Float32Array(size[0] * size[1] * size[2]));
    const expected = await session.run(patch, size);
    await session.dispose();

    await page.goto(`${inject('baseUrl')}/?sample=none&backend=webgpu`);
    // init with backend=webgpu has run a first (blank) window on WebGPU, or failed with its reason
    await page.waitForFunction(() => /on (WEBGPU|WASM)|Could not load/.test(
      (document.getElementById('model-status')?.textContent ?? '') + (document.getElementById('error')?.textContent ?? '')), undefined, { timeout: 540_000 });
    expect(await page.locator('#error').isHidden(), await page.locator('#error').textContent() ?? '').toBe(true);
    expect(await page.locator('#model-status').textContent()).toMatch(/on WEBGPU/);

    const result = await page.evaluate(async (values: number[]) => {
      const r = await window.__holoct!.runWindow(new Float32Array(values));
      return { labels: Array.from(r.labels), backend: r.backend, ms: r.ms };
    }, Array.from(patch));
    expect(result.backend).toBe('webgpu');

    let same = 0;
    const present = new Set<number>();
    for (let i = 0; i < expected.length; i++) {
      if (result.labels[i] === expected[i]) same++;
      present.add(expected[i]);
    }
    // A real window holds several structures, and float differences between GPU and CPU kernels may
    // flip a voxel where two classes tie; anything else is a broken op.
    expect(present.size).toBeGreaterThanOrEqual(4);
    expect(same / expected.length).toBeGreaterThan(0.995);
    console.log(`WebGPU (SwiftShader) window ${size.join('×')}: ${(result.ms / 1000).toFixed(1)} s, agreement with onnxruntime-node ${(100 * same / expected.length).toFixed(3)} %`);
    // SwiftShader runs two windows here (the backend check at init, then this one): 2.5–5 min each on 2 cores
  }, 1_200_000);
});
