/**
 * Presence: where each member is and points, sent on the awareness channel (never in the shared
 * document) many times a second. Everything is in the ROOM frame, metres (see issue 8 §4): each
 * device maps it to its own world with its calibration, so a head seen by others sits where that
 * person stands in the real room (or, for a remote member, where they stand relative to their copy
 * of the hologram). Peers are untrusted: {@link parsePresence} bounds every field and drops what
 * does not fit. Pure: no DOM, Babylon or network.
 */

export type Vec3 = [number, number, number];
/** Unit quaternion x, y, z, w. */
export type Quat = [number, number, number, number];

export interface PresencePose {
  p: Vec3;
  q: Quat;
}

export interface PresenceRay {
  origin: Vec3;
  /** Unit direction. */
  direction: Vec3;
  /** Length to draw, m (to the hit, or a default reach). */
  length: number;
  /** A laser pointer on (select held / presenter pointing): drawn brighter. */
  active: boolean;
}

export type PresenceDevice = 'headset' | 'desktop';

export interface PresenceState {
  v: 1;
  /** Display name (≤ 40 characters). */
  name: string;
  /** "#rrggbb". */
  color: string;
  device: PresenceDevice;
  head?: PresencePose;
  /** Up to {@link MAX_HAND_POINTS} points per hand (wrist, finger tips…) or one controller position. */
  hands?: { left?: Vec3[]; right?: Vec3[] };
  ray?: PresenceRay;
  /**
   * This member's landmark pinches of the room calibration, in the room frame they define (2 or 3,
   * in order; 0.1 mm): the others compute the residual between members from them. Geometry of a
   * table's corners only.
   */
  landmarks?: Vec3[];
}

export const MAX_NAME_LENGTH = 40;
export const MAX_HAND_POINTS = 25;
export const MAX_LANDMARKS = 3;
/** Coordinates beyond this many metres from the room origin are refused (a room, not a city). */
export const MAX_COORDINATE_M = 100;
/** Publishing: at most this many messages per second… */
export const PRESENCE_MAX_HZ = 30;
/** …and the joint positions and head are rounded to this (1 mm) so an idle member sends nothing. */
const QUANTUM = 1000;

const COLOR = /^#[0-9a-f]{6}$/;

/** A palette of colours that stay apart on a grey room and on passthrough. */
export const MEMBER_COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#fabed4', '#469990'];

/** A stable colour for a client id (Yjs clientID). */
export function colorFor(clientId: number): string {
  return MEMBER_COLORS[Math.abs(clientId) % MEMBER_COLORS.length];
}

/** A member name as it may be shown: control and text-direction characters removed (no spoofed names), trimmed, bounded. */
export function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '').trim().slice(0, MAX_NAME_LENGTH);
  return clean || 'Guest';
}

const round = (x: number) => Math.round(x * QUANTUM) / QUANTUM;
/** Landmarks are compared to the millimetre, so they travel to 0.1 mm. */
const roundFine = (v: readonly number[]) => v.map((x) => Math.round(x * 10 * QUANTUM) / (10 * QUANTUM)) as Vec3;
const roundV = (v: readonly number[]) => v.map(round) as Vec3;
const roundQ = (q: readonly number[]) => q.map((x) => Math.round(x * 1e4) / 1e4) as Quat;

/** A message to publish, rounded (1 mm, 1e-4 on quaternions and directions) and bounded. */
export function buildPresence(input: Omit<PresenceState, 'v'>): PresenceState {
  const out: PresenceState = { v: 1, name: cleanName(input.name), color: COLOR.test(input.color) ? input.color : MEMBER_COLORS[0], device: input.device };
  if (input.head) out.head = { p: roundV(input.head.p), q: roundQ(input.head.q) };
  if (input.hands) {
    const hands: NonNullable<PresenceState['hands']> = {};
    if (input.hands.left?.length) hands.left = input.hands.left.slice(0, MAX_HAND_POINTS).map(roundV);
    if (input.hands.right?.length) hands.right = input.hands.right.slice(0, MAX_HAND_POINTS).map(roundV);
    if (hands.left || hands.right) out.hands = hands;
  }
  if (input.ray) {
    out.ray = { origin: roundV(input.ray.origin), direction: roundQ([...input.ray.direction, 0]).slice(0, 3) as Vec3, length: round(Math.min(Math.max(input.ray.length, 0), 20)), active: input.ray.active };
  }
  if (input.landmarks && input.landmarks.length >= 2) out.landmarks = input.landmarks.slice(0, MAX_LANDMARKS).map(roundFine);
  return out;
}

/** The presence of a peer, or undefined when it does not fit (wrong type, too long, out of the room). */
export function parsePresence(value: unknown): PresenceState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.v !== 1) return undefined;
  if (typeof m.name !== 'string' || m.name.length > MAX_NAME_LENGTH * 4) return undefined;
  if (typeof m.color !== 'string' || !COLOR.test(m.color)) return undefined;
  if (m.device !== 'headset' && m.device !== 'desktop') return undefined;
  const out: PresenceState = { v: 1, name: cleanName(m.name), color: m.color, device: m.device };
  if (m.head !== undefined) {
    const h = m.head as Record<string, unknown> | null;
    if (!h || !isPoint(h.p) || !isQuat(h.q)) return undefined;
    out.head = { p: [...h.p] as Vec3, q: [...h.q] as Quat };
  }
  if (m.hands !== undefined) {
    const h = m.hands as Record<string, unknown> | null;
    if (typeof h !== 'object' || h === null) return undefined;
    const hands: NonNullable<PresenceState['hands']> = {};
    for (const side of ['left', 'right'] as const) {
      const pts = h[side];
      if (pts === undefined) continue;
      if (!Array.isArray(pts) || pts.length > MAX_HAND_POINTS || !pts.every(isPoint)) return undefined;
      hands[side] = pts.map((p: Vec3) => [...p] as Vec3);
    }
    out.hands = hands;
  }
  if (m.ray !== undefined) {
    const r = m.ray as Record<string, unknown> | null;
    if (!r || !isPoint(r.origin) || !isVec(r.direction, 3) || typeof r.length !== 'number' || !(r.length >= 0 && r.length <= 20) || typeof r.active !== 'boolean') return undefined;
    const d = r.direction as number[];
    const n = Math.hypot(d[0], d[1], d[2]);
    if (!(n > 0.5 && n < 1.5)) return undefined;
    out.ray = { origin: [...r.origin] as Vec3, direction: [d[0] / n, d[1] / n, d[2] / n], length: r.length, active: r.active };
  }
  if (m.landmarks !== undefined) {
    const l = m.landmarks;
    if (!Array.isArray(l) || l.length < 2 || l.length > MAX_LANDMARKS || !l.every(isPoint)) return undefined;
    out.landmarks = l.map((p: Vec3) => [...p] as Vec3);
  }
  return out;
}

function isVec(v: unknown, n: number): v is number[] {
  return Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

function isPoint(v: unknown): v is Vec3 {
  return isVec(v, 3) && v.every((x) => Math.abs(x) <= MAX_COORDINATE_M);
}

function isQuat(v: unknown): v is Quat {
  if (!isVec(v, 4)) return false;
  const n = Math.hypot(v[0], v[1], v[2], v[3]);
  return n > 0.5 && n < 1.5;
}

/** Two messages that would look the same to peers (both already rounded by buildPresence). */
export function samePresence(a: PresenceState | undefined, b: PresenceState | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Decides when to publish: a changed message goes out at most {@link PRESENCE_MAX_HZ} times a
 * second; an unchanged one is not re-sent (awareness renews itself), so an idle member costs nothing
 * and a moving one is seen at 30 Hz, above the 20 Hz the issue asks.
 */
export class PresenceThrottle {
  private last?: PresenceState;
  /** The next send slot: slots are 1/maxHz apart, so a 72 Hz frame loop still sends 30 times a second. */
  private nextAt = -Infinity;

  constructor(private readonly maxHz = PRESENCE_MAX_HZ) {}

  /** True when `next` should be sent at time `nowMs`; then it becomes the last sent. */
  offer(next: PresenceState, nowMs: number): boolean {
    // 1 ms early is on time: a timer at exactly maxHz must not skip slots through rounding
    if (nowMs < this.nextAt - 1) return false;
    if (samePresence(next, this.last)) return false;
    const interval = 1000 / this.maxHz;
    // keep to the slot grid while sending steadily; after a pause, start a new grid (no burst)
    this.nextAt = nowMs - this.nextAt > interval ? nowMs + interval : this.nextAt + interval;
    this.last = next;
    return true;
  }
}
