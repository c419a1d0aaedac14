/**
 * The team server on its own (tests, scale-out behind a load balancer, the benchmark):
 *   node --import tsx src/server/main.ts --port 9200 --data DIR [--host 127.0.0.1] [--redis host:port]
 *     [--tls-cert cert.pem --tls-key key.pem] [--ttl-ms N] [--sweep-ms N] [--max-message-bytes N]
 *     [--messages-per-second N] [--message-burst N] [--max-blob-bytes N] [--presence-tick-ms N]
 * Without --tls-cert it speaks plain HTTP/ws: for loopback only. `npm start` does not use this
 * file; it attaches the same server to the app's HTTPS origin (scripts/serve-app.ts).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { parseArgs } from 'node:util';
import type { TeamLimits } from './limits';
import { createStderrLog } from './log';
import { createTeamServer } from './team-server';

function fail(message: string): never {
  process.stderr.write(`team server: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, data: { type: 'string' },
    redis: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' },
    'ttl-ms': { type: 'string' }, 'sweep-ms': { type: 'string' }, 'max-message-bytes': { type: 'string' },
    'messages-per-second': { type: 'string' }, 'message-burst': { type: 'string' }, 'max-blob-bytes': { type: 'string' },
    'presence-tick-ms': { type: 'string' },
  },
});

function positive(name: keyof typeof values): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number, got "${String(text)}"`);
  return n;
}

const port = positive('port') ?? fail('--port N is required');
const dataDir = values.data ?? fail('--data DIR is required (rooms, documents and blobs live there)');
let redis: { host: string; port: number } | undefined;
if (values.redis) {
  const match = /^(.+):(\d+)$/.exec(values.redis);
  if (!match) fail(`--redis must be host:port, got "${values.redis}"`);
  redis = { host: match[1], port: Number(match[2]) };
}
if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) fail('--tls-cert and --tls-key go together');

const tickText = values['presence-tick-ms'];
const presenceTickMs = tickText === undefined ? undefined : Number(tickText);
if (presenceTickMs !== undefined && !(Number.isFinite(presenceTickMs) && presenceTickMs >= 0 && presenceTickMs <= 1000)) {
  fail(`--presence-tick-ms must be 0 (relay each change at once) to 1000, got "${tickText}"`);
}

const limits: Partial<TeamLimits> = {};
const set = (key: keyof TeamLimits, flag: keyof typeof values) => {
  const n = positive(flag);
  if (n !== undefined) limits[key] = n;
};
set('maxMessageBytes', 'max-message-bytes');
set('messagesPerSecond', 'messages-per-second');
set('messageBurst', 'message-burst');
set('maxBlobBytes', 'max-blob-bytes');

const log = createStderrLog();
process.on('unhandledRejection', (error) => log('unhandled-rejection', { reason: error instanceof Error ? error.name : 'unknown' }));

const team = await createTeamServer({ dataDir, redis, roomTtlMs: positive('ttl-ms'), sweepIntervalMs: positive('sweep-ms'), presenceTickMs, limits, log });
const notFound = (req: IncomingMessage, res: ServerResponse) => {
  if (team.handleRequest(req, res)) return;
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('HoloCT team server: the API is under /api/team/, the WebSocket at /sync\n');
};
const server = values['tls-cert']
  ? createHttpsServer({ cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key'] as string) }, notFound)
  : createHttpServer(notFound);
server.on('upgrade', (req, socket, head) => {
  if (!team.handleUpgrade(req, socket, head)) socket.destroy();
});
server.once('error', (error: NodeJS.ErrnoException) => fail(`cannot listen on ${values.host}:${port}: ${error.code ?? error.message}`));
server.listen(port, values.host, () => log('listening', { port }));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    // Stores pending documents; a Redis that is already gone must not hold the process forever.
    setTimeout(() => process.exit(0), 5000).unref();
    await team.close();
    server.close();
    process.exit(0);
  });
}
