#!/usr/bin/env node
// `npm start`: make a self-signed certificate on first start, build the app when the sources changed,
// and serve it over HTTPS on localhost and the LAN (WebXR needs a secure context; a headset on the
// same network opens the printed https://<lan-ip>:<port>/ and accepts the certificate once).
// The team sync server runs on the same origin (wss://<host>:<port>/sync, /api/team/; docs/team.md),
// keeping rooms under .holoct-data/team (git-ignored).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
const port = Number(process.env.PORT ?? 8443);
// Where to listen: every interface (headsets on the LAN), or HOLOCT_HOST (the browser tests: 127.0.0.1).
const host = process.env.HOLOCT_HOST;
// The browser tests start the app with VITE_HOLOCT_TEST_HOOKS=true: a test build (window.__holoct,
// src/app/test-hooks.ts) in its own folder, so that `npm start` never serves it.
const outDir = process.env.VITE_HOLOCT_TEST_HOOKS === 'true' ? 'dist-test' : 'dist';

function ensureCertificate() {
  const dir = join(root, '.cert');
  if (existsSync(join(dir, 'cert.pem'))) return;
  mkdirSync(dir, { recursive: true });
  const ips = Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4').map((i) => i.address);
  const san = ['DNS:localhost', ...ips.map((ip) => `IP:${ip}`)].join(',');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '825',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-subj', '/CN=HoloCT local', '-addext', `subjectAltName=${san}`,
  ], { stdio: 'ignore' });
  console.log(`made a self-signed certificate in .cert/ (${san})`);
}

function newestMtime(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

function buildIfStale() {
  const inputs = ['src', 'index.html', 'models', 'assets', 'vite.config.ts', 'package.json'].filter((p) => existsSync(p));
  const index = join(outDir, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (built && Math.max(...inputs.map(newestMtime)) < built) return;
  console.log('building the app (first start or sources changed)…');
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { stdio: 'inherit' });
}

ensureCertificate();
buildIfStale();
const lan = Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4' && !i.internal).map((i) => i.address);
console.log(`\nHoloCT on https://localhost:${port}/`);
if (!host) for (const ip of lan) console.log(`headset on the same network: https://${ip}:${port}/  (accept the self-signed certificate once)`);
const server = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve-app.ts', '--port', String(port), '--out-dir', outDir, ...(host ? ['--host', host] : [])], { stdio: 'inherit' });
server.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
