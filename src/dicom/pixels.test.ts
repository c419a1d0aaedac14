import { describe, expect, it } from 'vitest';
import { defaultCodecRegistry } from './codecs/registry';
import { parseHeader } from './header';
import { decodeFrameToInt16, decodeRawFrame, rawToHu, storedToInt16 } from './pixels';
import { makeSyntheticCtSlice } from '../../tests/fixtures/synthetic-dicom';

/** The three-pass reference: stored words → float32 HU → rounded, clamped Int16. */
function reference(raw: ArrayLike<number>, format: Parameters<typeof rawToHu>[1], rescale: Parameters<typeof rawToHu>[2]): Int16Array {
  const hu = new Float32Array(raw.length);
  rawToHu(raw as Uint32Array, format, rescale, hu);
  return Int16Array.from(hu, (h) => Math.min(32767, Math.max(-32768, Math.round(h))));
}

describe('one-pass stored values → Int16 HU', () => {
  it('equals float HU then rounding, for every bit depth, sign and rescale', () => {
    let seed = 3;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const words = Uint32Array.from({ length: 4096 }, () => Math.floor(rand() * 2 ** 32));
    for (const bitsStored of [8, 12, 13, 16, 31, 32]) for (const pixelRepresentation of [0, 1]) {
      for (const [rescaleSlope, rescaleIntercept] of [[1, -1024], [1, 0], [0.5, -1000.25], [2.5, 17], [1, -1024.5], [1e-3, 3]]) {
        const format = { bitsStored, bitsAllocated: bitsStored <= 8 ? 8 : bitsStored <= 16 ? 16 : 32, pixelRepresentation };
        const raw = format.bitsAllocated === 32 ? words : format.bitsAllocated === 16 ? Uint16Array.from(words, (w) => w & 0xffff) : Uint8Array.from(words, (w) => w & 0xff);
        const out = new Int16Array(raw.length + 5);
        storedToInt16(raw, format, { rescaleSlope, rescaleIntercept }, out, 5, raw.length);
        const expected = reference(raw, format, { rescaleSlope, rescaleIntercept });
        expect(Array.from(out.subarray(5)), `${bitsStored} bits, signed ${pixelRepresentation}, ${rescaleSlope}/${rescaleIntercept}`).toEqual(Array.from(expected));
      }
    }
  });

  it('decodes a native slice from the file bytes like the raw-frame path, at an odd byte offset too', async () => {
    const codecs = defaultCodecRegistry();
    for (const shift of [0, 1]) {
      const file = makeSyntheticCtSlice([64, 48, 10], [0.7, 0.7, 1], 4, { rescaleSlope: 0.5, rescaleIntercept: -1024 });
      // The same bytes placed at an odd offset inside a larger buffer (a view, as a Node Buffer slice can be).
      const holder = new Uint8Array(file.bytes.length + shift);
      holder.set(file.bytes, shift);
      const shifted = { ...file, bytes: holder.subarray(shift) };
      const { header, dataSet } = parseHeader(shifted);
      const rescale = { rescaleSlope: 0.5, rescaleIntercept: -1024 };
      const out = new Int16Array(64 * 48);
      await decodeFrameToInt16(dataSet, header, rescale, 0, codecs, out, 0);
      const raw = await decodeRawFrame(dataSet, header, 0, codecs);
      expect(Array.from(out)).toEqual(Array.from(reference(raw, header, rescale)));
      expect(new Set(out).size).toBeGreaterThan(1);
    }
  });
});
