import { afterAll, describe, expect, it } from 'vitest';
import { connectMember, openRoom, snapshot, startAppServer, stopAll, tempDir, testPort, waitFor } from './harness';

afterAll(stopAll);

describe('npm start serves the team server on the app\'s origin', () => {
  it('answers /api/team/ and /sync on the app\'s port, and leaves other paths to the app', async () => {
    const app = await startAppServer(testPort(50), tempDir('app'));
    const room = await openRoom(app);
    const a = connectMember(app.ws, room.roomId, room.secret);
    const b = connectMember(app.ws, room.roomId, room.secret);
    await Promise.all([a.synced(), b.synced()]);
    a.cuts.set('a:1', { normal: [0, 1, 0], offsetMm: 2 });
    await waitFor('the edit to reach b', () => snapshot(a) === snapshot(b) && b.cuts.size === 1);

    const unknown = await fetch(`${app.http}/api/team/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/json');
    // Not ours: Vite's preview answers (a 404 page or the app, depending on whether dist/ is built).
    const page = await fetch(`${app.http}/index.html`);
    expect(page.headers.get('content-type') ?? '').not.toContain('application/json');
    expect(page.headers.get('cache-control')).not.toBe('no-store');
  });
});
