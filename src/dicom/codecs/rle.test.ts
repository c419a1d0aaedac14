import { describe, expect, it } from 'vitest';
import { decodeRle, encodeRle, packBits } from './rle';

/** A DICOM RLE frame from raw segments (header + segments). */
function frame(segments: number[][]): Uint8Array {
  const total = 64 + segments.reduce((n, s) => n + s.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, segments.length, true);
  let o = 64;
  segments.forEach((s, i) => {
    view.setUint32(4 + 4 * i, o, true);
    out.set(s, o);
    o += s.length;
  });
  return out;
}

describe('RLE Lossless decoder (PS3.5 Annex G)', () => {
  it('decodes literal and replicate runs of an 8-bit frame', () => {
    // 2 literal bytes (n=1), then 3 × 0x07 (n=-2 → 254), then the no-op 128.
    const f = frame([[1, 0x0a, 0x0b, 254, 0x07, 128]]);
    expect(Array.from(decodeRle(f, { rows: 1, columns: 5, bitsAllocated: 8, samplesPerPixel: 1 }))).toEqual([0x0a, 0x0b, 7, 7, 7]);
  });

  it('puts segment 0 in the high byte and segment 1 in the low byte of 16-bit samples', () => {
    const f = frame([[1, 0x12, 0xfc], [1, 0x34, 0x18]]);
    const out = decodeRle(f, { rows: 1, columns: 2, bitsAllocated: 16, samplesPerPixel: 1 });
    expect(out).toBeInstanceOf(Uint16Array);
    expect(Array.from(out)).toEqual([0x1234, 0xfc18]);
    // 0xfc18 is -1000 as int16: the caller reinterprets by PixelRepresentation.
    expect(new Int16Array((out as Uint16Array).buffer)[1]).toBe(-1000);
  });

  it('round-trips an encoder-made frame with long runs and noise', () => {
    const samples = new Uint16Array(4096);
    for (let i = 0; i < samples.length; i++) samples[i] = i < 1000 ? 0 : i < 2000 ? (i * 7919) % 65536 : 1024 + (i % 3);
    const decoded = decodeRle(encodeRle(samples), { rows: 64, columns: 64, bitsAllocated: 16, samplesPerPixel: 1 });
    expect(Array.from(decoded)).toEqual(Array.from(samples));
  });

  it('packBits matches the classic Apple example', () => {
    const raw = [0xaa, 0xaa, 0xaa, 0x80, 0x00, 0x2a, 0xaa, 0xaa, 0xaa, 0xaa, 0x80, 0x00, 0x2a, 0x22, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa];
    const packed = packBits(Uint8Array.from(raw));
    const f = frame([Array.from(packed)]);
    expect(Array.from(decodeRle(f, { rows: 1, columns: raw.length, bitsAllocated: 8, samplesPerPixel: 1 }))).toEqual(raw);
  });

  it('rejects malformed frames with a reason instead of reading out of bounds', () => {
    const spec = { rows: 4, columns: 4, bitsAllocated: 16, samplesPerPixel: 1 };
    expect(() => decodeRle(new Uint8Array(10), spec)).toThrow(/64-byte header/);
    expect(() => decodeRle(frame([[0, 1]]), spec)).toThrow(/1 segments where 2/);
    expect(() => decodeRle(frame([[15, 1], [15, 1]]), spec)).toThrow(/literal run past the end/);
    expect(() => decodeRle(frame([[0, 2], [0, 2]]), spec)).toThrow(/segment ends after 1 of 16/);
    const bad = frame([[1, 2], [1, 2]]);
    new DataView(bad.buffer).setUint32(8, 9999, true);
    expect(() => decodeRle(bad, spec)).toThrow(/outside the frame/);
  });
});
