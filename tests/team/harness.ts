/**
 * Real processes on loopback for the team tests: team servers (`src/server/main.ts`), one Redis,
 * and Hocuspocus provider clients in Node, each with its own Y.Doc. Everything started here is
 * registered and stopped by `stopAll()` (call it in afterAll/afterEach).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HocuspocusProvider, type CompleteHocuspocusProviderWebsocketConfiguration, type HocuspocusProviderConfiguration } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';

const root = new URL('../..', import.meta.url).pathname;

/**
 * The suite's ports are base + offset, offsets 0–99 (default base 9200; Redis at +90):
 * HOLOCT_TEAM_TEST_PORT_BASE moves them, for a second checkout testing on the same machine.
 */
export function testPort(offset: number): number {
  const base = Number(process.env.HOLOCT_TEAM_TEST_PORT_BASE ?? 9200);
  if (!Number.isInteger(base) || base < 1024 || base > 65_000) throw new Error(`HOLOCT_TEAM_TEST_PORT_BASE must be a port number from 1024 to 65000, got "${process.env.HOLOCT_TEAM_TEST_PORT_BASE}"`);
  return base + offset;
}
const cleanups: Array<() => Promise<void> | void> = [];

export async function stopAll(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!();
}

export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `holoct-team-${label}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill(signal);
  });
}

/** Debian's redis-server on loopback, nothing saved to disk. */
export async function startRedis(port: number): Promise<{ port: number }> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => stopProcess(child));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor('redis-server to accept connections', () => out.includes('Ready to accept connections') || child.exitCode !== null, 10_000);
  if (child.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
  return { port };
}

export interface ServerProcess {
  port: number;
  http: string;
  ws: string;
  /** Everything the process wrote to stderr (its JSON log) and stdout. */
  logs(): string;
  events(): Array<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start again on the same port and data folder. */
  restart(): Promise<void>;
}

export interface ServerArgs {
  port: number;
  dataDir: string;
  redisPort?: number;
  extra?: string[];
}

export async function startServer(args: ServerArgs): Promise<ServerProcess> {
  let child: ChildProcess;
  let output = '';
  const launch = async () => {
    const argv = ['--import', 'tsx', 'src/server/main.ts', '--port', String(args.port), '--data', args.dataDir,
      ...(args.redisPort ? ['--redis', `127.0.0.1:${args.redisPort}`] : []), ...(args.extra ?? [])];
    child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const mine = child;
    cleanups.push(() => stopProcess(mine));
    const started = output.length;
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(`team server on port ${args.port}`, () => output.slice(started).includes('"event":"listening"') || mine.exitCode !== null, 30_000);
    if (mine.exitCode !== null) throw new Error(`team server exited (${mine.exitCode}):\n${output}`);
  };
  await launch();
  return {
    port: args.port,
    http: `http://127.0.0.1:${args.port}`,
    ws: `ws://127.0.0.1:${args.port}/sync`,
    logs: () => output,
    events: () => output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    kill: (signal = 'SIGTERM') => stopProcess(child, signal),
    restart: launch,
  };
}

export interface OpenedRoom {
  roomId: string;
  secret: string;
  joinCode: string;
  expiresAt: string;
}

export async function openRoom(server: { http: string }, caseId = 'sha256-0f3a:holoct-seg-v3'): Promise<OpenedRoom> {
  const res = await fetch(`${server.http}/api/team/rooms`, { method: 'POST', body: JSON.stringify({ caseId }) });
  if (res.status !== 201) throw new Error(`opening a room answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as OpenedRoom;
}

/** A member: its own Y.Doc with the minimal layout (Y.Map 'cuts', Y.Map 'structures') and a provider. */
export interface Member {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  cuts: Y.Map<unknown>;
  structures: Y.Map<unknown>;
  authFailure(): string | undefined;
  /** The reason of the last close the server sent for this document (e.g. the room was closed). */
  closeReason(): string | undefined;
  synced(): Promise<void>;
}

export function connectMember(url: string, roomId: string, token: string | undefined, doc = new Y.Doc()): Member {
  let failure: string | undefined;
  let closeReason: string | undefined;
  // The provider passes the socket options (polyfill, reconnect delays) on to the socket it makes.
  const configuration: HocuspocusProviderConfiguration & Partial<CompleteHocuspocusProviderWebsocketConfiguration> = {
    url,
    name: roomId,
    document: doc,
    token: token ?? null,
    WebSocketPolyfill: WebSocket,
    // Reconnect quickly: tests restart servers and wait for members to come back by themselves.
    delay: 100,
    minDelay: 100,
    maxDelay: 500,
    factor: 1.5,
    onAuthenticationFailed: ({ reason }) => (failure = reason),
    onClose: ({ event }) => (closeReason = event.reason),
  };
  const provider = new HocuspocusProvider(configuration);
  cleanups.push(async () => {
    // ws rejects a close during its handshake with an error the provider does not catch: let a reconnect attempt finish first.
    await waitFor('a reconnect attempt to finish', () => provider.configuration.websocketProvider.status !== 'connecting', 3000).catch(() => undefined);
    provider.destroy();
  });
  return {
    doc,
    provider,
    cuts: doc.getMap('cuts'),
    structures: doc.getMap('structures'),
    authFailure: () => failure,
    closeReason: () => closeReason,
    synced: () => waitFor(`member of ${roomId.slice(0, 6)}… to sync`, () => provider.isSynced && !provider.hasUnsyncedChanges, 15_000),
  };
}

/** The JSON of a member's shared maps, for comparing members. */
export function snapshot(member: Member): string {
  const sorted = (m: Y.Map<unknown>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ cuts: sorted(member.cuts), structures: sorted(member.structures) });
}

/** A bare WebSocket to send frames no provider would send. */
export interface RawSocket {
  socket: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
  received: Uint8Array[];
}

export async function rawSocket(url: string): Promise<RawSocket> {
  const socket = new WebSocket(url);
  cleanups.push(() => socket.terminate());
  const received: Uint8Array[] = [];
  socket.on('message', (data: Buffer) => received.push(new Uint8Array(data)));
  socket.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed, received };
}

/** `scripts/serve-app.ts` (what `npm start` runs) over plain HTTP on loopback, data in `dataDir`. */
export async function startAppServer(port: number, dataDir: string): Promise<{ http: string; ws: string; logs(): string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve-app.ts', '--port', String(port), '--host', '127.0.0.1'], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOLOCT_HTTP: '1', HOLOCT_TEAM_DATA: dataDir },
  });
  cleanups.push(() => stopProcess(child));
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(`the app server on port ${port}`, () => output.includes('team sessions on the same origin') || child.exitCode !== null, 30_000);
  if (child.exitCode !== null) throw new Error(`serve-app exited (${child.exitCode}):\n${output}`);
  return { http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/sync`, logs: () => output };
}
