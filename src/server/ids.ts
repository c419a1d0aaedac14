import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Join codes use letters and digits that cannot be confused when read off a screen or typed on a headset (no I/L/1, O/0). */
export const JOIN_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const JOIN_CODE_LENGTH = 8;

/** 128 random bits, base64url (22 characters): a room id nobody can guess. */
export function newRoomId(): string {
  return randomBytes(16).toString('base64url');
}

/** 256 random bits, base64url (43 characters): authorises the WebSocket and every HTTP call of a room. */
export function newRoomSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function newJoinCode(): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

/** What a person typed ("abcd-efgh ") → the stored form ("ABCDEFGH"); undefined when it cannot be a join code. */
export function normalizeJoinCode(typed: string): string | undefined {
  const code = typed.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== JOIN_CODE_LENGTH) return undefined;
  for (const c of code) if (!JOIN_CODE_ALPHABET.includes(c)) return undefined;
  return code;
}

export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/** Constant-time comparison of a presented secret with the room's (hashing first makes the lengths equal). */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
