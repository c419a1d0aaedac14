/**
 * The browser path, end to end, for `npm run bench -- --browser` (or alone:
 * `node --import tsx bench/browser.ts [--gpu] [case…]`): the app as `npm start` serves it (built
 * when stale, HTTPS, COOP/COEP), in headless Chromium, opens a CT through its file input and times
 * each stage the app's worker reports (the progress bar's `data-stage`), up to the hologram being
 * ready. Prints one JSON line per case. A benchmark, not a test.
 *
 * Default: WASM (Chromium's WebGPU adapter here is SwiftShader, which the app refuses). `--gpu`:
 * WebGPU on the machine's real GPU (Chromium with Vulkan, no software adapter); run it on a machine
 * with a GPU and record the figure with the hardware.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { makeSyntheticCtSlice } from '../tests/fixtures/synthetic-dicom';
import { CHROMIUM_ARGS } from '../tests/e2e/browser';

const args = process.argv.slice(2);
const gpu = args.includes('--gpu');
const port = Number(process.env.HOLOCT_BENCH_PORT ?? process.env.HOLOCT_E2E_PORT ?? 8643);
const ALL = ['dicom-j2k-20', 'synthetic-512x512x300'];
const only = args.filter((a) => !a.startsWith('--'));
const cases = only.length ? only : ALL;

/** Real GPU: Vulkan, no forced software adapter. */
const GPU_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--ignore-gpu-blocklist', '--disable-background-networking', '--no-first-run'];

function caseFiles(name: string): { paths: string[]; cleanup?: () => void; label: string } {
  if (name === 'dicom-j2k-20') {
    const dir = resolve('../shared/data/totalseg/dicom');
    return { paths: readdirSync(dir).sort().map((f) => join(dir, f)), label: 'DICOM J2K series (totalseg/dicom, 512×512×20)' };
  }
  if (name === 'synthetic-512x512x300') {
    const dims: [number, number, number] = [512, 512, 300];
    const dir = mkdtempSync(join(tmpdir(), 'holoct-bench-'));
    const paths = Array.from({ length: dims[2] }, (_, k) => {
      const path = join(dir, `slice${String(k).padStart(4, '0')}.dcm`);
      writeFileSync(path, makeSyntheticCtSlice(dims, [0.7, 0.7, 1], k).bytes);
      return path;
    });
    return { paths, cleanup: () => rmSync(dir, { recursive: true, force: true }), label: 'synthetic DICOM 512×512×300 uncompressed (0.7×0.7×1 mm)' };
  }
  throw new Error(`unknown browser case ${name}; cases: ${ALL.join(', ')}`);
}

// HOLOCT_BENCH_URL: bench an app already served there (e.g. `npx vite preview` of dist/); else serve it as `npm start` does.
const external = process.env.HOLOCT_BENCH_URL;
const server = external ? undefined : spawn(process.execPath, ['scripts/start.mjs'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
let log = '';
if (server) {
  await new Promise<void>((ready, fail) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (/Local:\s+https?:\/\//.test(log)) ready();
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.once('exit', (code) => fail(new Error(`npm start exited with ${code}:\n${log}`)));
  });
}
const base = external ?? `https://localhost:${port}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: gpu ? GPU_ARGS : CHROMIUM_ARGS });
try {
  for (const name of cases) {
    const { paths, cleanup, label } = caseFiles(name);
    const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
    try {
      const backend = gpu ? 'webgpu' : 'wasm';
      let t = performance.now();
      await page.goto(`${base}/?sample=none&backend=${backend}`);
      await page.waitForFunction(() => /on (WEBGPU|WASM)|Could not load/.test(
        (document.getElementById('model-status')?.textContent ?? '') + (document.getElementById('error')?.textContent ?? '')), undefined, { timeout: 600_000 });
      const modelInit = Math.round(performance.now() - t);
      const status = await page.locator('#model-status').textContent();
      // Stage boundaries as the page shows them (the worker's progress events).
      await page.evaluate(() => {
        const marks: [string, number][] = [];
        (window as unknown as { __benchMarks: typeof marks }).__benchMarks = marks;
        const box = document.getElementById('progress')!;
        new MutationObserver(() => {
          const stage = box.dataset.stage ?? '';
          if (marks.at(-1)?.[0] !== stage) marks.push([stage, performance.now()]);
        }).observe(box, { attributes: true, attributeFilter: ['data-stage'] });
      });
      const started = await page.evaluate(() => performance.now());
      t = performance.now();
      await page.setInputFiles('#open-files', paths);
      await page.waitForFunction(() => document.body.dataset.hologram === 'ready' || !document.getElementById('error')!.hidden, undefined, { timeout: 1_800_000 });
      const error = await page.locator('#error').isHidden() ? '' : await page.locator('#error').textContent();
      if (error) throw new Error(error);
      const [marks, ended] = await page.evaluate(() => [(window as unknown as { __benchMarks: [string, number][] }).__benchMarks, performance.now()] as const);
      const timingsMs: Record<string, number> = { modelInit };
      marks.forEach(([stage, at], i) => {
        const next = i + 1 < marks.length ? marks[i + 1][1] : ended;
        timingsMs[stage] = Math.round((timingsMs[stage] ?? 0) + next - at);
      });
      timingsMs.endToEnd = Math.round(ended - started);
      const summary = await page.locator('#backend').textContent() ?? '';
      const windows = /(\d+) windows/.exec(summary)?.[1];
      const triangles = /· ([\d,]+) triangles/.exec(summary)?.[1]?.replace(/,/g, '');
      process.stdout.write(`${JSON.stringify({
        case: `browser ${gpu ? 'WebGPU' : 'WASM'}: ${label}`, backend: /on (\w+)/.exec(status ?? '')?.[1]?.toLowerCase(), modelStatus: status,
        windows: windows ? Number(windows) : undefined, timingsMs, triangles: triangles ? Number(triangles) : undefined,
        note: 'read = files handed to the worker and scanned; each stage until the next one starts; endToEnd from choosing the files to the hologram ready',
      })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ case: `browser: ${label}`, error: error instanceof Error ? error.message.split('\n')[0] : String(error) })}\n`);
    } finally {
      await page.context().close();
      cleanup?.();
    }
  }
} finally {
  await browser.close();
  if (server && server.exitCode === null) {
    process.kill(-server.pid!, 'SIGTERM');
    await once(server, 'exit');
  }
}
