import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './orthanc';

/**
 * Vitest globalSetup (after orthanc-setup.ts): the app as `npm start` serves it — a production build
 * under `vite preview` with vite.config.ts (COOP/COEP, static model and sample, the /dicomweb proxy)
 * with the team server on the same origin (scripts/serve-app.ts) — with HOLOCT_PACS_URL pointing at
 * the test Orthanc, built with the test hooks (window.__holoct,
 * src/app/test-api.ts). Two more differences, both to share the tree with
 * other runs: the build goes to a temp folder (`npm start` and the e2e tests use dist/, and a
 * rebuild there would pull files from under a running server), and it serves plain HTTP on
 * 127.0.0.1 (a secure context too, so cross-origin isolation and workers behave the same; Node's
 * fetch can then reach the proxy without the self-signed certificate).
 */
export default async function setup({ provide }: { provide: (key: string, value: unknown) => void }) {
  if (!process.env.HOLOCT_PACS_URL) throw new Error('HOLOCT_PACS_URL is not set: orthanc-setup.ts must run first');
  const outDir = mkdtempSync(join(tmpdir(), 'holoct-pacs-app-'));
  const env = { ...process.env, HOLOCT_HTTP: '1', VITE_HOLOCT_TEST_HOOKS: 'true' };
  const vite = 'node_modules/vite/bin/vite.js';
  const build = spawnSync(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { env, encoding: 'utf8', timeout: 400_000 });
  if (build.status !== 0) {
    rmSync(outDir, { recursive: true, force: true });
    throw new Error(`vite build failed (${build.status ?? build.signal}):\n${build.stdout}\n${build.stderr}`);
  }
  const port = Number(process.env.HOLOCT_PACS_APP_PORT ?? (await freePort()));
  // scripts/serve-app.ts = `vite preview` + the team server on the same origin, as `npm start` runs it
  const teamData = mkdtempSync(join(tmpdir(), 'holoct-pacs-team-'));
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve-app.ts', '--out-dir', outDir, '--port', String(port), '--host', '127.0.0.1'], {
    env: { ...env, HOLOCT_TEAM_DATA: teamData },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (/Local:\s+https?:\/\//.test(log)) resolve();
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.once('exit', (code) => reject(new Error(`vite preview exited with ${code}:\n${log}`)));
  });
  const timer = setTimeout(() => server.kill(), 60_000);
  try {
    await ready;
  } finally {
    clearTimeout(timer);
  }
  provide('pacsAppUrl', `http://127.0.0.1:${port}`);
  return async () => {
    if (server.exitCode === null) {
      process.kill(-server.pid!, 'SIGTERM');
      await once(server, 'exit');
    }
    rmSync(outDir, { recursive: true, force: true });
    rmSync(teamData, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pacsAppUrl: string;
  }
}
