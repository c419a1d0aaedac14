import { describe, expect, it } from 'vitest';
import { sha256Hex, Sha256, voxelSha256 } from './sha256';

const text = (s: string) => new TextEncoder().encode(s);

describe('sha256 (FIPS 180-4 test vectors)', () => {
  it('hashes the standard vectors', () => {
    expect(sha256Hex(text(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(text('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('gives the same digest however the input is split', () => {
    const data = new Uint8Array(1000).map((_, i) => (i * 31) & 0xff);
    const whole = sha256Hex(data);
    const h = new Sha256();
    for (let o = 0; o < data.length; o += 37) h.update(data.subarray(o, o + 37));
    expect(h.hex()).toBe(whole);
    expect(sha256Hex(new Uint8Array(1_000_000).fill(0x61))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('voxelSha256 hashes HU as little-endian int16, rounding float data', () => {
    const ints = new Int16Array([-1024, 0, 1, 300, -3024]);
    const bytes = new Uint8Array([0x00, 0xfc, 0, 0, 1, 0, 0x2c, 0x01, 0x30, 0xf4]);
    expect(voxelSha256({ data: ints })).toBe(sha256Hex(bytes));
    expect(voxelSha256({ data: new Float32Array([-1024.2, 0.4, 0.6, 299.5, -3024]) })).toBe(sha256Hex(bytes));
  });
});
