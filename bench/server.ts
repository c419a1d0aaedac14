/**
 * `npm run bench:server`: presence relay through the team server. N clients (Hocuspocus providers,
 * each its own Y.Doc) in one room send awareness updates at R Hz (a headset's presence as the app
 * builds it: head, two hands, pointer ray; ~300 bytes of JSON), each stamped with its send time;
 * every other client records send → receive time. Prints p50/p95/p99 relay latency (and a line
 * `p95 <N> ms`), messages/s, and the server processes' CPU and memory. A benchmark, not a test.
 *   npm run bench:server -- [--clients 50] [--seconds 60] [--rate 30] [--redis] [--client-processes 2]
 *     [--port 9260] [--redis-port 9291] [--presence-tick-ms N] [--stock-clients] [--cpu-prof <dir>]
 * --port: the first server's port (the second, with --redis, is the next one); --presence-tick-ms:
 * passed to the servers (0: Hocuspocus' own relay, one message per change, to compare);
 * --stock-clients: Hocuspocus' provider as it comes, which sends its peers' presence back to the
 * server (the app's TeamSession sends only its own, src/team/own-presence-only.ts); --cpu-prof:
 * the server and client processes write V8 CPU profiles into <dir> (open them in Chrome's DevTools).
 * --redis: two server processes sharing one data folder + one redis-server, clients split between them.
 * Clients run in child processes of this one (--client-processes, default 2), on the same machine:
 * their own CPU load is part of the measured latency (the report prints it).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HocuspocusProvider, type CompleteHocuspocusProviderWebsocketConfiguration, type HocuspocusProviderConfiguration } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { sendOwnPresenceOnly } from '../src/team/own-presence-only';
import { buildPresence, colorFor, type PresenceState } from '../src/team/presence';

/** Latency histogram: 0.05 ms bins up to 10 s. */
const BIN_MS = 0.05;
const BINS = 200_000;
const DEFAULT_PORT = 9260;
const DEFAULT_REDIS_PORT = 9291;

interface WorkerInput { urls: string[]; roomId: string; secret: string; clients: number; rateHz: number; warmupMs: number; stockClients: boolean }
/** Sent to every client process once all of them have connected and synced: the measured window. */
interface WorkerGo { startAt: number; endAt: number }
/** received: peer states seen changed; messages: WebSocket messages the clients got from the server. */
interface WorkerOutput { histogram: Uint32Array; sent: number; received: number; messages: number; cpuUs: number }

const nowMs = () => performance.timeOrigin + performance.now();

async function runClients(input: WorkerInput, ready: () => Promise<WorkerGo>): Promise<WorkerOutput> {
  const window: WorkerGo = { startAt: Infinity, endAt: -Infinity };
  const histogram = new Uint32Array(BINS);
  let sent = 0;
  let received = 0;
  let messages = 0;
  const inWindow = (t: number) => t >= window.startAt + input.warmupMs && t <= window.endAt;
  const providers: HocuspocusProvider[] = [];
  for (let i = 0; i < input.clients; i++) {
    const configuration: HocuspocusProviderConfiguration & Partial<CompleteHocuspocusProviderWebsocketConfiguration> = {
      url: input.urls[i % input.urls.length], name: input.roomId, token: input.secret, document: new Y.Doc(), WebSocketPolyfill: WebSocket,
    };
    const provider = new HocuspocusProvider(configuration);
    // As the app's TeamSession does, unless --stock-clients: then each client echoes its peers' presence.
    if (!input.stockClients) sendOwnPresenceOnly(provider);
    const awareness = provider.awareness!;
    provider.on('message', () => {
      if (inWindow(nowMs())) messages++;
    });
    awareness.on('change', ({ added, updated }: { added: number[]; updated: number[] }) => {
      const t = nowMs();
      if (!inWindow(t)) return;
      for (const id of [...added, ...updated]) {
        if (id === awareness.clientID) continue;
        const state = awareness.getStates().get(id) as { sentAt?: number } | undefined;
        if (state?.sentAt === undefined) continue;
        histogram[Math.min(BINS - 1, Math.max(0, Math.floor((t - state.sentAt) / BIN_MS)))]++;
        received++;
      }
    });
    providers.push(provider);
  }
  await waitUntil(() => providers.every((p) => p.isSynced), 120_000, 'clients to connect and sync');
  Object.assign(window, await ready());
  await new Promise((r) => setTimeout(r, Math.max(0, window.startAt - nowMs())));
  // Client CPU is measured over the same window as the server's: after the warm-up, until the end.
  let cpuStart = process.cpuUsage();
  const cpuStartTimer = setTimeout(() => (cpuStart = process.cpuUsage()), input.warmupMs);
  const periodMs = 1000 / input.rateHz;
  // Each client sends on its own phase within the period, as real headsets would.
  const timersInterval: NodeJS.Timeout[] = [];
  const timers = providers.map((provider, i) => {
    let seq = 0;
    const tick = () => {
      const t = nowMs();
      if (t > window.endAt) return;
      provider.awareness!.setLocalState({ sentAt: t, seq, presence: headsetPresence(i, seq++) });
      if (t >= window.startAt + input.warmupMs) sent++;
    };
    return setTimeout(() => {
      tick();
      timersInterval.push(setInterval(tick, periodMs));
    }, (i / providers.length) * periodMs);
  });
  await new Promise((r) => setTimeout(r, window.endAt - nowMs()));
  clearTimeout(cpuStartTimer);
  const cpu = process.cpuUsage(cpuStart);
  await new Promise((r) => setTimeout(r, 500));
  timers.forEach(clearTimeout);
  timersInterval.forEach(clearInterval);
  // ws throws an uncaught error when a socket is closed during its handshake (a provider reconnecting
  // after the server closed it): leave those to the process exit.
  providers.forEach((p) => {
    if (p.configuration.websocketProvider.status !== 'connecting') p.destroy();
  });
  return { histogram, sent, received, messages, cpuUs: cpu.user + cpu.system };
}

/** What the app publishes for a member in a headset (src/team/presence.ts): head, both hands, pointer ray; moving a little. */
function headsetPresence(member: number, seq: number): PresenceState {
  const a = (seq % 360) * (Math.PI / 180);
  const x = Math.cos(a + member) * 0.8;
  const z = Math.sin(a + member) * 0.8;
  return buildPresence({
    name: `Member ${member + 1}`, color: colorFor(member), device: 'headset',
    head: { p: [x, 1.65, z], q: [0, Math.sin(a / 2), 0, Math.cos(a / 2)] },
    hands: { left: [[x - 0.2, 1.2, z + 0.1]], right: [[x + 0.2, 1.25, z + 0.1]] },
    ray: { origin: [x + 0.2, 1.25, z + 0.1], direction: [-x, -0.5, -z], length: 0.8, active: seq % 60 < 10 },
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Everything each started process printed, by pid (the servers' JSON log: refusals are counted from it). */
const processOutput = new Map<number, string>();

function startProcess(command: string, args: string[], ready: string): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      processOutput.set(child.pid!, output);
      if (output.includes(ready)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready:\n${output}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 6000);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** CPU seconds (user + system) of a process so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

function percentile(histogram: Uint32Array, total: number, p: number): number {
  const target = Math.ceil(total * p);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i];
    if (seen >= target) return (i + 0.5) * BIN_MS;
  }
  return Number.POSITIVE_INFINITY;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '50' }, seconds: { type: 'string', default: '60' }, rate: { type: 'string', default: '30' },
      redis: { type: 'boolean', default: false }, 'client-processes': { type: 'string', default: '2' },
      port: { type: 'string', default: String(DEFAULT_PORT) }, 'redis-port': { type: 'string', default: String(DEFAULT_REDIS_PORT) },
      'cpu-prof': { type: 'string' }, 'presence-tick-ms': { type: 'string' }, 'stock-clients': { type: 'boolean', default: false },
    },
  });
  const clients = Number(values.clients);
  const seconds = Number(values.seconds);
  const rateHz = Number(values.rate);
  const threads = Math.max(1, Math.min(clients, Number(values['client-processes'])));
  const basePort = Number(values.port);
  const redisPort = Number(values['redis-port']);
  if (!(clients >= 2 && seconds > 0 && rateHz > 0)) throw new Error('bench: --clients ≥ 2, --seconds > 0 and --rate > 0');
  if (![basePort, redisPort].every((p) => Number.isInteger(p) && p > 0 && p < 65535)) throw new Error('bench: --port and --redis-port must be TCP ports');
  const profileArgs = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];

  const dataDir = mkdtempSync(join(tmpdir(), 'holoct-bench-server-'));
  const children: ChildProcess[] = [];
  try {
    if (values.redis) children.push(await startProcess('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], 'Ready to accept connections'));
    const servers = values.redis ? [basePort, basePort + 1] : [basePort];
    const serverProcesses: ChildProcess[] = [];
    for (const port of servers) {
      const child = await startProcess(process.execPath, [...profileArgs, '--import', 'tsx', 'src/server/main.ts', '--port', String(port), '--data', dataDir,
        ...(values.redis ? ['--redis', `127.0.0.1:${redisPort}`] : []),
        ...(values['presence-tick-ms'] !== undefined ? ['--presence-tick-ms', values['presence-tick-ms']] : [])], '"event":"listening"');
      children.push(child);
      serverProcesses.push(child);
    }
    const res = await fetch(`http://127.0.0.1:${servers[0]}/api/team/rooms`, { method: 'POST', body: JSON.stringify({ caseId: 'bench:presence' }) });
    const room = (await res.json()) as { roomId: string; secret: string };
    const urls = servers.map((port) => `ws://127.0.0.1:${port}/sync`);

    const warmupMs = 2000;
    const perThread = Array.from({ length: threads }, (_, i) => Math.floor(clients / threads) + (i < clients % threads ? 1 : 0));
    const workers: ChildProcess[] = [];
    const readyCount = { n: 0 };
    const results = perThread.map((n) => new Promise<WorkerOutput>((resolve, reject) => {
      const input: WorkerInput = { urls, roomId: room.roomId, secret: room.secret, clients: n, rateHz, warmupMs, stockClients: values['stock-clients'] };
      const worker = fork(new URL(import.meta.url).pathname, ['--clients-of-bench'], { execArgv: [...profileArgs, '--import', 'tsx'], serialization: 'advanced' });
      children.push(worker);
      workers.push(worker);
      worker.send(input);
      worker.on('message', (out: WorkerOutput | { ready: true }) => {
        if ('ready' in out) readyCount.n++;
        else resolve(out);
      });
      worker.once('exit', (code) => reject(new Error(`bench client process exited (${code})`)));
    }));
    // The window starts once every client has connected and synced (slow on a loaded machine).
    await Promise.race([waitUntil(() => readyCount.n === threads, 180_000, 'client processes to connect'), ...results]);
    const startAt = nowMs() + 1000;
    const endAt = startAt + warmupMs + seconds * 1000;
    const go: WorkerGo = { startAt, endAt };
    workers.forEach((w) => w.send(go));

    await new Promise((r) => setTimeout(r, Math.max(0, startAt + warmupMs - nowMs())));
    const cpuBefore = serverProcesses.map((c) => cpuSeconds(c.pid!));
    const measuredFrom = nowMs();
    await new Promise((r) => setTimeout(r, Math.max(0, endAt - nowMs())));
    const cpuAfter = serverProcesses.map((c) => cpuSeconds(c.pid!));
    const measuredS = (nowMs() - measuredFrom) / 1000;
    const memory = serverProcesses.map((c) => memoryMiB(c.pid!));
    const outputs = await Promise.all(results);

    const histogram = new Uint32Array(BINS);
    for (const o of outputs) for (let i = 0; i < BINS; i++) histogram[i] += o.histogram[i];
    const received = outputs.reduce((s, o) => s + o.received, 0);
    const sent = outputs.reduce((s, o) => s + o.sent, 0);
    const messages = outputs.reduce((s, o) => s + o.messages, 0);
    const clientCpu = outputs.reduce((s, o) => s + o.cpuUs, 0) / 1e6;
    const expected = sent * (clients - 1);
    const tick = values['presence-tick-ms'] === undefined ? 'default presence tick' : `--presence-tick-ms ${values['presence-tick-ms']}`;
    const clientKind = values['stock-clients'] ? 'stock Hocuspocus providers (echo peers\' presence)' : 'providers sending their own presence only (as the app)';
    const mode = `${values.redis ? '2 server processes + Redis (clients split between them)' : '1 server process'}, ${tick}, ${clientKind}`;

    console.log(`team server bench: ${clients} clients × ${rateHz} Hz presence, ${seconds} s measured after ${warmupMs / 1000} s warm-up, ${mode}`);
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, load average at the end ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`relay latency (send → other client's awareness change): p50 ${percentile(histogram, received, 0.5).toFixed(1)} ms, p95 ${percentile(histogram, received, 0.95).toFixed(1)} ms, p99 ${percentile(histogram, received, 0.99).toFixed(1)} ms, n = ${received}`);
    console.log(`p95 ${percentile(histogram, received, 0.95).toFixed(1)} ms`);
    console.log(`presence: ${(sent / seconds).toFixed(0)} updates/s sent to the server, ${(received / seconds).toFixed(0)} peer updates/s seen by clients (${((100 * received) / Math.max(1, expected)).toFixed(1)} % of sent × (clients − 1)), in ${(messages / seconds).toFixed(0)} WebSocket messages/s from the server`);
    serverProcesses.forEach((_, i) => {
      console.log(`server ${i + 1}: CPU ${((100 * (cpuAfter[i] - cpuBefore[i])) / measuredS).toFixed(0)} % of one core, RSS ${memory[i].rss.toFixed(0)} MiB (peak ${memory[i].peak.toFixed(0)} MiB)`);
    });
    // CPU time per unit of work does not depend on how much of the machine the bench got.
    const serverCpuS = cpuAfter.reduce((s, c, i) => s + c - cpuBefore[i], 0);
    console.log(`CPU per 1,000 peer updates seen: servers ${((1e6 * serverCpuS) / Math.max(1, received)).toFixed(1)} ms, clients ${((1e6 * clientCpu) / Math.max(1, received)).toFixed(1)} ms`);
    const refusals = new Map<string, number>();
    for (const c of serverProcesses) {
      for (const line of (processOutput.get(c.pid!) ?? '').split('\n')) {
        if (!line.startsWith('{')) continue;
        const event = JSON.parse(line) as { event?: string; reason?: string };
        if (event.event === 'ws-refused') refusals.set(event.reason ?? '?', (refusals.get(event.reason ?? '?') ?? 0) + 1);
      }
    }
    console.log(`connections the servers closed: ${refusals.size === 0 ? 'none' : [...refusals].map(([reason, n]) => `${n} × ${reason}`).join(', ')}`);
    console.log(`bench clients (${threads} processes): CPU ${((100 * clientCpu) / seconds).toFixed(0)} % of one core`);
  } finally {
    // Clients first, then servers (they store and leave Redis), then Redis.
    for (const child of children.reverse()) await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--clients-of-bench')) {
  process.once('message', async (input) => {
    const ready = () => new Promise<WorkerGo>((resolve) => {
      process.once('message', (go) => resolve(go as WorkerGo));
      process.send!({ ready: true });
    });
    const out = await runClients(input as WorkerInput, ready);
    process.send!(out, () => process.exit(0));
  });
} else {
  main().then(() => process.exit(0), (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
