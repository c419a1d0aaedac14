import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Every file under `dir` whose name ends with `.js`. */
function scripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath, e.name));
}

// `npm run build` as a user runs it (no VITE_HOLOCT_TEST_HOOKS): 10–20 s on this 2-core machine.
describe('production build', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'holoct-prod-build-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('carries no test hook (window.__holoct is only in the test build)', () => {
    const env = { ...process.env };
    delete env.VITE_HOLOCT_TEST_HOOKS;
    const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
      env,
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
    const files = scripts(outDir);
    const app = files.filter((f) => readFileSync(f, 'utf8').includes('/models/holoct-seg.json'));
    expect(app.length, 'the scan reads the app bundle').toBeGreaterThan(0);
    const withHook = files.filter((f) => /__holoct|HOLOCT_TEST_HOOKS/.test(readFileSync(f, 'utf8')));
    expect(withHook).toEqual([]);
  });
});
