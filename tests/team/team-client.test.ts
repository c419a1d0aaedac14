import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassInfo } from '../../src/segmentation/manifest';
import { extractSurfaces } from '../../src/surfaces/extract';
import { phantomLabelMap } from '../fixtures/synthetic-labels';
import { voxelSha256 } from '../../src/dicom/sha256';
import { buildCasePackage, type CasePackage } from '../../src/team/case-package';
import { RoomClient, RoomError } from '../../src/team/room-client';
import { TeamSession, type TeamSessionOptions } from '../../src/team/team-session';
import type { Volume } from '../../src/volume/types';
import { startServer, stopAll, tempDir, testPort, waitFor, type ServerProcess } from './harness';

/**
 * Issue 8 §3 and §5 end to end between two Node clients and a real team server on loopback: the
 * host publishes the case package, the joiner fetches and verifies it and rebuilds the case; both
 * see a cut change; presence of one reaches the other and disappears when it leaves; ending the
 * room ends it for the joiner with a reason. Its server listens on testPort(70).
 */
const CLASSES: ClassInfo[] = [
  { id: 1, name: 'liver', label: 'Liver', group: 'organ', color: '#a0522d', opacity: 0.6, sourceNames: [] },
  { id: 2, name: 'spine', label: 'Spine', group: 'bone', color: '#f0ead6', opacity: 1, sourceNames: [] },
];

async function phantomPackage(): Promise<{ pkg: CasePackage; volume: Volume }> {
  const labels = phantomLabelMap([48, 40, 32], 2, { spacing: [2, 2, 3], origin: [-40, -30, 50] });
  const volume: Volume = { dims: labels.dims, spacing: labels.spacing, origin: labels.origin, direction: labels.direction, data: new Int16Array(labels.data.length) };
  for (let i = 0; i < labels.data.length; i++) volume.data[i] = labels.data[i] === 0 ? -1000 : 60 + 400 * labels.data[i];
  const meshes = await extractSurfaces(labels, CLASSES, { maxTriangles: 3000, minTrianglesPerMesh: 100 });
  return { pkg: buildCasePackage({ volume, labels, meshes, classes: CLASSES, model: 'holoct test model' }, { maxCtVoxels: 20_000 }), volume };
}

describe('team client against the team server', () => {
  let server: ServerProcess;
  let options: TeamSessionOptions;

  beforeAll(async () => {
    server = await startServer({ port: testPort(70), dataDir: tempDir('teamclient') });
    options = { client: new RoomClient({ baseUrl: server.http }), syncUrl: server.ws, WebSocketPolyfill: WebSocket, packageTimeoutMs: 10_000 };
  });
  afterAll(() => stopAll());

  it('host publishes, joiner verifies and rebuilds the case; a cut, presence and the end of the room reach the other', async () => {
    const { pkg } = await phantomPackage();
    const host = await TeamSession.host(options, pkg);
    expect(host.room.joinCode).toMatch(/\S{4,}/);

    const blobCache = new Map<string, Promise<Uint8Array>>();
    const joiner = await TeamSession.join({ ...options, blobCache }, { code: host.room.joinCode! });
    expect(joiner.room.caseId).toBe(pkg.manifest.caseId);
    const opened = await joiner.loadCase();
    expect(opened.caseId).toBe(pkg.manifest.caseId);
    expect(opened.meshes.map((m) => m.name).sort()).toEqual(['liver', 'spine']);
    expect(opened.volume.dims[0] * opened.volume.dims[1] * opened.volume.dims[2]).toBeLessThanOrEqual(20_000);
    expect(blobCache.size).toBe(3);
    // loading again downloads nothing new
    await joiner.loadCase();
    expect(blobCache.size).toBe(3);

    // a cut made by the host reaches the joiner (the shared document; the state binding writes the same map)
    host.doc.getMap('cuts').set('axial', { normal: [0, 0, 1], offset: 12, showSlice: true });
    await waitFor('the cut on the joiner', () => (joiner.doc.getMap('cuts').get('axial') as { offset?: number } | undefined)?.offset === 12);
    joiner.doc.getMap('cuts').set('axial', { normal: [0, 0, 1], offset: -4, showSlice: true });
    await waitFor('the joiner\'s change on the host', () => (host.doc.getMap('cuts').get('axial') as { offset?: number } | undefined)?.offset === -4);

    // presence: the joiner's head and ray reach the host, in the room frame, validated
    const sent = joiner.publishPresence({ name: 'Resident', device: 'headset', head: { p: [0.5, 1.6, -1], q: [0, 0, 0, 1] }, ray: { origin: [0.4, 1.3, -0.9], direction: [0, 0, -1], length: 0.7, active: true } }, 0);
    expect(sent).toBe(true);
    await waitFor('the joiner on the host', () => host.members().some((m) => !m.self && m.presence?.name === 'Resident'));
    const seen = host.members().find((m) => !m.self)!;
    expect(seen.presence!.head!.p).toEqual([0.5, 1.6, -1]);
    expect(seen.presence!.color).toBe(joiner.color);

    // presenter mode: the host presents; the joiner learns who and can follow the host's head and pointer
    const presenterSeen = new Promise<string | null>((resolve) => joiner.onPresenter.add(resolve));
    host.publishPresence({ name: 'Lead surgeon', device: 'desktop', head: { p: [0, 1.7, 1], q: [0, 1, 0, 0] } }, 0);
    host.setPresenting(true);
    expect(await presenterSeen).toBe(host.memberId);
    await waitFor('the presenter\'s presence on the joiner', () => joiner.presenterMember()?.presence?.name === 'Lead surgeon');
    joiner.setPresenting(false); // only the presenter can stop presenting
    expect(host.presenter).toBe(host.memberId);

    // leaving: the joiner disappears from the host's members at once (not after the 30 s timeout)
    const left = Date.now();
    joiner.leave();
    await waitFor('the joiner to disappear', () => host.members().every((m) => m.self || m.presence?.name !== 'Resident'), 5_000);
    expect(Date.now() - left).toBeLessThan(5_000);

    // a second joiner by link (room id + secret) sees the case; then the host ends the room for everyone
    const second = await TeamSession.join(options, { roomId: host.room.roomId, secret: host.room.secret });
    const ended = new Promise<string>((resolve) => second.onEnded.add(resolve));
    await host.endForEveryone();
    expect(await ended).toMatch(/ended/);
    await expect(options.client.getRoom(host.room.roomId, host.room.secret)).rejects.toThrow(RoomError);
  });

  it('a joiner who reaches the host\'s PACS takes the full-resolution CT from there, only when its voxels are the case\'s', async () => {
    const labels = phantomLabelMap([48, 40, 32], 2, { spacing: [2, 2, 3], origin: [-40, -30, 50] });
    const { volume } = await phantomPackage();
    const meshes = await extractSurfaces(labels, CLASSES, { maxTriangles: 3000, minTrianglesPerMesh: 100 });
    const pacs = { studyInstanceUID: '1.2.826.0.1.3680043.8.498.1', seriesInstanceUID: '1.2.826.0.1.3680043.8.498.1.2' };
    const pkg = buildCasePackage({ volume, labels, meshes, classes: CLASSES, model: 'holoct test model' }, { maxCtVoxels: 20_000, pacs });
    expect(pkg.manifest.ctDownsample.some((f) => f > 1)).toBe(true); // the host's copy is downsampled
    const host = await TeamSession.host(options, pkg);
    const asked: unknown[] = [];
    const full = { ...volume, data: volume.data as Int16Array };

    // the same series: the full-resolution CT, and the host's CT blob is never downloaded
    const blobCache = new Map<string, Promise<Uint8Array>>();
    const joiner = await TeamSession.join({ ...options, blobCache }, { roomId: host.room.roomId, secret: host.room.secret });
    const fromPacs = await joiner.loadCase({ ctFromPacs: async (series) => (asked.push(series), { volume: full, voxelSha256: voxelSha256(full) }) });
    expect(asked).toEqual([pacs]);
    expect(fromPacs.ctSource).toBe('pacs');
    expect(fromPacs.ctNote).toBeUndefined();
    expect(fromPacs.volume.dims).toEqual(volume.dims);
    expect(blobCache.has(pkg.manifest.blobs.ct.sha256)).toBe(false);
    expect(fromPacs.meshes.map((m) => m.name).sort()).toEqual(['liver', 'spine']);

    // another series (one voxel differs): refused, the host's copy is shown, and the note says why
    const other = { ...full, data: full.data.slice() };
    other.data[123] += 1;
    const refused = await joiner.loadCase({ ctFromPacs: async () => ({ volume: other, voxelSha256: voxelSha256(other) }) });
    expect(refused.ctSource).toBe('host');
    expect(refused.ctNote).toMatch(/not the CT the host segmented/);
    expect(refused.volume.dims).not.toEqual(volume.dims);

    // the PACS fails: the host's copy, with the reason
    const failed = await joiner.loadCase({ ctFromPacs: async () => { throw new Error('PACS answered 404'); } });
    expect(failed.ctSource).toBe('host');
    expect(failed.ctNote).toMatch(/could not be taken from the PACS \(PACS answered 404\)/);

    // the PACS never answers: the host's copy after the time-out, with the reason
    let aborted = false;
    const hung = await joiner.loadCase({ ctFromPacs: (_series, signal) => new Promise(() => signal?.addEventListener('abort', () => (aborted = true))), pacsTimeoutMs: 300 });
    expect(hung.ctSource).toBe('host');
    expect(aborted).toBe(true); // the retrieval is told to stop
    expect(hung.ctNote).toMatch(/could not be taken from the PACS \(no answer within 300 ms\)/);
    joiner.leave();
    await host.endForEveryone();
  });

  it('refusals reach the user as clear messages', async () => {
    await expect(TeamSession.join(options, { code: 'WRONG123' })).rejects.toThrow(/code is wrong, or the session has ended or expired/);
    const { pkg } = await phantomPackage();
    const host = await TeamSession.host(options, pkg);
    await expect(TeamSession.join(options, { roomId: host.room.roomId, secret: 'not-the-secret' })).rejects.toThrow(/server refused it \(server: wrong room secret\)/);
    await host.endForEveryone();
  });
});
