/**
 * `npm run bench`: runs each case in its own Node process (peak memory per case), prints a markdown
 * table and writes bench/results/latest.json with the machine it ran on. A benchmark, not a test:
 * nothing here passes or fails on speed.
 *   npm run bench -- [case…] [--model m.json] [--browser] [--gpu]
 * `--browser` adds the browser path (headless Chromium, the app's worker on WASM, bench/browser.ts)
 * beside the Node figures; `--gpu` adds it on WebGPU with the machine's real GPU.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';

const ALL = ['realistic-0.75mm', 'surfaces-torso', 'sample-nifti', 'sample-dicom', 'synthetic-512x512x300', 'dicom-load-512x512x1000', 'surfaces', 'mpr-slice', 'exports'];
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const cases = only.length ? only : ALL;
const passThrough = args.includes('--model') ? ['--model', args[args.indexOf('--model') + 1]] : [];

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${release()}`,
  node: process.version,
  date: new Date().toISOString(),
};

const results: Array<Record<string, unknown>> = [];
for (const name of cases) {
  process.stderr.write(`bench: ${name}…\n`);
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/cases.ts', name, ...passThrough], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24,
    });
    results.push({ id: name, ...JSON.parse(out.trim().split('\n').pop()!) });
  } catch (error) {
    results.push({ id: name, error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
  }
}

// The browser path: one process for all its cases (it serves the app once), one JSON line per case.
for (const flags of [args.includes('--browser') ? [] : null, args.includes('--gpu') ? ['--gpu'] : null]) {
  if (!flags) continue;
  process.stderr.write(`bench: browser${flags.length ? ' (WebGPU)' : ' (WASM)'}…\n`);
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/browser.ts', ...flags], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24,
    });
    for (const line of out.trim().split('\n').filter(Boolean)) results.push({ id: `browser${flags.join('')}`, ...JSON.parse(line) });
  } catch (error) {
    results.push({ id: 'browser', case: 'browser path', error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
  }
}

const fmtMs = (v: unknown) => (typeof v === 'number' ? (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v} ms`) : '');
const lines = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}`,
  '',
  '| case | stages | triangles | peak RSS |',
  '|---|---|---|---|',
];
for (const r of results) {
  if (r.error) {
    lines.push(`| ${r.case ?? r.id} | failed: ${r.error} | | |`);
    continue;
  }
  const timings = Object.entries((r.timingsMs as Record<string, number>) ?? {}).map(([k, v]) => `${k} ${fmtMs(v)}`).join(', ');
  const extra = [r.backend ? `${r.backend}` : '', r.windows ? `${r.windows} windows` : ''].filter(Boolean).join(', ');
  const frame = r.headsetFrame as { totalTriangles: number; totalDrawCalls: number } | undefined;
  const tris = [r.triangles ?? '', frame ? ` (headset frame: ${frame.totalTriangles} triangles, ${frame.totalDrawCalls} draw calls)` : ''].join('');
  lines.push(`| ${r.case} | ${extra ? `${extra}: ` : ''}${timings} | ${tris} | ${r.peakRssMiB !== undefined ? `${r.peakRssMiB} MiB` : ''} |`);
}
const table = lines.join('\n');
process.stdout.write(`${table}\n`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', `${JSON.stringify({ machine, results }, null, 2)}\n`);
writeFileSync('bench/results/latest.md', `${table}\n`);
process.stderr.write('wrote bench/results/latest.json and bench/results/latest.md\n');
