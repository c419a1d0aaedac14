/**
 * A throw-away Orthanc (Debian's `orthanc` + `orthanc-dicomweb`) for the PACS tests: loopback only,
 * a free HTTP port (or $HOLOCT_ORTHANC_PORT), temp config and storage, no DICOM (DIMSE) port, no
 * authentication.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningOrthanc {
  /** REST root, e.g. http://127.0.0.1:40123 */
  restUrl: string;
  /** DICOMweb root (QIDO-RS / WADO-RS), e.g. http://127.0.0.1:40123/dicom-web */
  dicomWebUrl: string;
  /** Stores one DICOM Part 10 file through the REST API; returns Orthanc's instance id. */
  upload(bytes: Uint8Array, name: string): Promise<string>;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'install Debian\'s packages: apt-get install -y orthanc orthanc-dicomweb';

/** The Orthanc binary: $HOLOCT_ORTHANC, else /usr/sbin/Orthanc (Debian), else `Orthanc` on PATH. */
function orthancBinary(): string {
  if (process.env.HOLOCT_ORTHANC) return process.env.HOLOCT_ORTHANC;
  if (existsSync('/usr/sbin/Orthanc')) return '/usr/sbin/Orthanc';
  const which = spawnSync('sh', ['-c', 'command -v Orthanc'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error(`Orthanc is not installed: ${INSTALL_HINT}`);
}

/** The DICOMweb plugin: $HOLOCT_ORTHANC_DICOMWEB, else the .so that `dpkg -L orthanc-dicomweb` lists. */
function dicomWebPlugin(): string {
  if (process.env.HOLOCT_ORTHANC_DICOMWEB) return process.env.HOLOCT_ORTHANC_DICOMWEB;
  const listed = spawnSync('dpkg', ['-L', 'orthanc-dicomweb'], { encoding: 'utf8' });
  const files = listed.status === 0 ? listed.stdout.split('\n').filter((f) => /libOrthancDicomWeb\.so/.test(f) && existsSync(f)) : [];
  // Debian ships the real library in /usr/lib/orthanc and a link in /usr/share/orthanc/plugins.
  const plugin = files.find((f) => f.includes('/plugins/')) ?? files[0];
  if (!plugin) throw new Error(`the Orthanc DICOMweb plugin is not installed: ${INSTALL_HINT}`);
  return plugin;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

export async function startOrthanc(options: { timeoutMs?: number } = {}): Promise<RunningOrthanc> {
  const binary = orthancBinary();
  const plugin = dicomWebPlugin();
  const dir = await mkdtemp(join(tmpdir(), 'holoct-orthanc-'));
  // HOLOCT_ORTHANC_PORT pins the port (to keep parallel runs on one machine in their own ranges).
  const port = process.env.HOLOCT_ORTHANC_PORT ? Number(process.env.HOLOCT_ORTHANC_PORT) : await freePort();
  const config = {
    Name: 'HOLOCT_TEST',
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'storage'),
    StorageCompression: false,
    HttpServerEnabled: true,
    HttpPort: port,
    HttpDescribeErrors: true,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomServerEnabled: false,
    OrthancExplorerEnabled: false,
    WebDavEnabled: false,
    HttpThreadsCount: 8,
    Plugins: [plugin],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, Host: `127.0.0.1:${port}`, Ssl: false },
  };
  const configPath = join(dir, 'orthanc.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));

  const child: ChildProcess = spawn(binary, [configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (c: Buffer) => { log += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { log += c.toString(); });
  const restUrl = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await once(child, 'exit');
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  // Wait until both the REST API and the DICOMweb plugin answer.
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`Orthanc exited with ${child.exitCode} before answering:\n${log.slice(-3000)}`);
    }
    try {
      const system = await fetch(`${restUrl}/system`);
      const qido = await fetch(`${restUrl}/dicom-web/studies`, { headers: { Accept: 'application/dicom+json' } });
      if (system.ok && qido.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Orthanc did not answer on ${restUrl} within ${options.timeoutMs ?? 30_000} ms:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    restUrl,
    dicomWebUrl: `${restUrl}/dicom-web`,
    async upload(bytes, name) {
      const response = await fetch(`${restUrl}/instances`, { method: 'POST', body: bytes as Uint8Array<ArrayBuffer>, headers: { 'Content-Type': 'application/dicom' } });
      const text = await response.text();
      if (!response.ok) throw new Error(`Orthanc refused ${name}: HTTP ${response.status} ${text}`);
      const answer = JSON.parse(text) as { ID: string; Status: string };
      if (answer.Status !== 'Success' && answer.Status !== 'AlreadyStored') throw new Error(`Orthanc did not store ${name}: ${text}`);
      return answer.ID;
    },
    stop,
  };
}
