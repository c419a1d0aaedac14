/**
 * The app's HTTPS server for `npm start` (scripts/start.mjs runs this file): Vite's preview of dist/
 * (COOP/COEP headers, the /dicomweb proxy, from vite.config.ts) with the team sync server attached
 * on the same origin: WebSocket wss://<host>:<port>/sync and HTTP /api/team/, so a headset needs one
 * address and one certificate.
 *   node --import tsx scripts/serve-app.ts --port 8443 [--host 127.0.0.1]
 * (every interface by default: headsets on the LAN must reach it)
 * Environment: HOLOCT_TEAM_DATA (default .holoct-data/team: rooms, documents, blobs),
 * HOLOCT_TEAM_REDIS=host:port (scale-out), HOLOCT_TEAM_TTL_MIN (idle minutes before a room is deleted, default 720).
 */
import { parseArgs } from 'node:util';
import { preview, type Plugin } from 'vite';
import { createTeamServer, SYNC_PATH, type TeamServer } from '../src/server/team-server';

function fail(message: string): never {
  process.stderr.write(`serve-app: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({ options: { port: { type: 'string', default: '8443' }, host: { type: 'string' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0) fail(`--port must be a port number, got "${values.port}"`);

let redis: { host: string; port: number } | undefined;
if (process.env.HOLOCT_TEAM_REDIS) {
  const match = /^(.+):(\d+)$/.exec(process.env.HOLOCT_TEAM_REDIS);
  if (!match) fail(`HOLOCT_TEAM_REDIS must be host:port, got "${process.env.HOLOCT_TEAM_REDIS}"`);
  redis = { host: match[1], port: Number(match[2]) };
}
const ttlMinutes = Number(process.env.HOLOCT_TEAM_TTL_MIN ?? 720);
if (!(ttlMinutes > 0)) fail(`HOLOCT_TEAM_TTL_MIN must be a positive number of minutes, got "${process.env.HOLOCT_TEAM_TTL_MIN}"`);

const team = await createTeamServer({ dataDir: process.env.HOLOCT_TEAM_DATA ?? '.holoct-data/team', redis, roomTtlMs: ttlMinutes * 60_000 });

/** Attaches the team server before Vite's own middlewares (its SPA fallback would answer /api/team/ otherwise). */
function teamServerPlugin(server: TeamServer): Plugin {
  return {
    name: 'holoct-team-server',
    configurePreviewServer(preview) {
      preview.middlewares.use((req, res, next) => {
        if (!server.handleRequest(req, res)) next();
      });
      preview.httpServer.on('upgrade', (req, socket, head) => {
        server.handleUpgrade(req, socket, head);
      });
    },
  };
}

const app = await preview({ preview: { port, strictPort: true, host: values.host ?? true }, plugins: [teamServerPlugin(team)] });
const scheme = app.config.preview.https ? 'https' : 'http';
console.log(`team sessions on the same origin: ${scheme === 'https' ? 'wss' : 'ws'}://<this host>:${port}${SYNC_PATH} (rooms API under /api/team/)`);
app.printUrls();

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await team.close();
    await app.close();
    process.exit(0);
  });
}
