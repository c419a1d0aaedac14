/**
 * DICOM RLE Lossless (1.2.840.10008.1.2.5), PS3.5 Annex G.
 *
 * A frame is a 64-byte header (16 little-endian uint32: the segment count, then up to 15 segment
 * offsets from the start of the header) followed by PackBits-coded segments. For 16-bit samples
 * segment 0 holds the most significant bytes and segment 1 the least significant ones; for colour,
 * each sample has its own segments. HoloCT only needs grayscale, but the decoder is general.
 */

export interface RleFrameSpec {
  rows: number;
  columns: number;
  /** 8, 16 or 32. */
  bitsAllocated: number;
  samplesPerPixel: number;
}

/**
 * Decode one RLE frame into interleaved samples: Uint8Array for 8-bit, Uint16Array for 16-bit
 * (host-order words), Uint32Array for 32-bit. Throws an Error with the reason on malformed input;
 * never reads or writes out of bounds.
 */
export function decodeRle(encoded: Uint8Array, spec: RleFrameSpec): Uint8Array | Uint16Array | Uint32Array {
  const bytesPerSample = spec.bitsAllocated / 8;
  if (!Number.isInteger(bytesPerSample) || bytesPerSample < 1 || bytesPerSample > 4 || bytesPerSample === 3) {
    throw new Error(`RLE: unsupported bits allocated ${spec.bitsAllocated}`);
  }
  const pixels = spec.rows * spec.columns;
  const expectedSegments = bytesPerSample * spec.samplesPerPixel;
  if (encoded.length < 64) throw new Error('RLE: frame shorter than its 64-byte header');
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segmentCount = view.getUint32(0, true);
  if (segmentCount !== expectedSegments) {
    throw new Error(`RLE: ${segmentCount} segments where ${expectedSegments} were expected`);
  }
  const offsets: number[] = [];
  for (let s = 0; s < segmentCount; s++) offsets.push(view.getUint32(4 + 4 * s, true));
  const segment = new Uint8Array(pixels);
  const total = pixels * spec.samplesPerPixel;
  const out =
    bytesPerSample === 1 ? new Uint8Array(total) : bytesPerSample === 2 ? new Uint16Array(total) : new Uint32Array(total);

  for (let s = 0; s < segmentCount; s++) {
    const start = offsets[s];
    const end = s + 1 < segmentCount ? offsets[s + 1] : encoded.length;
    if (start < 64 || start > encoded.length || end < start || end > encoded.length) {
      throw new Error(`RLE: segment ${s} offset ${start} lies outside the frame (${encoded.length} bytes)`);
    }
    unpackBits(encoded, start, end, segment);
    const sample = Math.floor(s / bytesPerSample);
    // Segment order within a sample is most significant byte first.
    const shift = 8 * (bytesPerSample - 1 - (s % bytesPerSample));
    const stride = spec.samplesPerPixel;
    if (bytesPerSample === 1) {
      for (let p = 0; p < pixels; p++) out[p * stride + sample] = segment[p];
    } else {
      for (let p = 0; p < pixels; p++) out[p * stride + sample] += segment[p] << shift >>> 0;
    }
  }
  return out;
}

/** PackBits: n in 0..127 copies n+1 literal bytes, n in -127..-1 repeats the next byte 1-n times. */
function unpackBits(src: Uint8Array, start: number, end: number, dst: Uint8Array): void {
  let i = start;
  let o = 0;
  const need = dst.length;
  while (o < need) {
    if (i >= end) throw new Error(`RLE: segment ends after ${o} of ${need} bytes`);
    const n = src[i++];
    if (n < 128) {
      const count = n + 1;
      if (i + count > end) throw new Error('RLE: literal run past the end of its segment');
      if (o + count > need) throw new Error('RLE: literal run past the end of the frame');
      dst.set(src.subarray(i, i + count), o);
      i += count;
      o += count;
    } else if (n > 128) {
      const count = 257 - n;
      if (i >= end) throw new Error('RLE: replicate run without its byte');
      if (o + count > need) throw new Error('RLE: replicate run past the end of the frame');
      dst.fill(src[i++], o, o + count);
      o += count;
    }
    // n === 128 is a no-op.
  }
}

/** Encode one segment with PackBits (used by tests and the synthetic-series generator). */
export function packBits(src: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < src.length) {
    let run = 1;
    while (i + run < src.length && run < 128 && src[i + run] === src[i]) run++;
    if (run >= 2) {
      out.push(257 - run, src[i]);
      i += run;
      continue;
    }
    const start = i;
    while (i < src.length && i - start < 128 && !(i + 1 < src.length && src[i + 1] === src[i])) i++;
    if (i === start) i++;
    out.push(i - start - 1);
    for (let k = start; k < i; k++) out.push(src[k]);
  }
  if (out.length % 2) out.push(128); // segments are padded to even length; 128 is a no-op
  return Uint8Array.from(out);
}

/** Encode a grayscale frame as DICOM RLE (tests, synthetic data). */
export function encodeRle(samples: Uint8Array | Uint16Array): Uint8Array {
  const bytesPerSample = samples instanceof Uint16Array ? 2 : 1;
  const segments: Uint8Array[] = [];
  for (let b = 0; b < bytesPerSample; b++) {
    const shift = 8 * (bytesPerSample - 1 - b);
    const plane = new Uint8Array(samples.length);
    for (let p = 0; p < samples.length; p++) plane[p] = (samples[p] >> shift) & 0xff;
    segments.push(packBits(plane));
  }
  const total = 64 + segments.reduce((n, s) => n + s.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((seg, s) => {
    view.setUint32(4 + 4 * s, offset, true);
    out.set(seg, offset);
    offset += seg.length;
  });
  return out;
}
