import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { CHROMIUM, requirePrograms } from '../prereqs';

/**
 * Starts the app exactly as `npm start` does (build when stale, HTTPS with the self-signed
 * certificate, COOP/COEP) on a test port, and stops it after the browser tests. One difference: a
 * test build (VITE_HOLOCT_TEST_HOOKS=true, in dist-test/) that exposes `window.__holoct`
 * (src/app/test-api.ts) to the tests.
 */
export default async function setup({ provide }: { provide: (key: string, value: unknown) => void }) {
  requirePrograms([CHROMIUM]);
  const port = Number(process.env.HOLOCT_E2E_PORT ?? 8543);
  const server: ChildProcess = spawn(process.execPath, ['scripts/start.mjs'], {
    // loopback only: the pages are on this machine
    env: { ...process.env, PORT: String(port), HOLOCT_HOST: '127.0.0.1', VITE_HOLOCT_TEST_HOOKS: 'true' },
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
    server.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${log}`)));
  });
  const timeout = setTimeout(() => server.kill(), 300_000);
  await ready;
  clearTimeout(timeout);
  provide('baseUrl', `https://localhost:${port}`);
  return async () => {
    if (server.exitCode === null) {
      process.kill(-server.pid!, 'SIGTERM');
      await once(server, 'exit');
    }
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
