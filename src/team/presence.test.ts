import { describe, expect, it } from 'vitest';
import { buildPresence, cleanName, colorFor, MAX_HAND_POINTS, parsePresence, PresenceThrottle, type PresenceState } from './presence';

const full = (): Omit<PresenceState, 'v'> => ({
  name: 'Dr. A',
  color: '#3cb44b',
  device: 'headset',
  head: { p: [0.10004, 1.6, -0.3], q: [0, 0.7071068, 0, 0.7071068] },
  hands: { left: [[0.2, 1.2, -0.4], [0.21, 1.21, -0.41]], right: [[-0.2, 1.2, -0.4]] },
  ray: { origin: [-0.2, 1.2, -0.4], direction: [0, 0, -1], length: 0.8, active: true },
  landmarks: [[0, 0, 0], [1.20004, 0.0021, 0], [1.2, -0.001, 0.70016]],
});

describe('presence message', () => {
  it('builds a rounded message that a peer parses back unchanged, well under 1 KB', () => {
    const msg = buildPresence(full());
    expect(msg.head!.p).toEqual([0.1, 1.6, -0.3]);
    expect(msg.head!.q).toEqual([0, 0.7071, 0, 0.7071]);
    expect(msg.landmarks).toEqual([[0, 0, 0], [1.2, 0.0021, 0], [1.2, -0.001, 0.7002]]); // 0.1 mm
    expect(parsePresence(JSON.parse(JSON.stringify(msg)))).toEqual(msg);
    expect(JSON.stringify(msg).length).toBeLessThan(400);
    // two full hands of 25 joints stay small too
    const hand = Array.from({ length: 40 }, (_, i) => [0.123456 + i / 100, 1.234567, -0.345678] as [number, number, number]);
    const big = buildPresence({ ...full(), hands: { left: hand, right: hand } });
    expect(big.hands!.left).toHaveLength(MAX_HAND_POINTS);
    expect(JSON.stringify(big).length).toBeLessThan(2500);
  });

  it('drops what does not fit: wrong types, out of the room, too many points, not unit', () => {
    const ok = buildPresence(full());
    const bad: [string, (m: any) => void][] = [
      ['version', (m) => (m.v = 2)],
      ['colour', (m) => (m.color = 'url(javascript:x)')],
      ['device', (m) => (m.device = 'toaster')],
      ['far head', (m) => (m.head.p = [1e6, 0, 0])],
      ['NaN', (m) => (m.head.p = [NaN, 0, 0])],
      ['quat', (m) => (m.head.q = [0, 0, 0, 0])],
      ['hand points', (m) => (m.hands.left = Array.from({ length: MAX_HAND_POINTS + 1 }, () => [0, 0, 0]))],
      ['hand point', (m) => (m.hands.right = [[0, 0]])],
      ['ray direction', (m) => (m.ray.direction = [0, 0, 0])],
      ['ray length', (m) => (m.ray.length = 1000)],
      ['long name', (m) => (m.name = 'x'.repeat(10_000))],
      ['one landmark', (m) => (m.landmarks = [[0, 0, 0]])],
      ['four landmarks', (m) => (m.landmarks = [[0, 0, 0], [1, 0, 0], [1, 0, 1], [0, 0, 1]])],
      ['far landmark', (m) => (m.landmarks[1] = [1e6, 0, 0])],
    ];
    for (const [what, edit] of bad) {
      const m = JSON.parse(JSON.stringify(ok));
      edit(m);
      expect(parsePresence(m), what).toBeUndefined();
    }
    expect(parsePresence(null)).toBeUndefined();
    expect(parsePresence('hi')).toBeUndefined();
  });

  it('names are cleaned and bounded; colours are stable per client', () => {
    expect(cleanName('  Ann\u0000\n\u202e ')).toBe('Ann');
    expect(cleanName('')).toBe('Guest');
    expect(cleanName('y'.repeat(100))).toHaveLength(40);
    expect(parsePresence({ ...buildPresence(full()), name: 'Bob\u0007' })!.name).toBe('Bob');
    expect(colorFor(7)).toBe(colorFor(7));
    expect(colorFor(7)).not.toBe(colorFor(8));
  });
});

describe('PresenceThrottle', () => {
  it('sends a moving member at 30 Hz from a 72 Hz (or 90 Hz) frame loop and an idle one not at all', () => {
    for (const hz of [90, 60, 30]) {
      const t = new PresenceThrottle();
      let n = 0;
      for (let f = 0; f < 2 * hz; f++) if (t.offer(buildPresence({ ...full(), head: { p: [f / 100, 1.6, 0], q: [0, 0, 0, 1] } }), (f * 1000) / hz)) n++;
      expect(n, `${hz} Hz frames`).toBeGreaterThanOrEqual(Math.min(hz, 30) * 2 - 1);
      expect(n, `${hz} Hz frames`).toBeLessThanOrEqual(61);
    }
    const throttle = new PresenceThrottle();
    let sent = 0;
    for (let frame = 0; frame < 72; frame++) {
      const now = (frame * 1000) / 72;
      const msg = buildPresence({ ...full(), head: { p: [frame / 100, 1.6, 0], q: [0, 0, 0, 1] } });
      if (throttle.offer(msg, now)) sent++;
    }
    // 30 slots in a second; the first frame at t = 0 takes slot 0
    expect(sent).toBeGreaterThanOrEqual(29);
    expect(sent).toBeLessThanOrEqual(31);
    const idle = buildPresence(full());
    expect(throttle.offer(idle, 2000)).toBe(true);
    let again = 0;
    for (let t = 2000; t < 3000; t += 14) if (throttle.offer(buildPresence(full()), t)) again++;
    expect(again).toBe(0);
  });
});
