import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { JOIN_CODE_ALPHABET, newJoinCode, newRoomId, newRoomSecret, normalizeJoinCode, ROOM_ID_PATTERN, secretsEqual } from './ids';
import { roomOf } from './socket-guard';

describe('room ids, secrets and join codes', () => {
  it('draws ids of the documented shape and strength', () => {
    expect(newRoomId()).toMatch(ROOM_ID_PATTERN);
    expect(Buffer.from(newRoomSecret(), 'base64url')).toHaveLength(32);
    const code = newJoinCode();
    expect(code).toHaveLength(8);
    for (const c of code) expect(JOIN_CODE_ALPHABET).toContain(c);
    expect(JOIN_CODE_ALPHABET).not.toMatch(/[IL1O0]/);
  });

  it('reads a typed join code the way people type it, and refuses what cannot be one', () => {
    expect(normalizeJoinCode(' abcd-efgh ')).toBe('ABCDEFGH');
    expect(normalizeJoinCode('ABCD EFGH')).toBe('ABCDEFGH');
    expect(normalizeJoinCode('ABCDEFG')).toBeUndefined();
    expect(normalizeJoinCode('ABCDEFG0')).toBeUndefined();
  });

  it('compares secrets', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abd')).toBe(false);
    expect(secretsEqual('', 'abc')).toBe(false);
  });
});

describe('roomOf (the header of a Hocuspocus frame)', () => {
  const frame = (name: string, type: number) => {
    const e = encoding.createEncoder();
    encoding.writeVarString(e, name);
    encoding.writeVarUint(e, type);
    return encoding.toUint8Array(e);
  };
  it('names the room of a well-formed frame and refuses the rest', () => {
    const id = newRoomId();
    expect(roomOf(frame(id, 0))).toBe(id);
    expect(roomOf(frame(id, 8))).toBe(id);
    expect(roomOf(frame(id, 9))).toBeUndefined();
    expect(roomOf(frame('not a room id', 0))).toBeUndefined();
    expect(roomOf(new Uint8Array([0xff, 0xff, 0xff]))).toBeUndefined();
    expect(roomOf(new Uint8Array(0))).toBeUndefined();
  });
});
