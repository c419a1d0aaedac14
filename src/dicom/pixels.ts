/**
 * Pixel data of one frame → Hounsfield units.
 *
 * Native (uncompressed) data is read in place; encapsulated data is assembled from its fragments
 * and handed to a codec. Stored values are masked / sign-extended to BitsStored, then mapped with
 * the frame's RescaleSlope / RescaleIntercept. `decodeFrameToInt16` does it all in one pass into
 * the volume's Int16 HU (16-bit native data straight from the file bytes, without a copy).
 */
import type { DataSet, Element } from 'dicom-parser';
import type { FileHeader, FrameHeader } from './header';
import { TS } from './header';
import type { CodecRegistry, FrameSpec, RawFrame } from './codecs/registry';
import { NATIVE_TRANSFER_SYNTAXES } from './codecs/registry';

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function frameSpecOf(header: FileHeader): FrameSpec {
  return {
    rows: header.rows,
    columns: header.columns,
    bitsAllocated: header.bitsAllocated,
    bitsStored: header.bitsStored,
    pixelRepresentation: header.pixelRepresentation,
    samplesPerPixel: header.samplesPerPixel,
  };
}

/** Native pixel data of frame `f`, as words in host order. */
function nativeFrame(ds: DataSet, el: Element, header: FileHeader, f: number): RawFrame {
  const pixels = header.rows * header.columns * header.samplesPerPixel;
  const bytesPerSample = header.bitsAllocated / 8;
  const frameBytes = pixels * bytesPerSample;
  const start = el.dataOffset + f * frameBytes;
  const available = Math.min(el.length, ds.byteArray.length - el.dataOffset) - f * frameBytes;
  if (available < frameBytes) {
    throw new Error(`pixel data truncated: frame ${f + 1} needs ${frameBytes} bytes, ${Math.max(0, available)} present`);
  }
  // Copy (new Uint8Array(view)): a Node Buffer's slice() would be a view, not a copy.
  const bytes = new Uint8Array(ds.byteArray.subarray(start, start + frameBytes));
  const bigEndian = header.transferSyntaxUID === TS.explicitBE;
  if (bytesPerSample === 1) return bytes;
  if (bigEndian === HOST_LITTLE_ENDIAN) {
    if (bytesPerSample === 2) {
      for (let i = 0; i + 1 < bytes.length; i += 2) {
        const t = bytes[i];
        bytes[i] = bytes[i + 1];
        bytes[i + 1] = t;
      }
    } else {
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        let t = bytes[i];
        bytes[i] = bytes[i + 3];
        bytes[i + 3] = t;
        t = bytes[i + 1];
        bytes[i + 1] = bytes[i + 2];
        bytes[i + 2] = t;
      }
    }
  }
  return bytesPerSample === 2 ? new Uint16Array(bytes.buffer) : new Uint32Array(bytes.buffer);
}

function startsCodestream(bytes: Uint8Array, at: number, length: number): boolean {
  if (length < 2) return false;
  // JPEG family SOI, or JPEG 2000 SOC.
  return bytes[at] === 0xff && (bytes[at + 1] === 0xd8 || bytes[at + 1] === 0x4f);
}

function concat(ds: DataSet, fragments: { position: number; length: number }[]): Uint8Array {
  if (fragments.length === 1) {
    const f = fragments[0];
    return ds.byteArray.subarray(f.position, f.position + f.length);
  }
  const total = fragments.reduce((n, f) => n + f.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const f of fragments) {
    out.set(ds.byteArray.subarray(f.position, f.position + f.length), o);
    o += f.length;
  }
  return out;
}

/** The encoded bytes of frame `f` of encapsulated pixel data. */
export function encapsulatedFrame(ds: DataSet, el: Element, numberOfFrames: number, f: number): Uint8Array {
  const fragments = el.fragments ?? [];
  if (fragments.length === 0) throw new Error('encapsulated pixel data has no fragments');
  if (numberOfFrames === 1) return concat(ds, fragments);
  const bot = el.basicOffsetTable ?? [];
  if (bot.length === numberOfFrames) {
    const begin = bot[f];
    const end = f + 1 < bot.length ? bot[f + 1] : Number.POSITIVE_INFINITY;
    const mine = fragments.filter((fr) => fr.offset >= begin && fr.offset < end);
    if (mine.length === 0) throw new Error(`basic offset table points frame ${f + 1} at no fragment`);
    return concat(ds, mine);
  }
  if (fragments.length === numberOfFrames) return concat(ds, [fragments[f]]);
  // No offset table and several fragments per frame: a frame starts where a codestream starts.
  const starts: number[] = [];
  fragments.forEach((fr, i) => {
    if (startsCodestream(ds.byteArray, fr.position, fr.length)) starts.push(i);
  });
  if (starts.length !== numberOfFrames || starts[0] !== 0) {
    throw new Error(`cannot split ${fragments.length} fragments into ${numberOfFrames} frames (no basic offset table)`);
  }
  const end = f + 1 < starts.length ? starts[f + 1] : fragments.length;
  return concat(ds, fragments.slice(starts[f], end));
}

/** Decode frame `f` to raw sample words. */
export async function decodeRawFrame(ds: DataSet, header: FileHeader, f: number, codecs: CodecRegistry): Promise<RawFrame> {
  const el = ds.elements['x7fe00010'];
  if (!el) throw new Error('no Pixel Data (7FE0,0010)');
  const spec = frameSpecOf(header);
  let raw: RawFrame;
  if (NATIVE_TRANSFER_SYNTAXES.has(header.transferSyntaxUID) && !el.encapsulatedPixelData) {
    raw = nativeFrame(ds, el, header, f);
  } else {
    if (!el.encapsulatedPixelData) throw new Error(`${codecs.describe(header.transferSyntaxUID)} needs encapsulated pixel data`);
    const codec = await codecs.codecFor(header.transferSyntaxUID);
    const encoded = encapsulatedFrame(ds, el, header.numberOfFrames, f);
    raw = codec.decode(encoded, spec);
  }
  const expected = header.rows * header.columns * header.samplesPerPixel;
  if (raw.length < expected) throw new Error(`decoded ${raw.length} samples, expected ${expected}`);
  return raw;
}

/**
 * Stored values → HU (float), into `out` (length rows*columns). Bits above BitsStored are masked
 * off; signed data is sign-extended from BitsStored.
 */
export function rawToHu(raw: RawFrame, header: Pick<FileHeader, 'bitsStored' | 'pixelRepresentation' | 'bitsAllocated'>, frame: Pick<FrameHeader, 'rescaleSlope' | 'rescaleIntercept'>, out: Float32Array): void {
  const n = out.length;
  const slope = frame.rescaleSlope;
  const intercept = frame.rescaleIntercept;
  const bits = Math.min(header.bitsStored || header.bitsAllocated, 32);
  const signed = header.pixelRepresentation === 1;
  if (bits >= 32) {
    for (let i = 0; i < n; i++) out[i] = (signed ? raw[i] | 0 : raw[i] >>> 0) * slope + intercept;
    return;
  }
  const shift = 32 - bits;
  const mask = bits >= 31 ? 0x7fffffff : (1 << bits) - 1;
  if (signed) {
    for (let i = 0; i < n; i++) out[i] = ((raw[i] << shift) >> shift) * slope + intercept;
  } else {
    for (let i = 0; i < n; i++) out[i] = (raw[i] & mask) * slope + intercept;
  }
}

type StoredFormat = Pick<FileHeader, 'bitsStored' | 'pixelRepresentation' | 'bitsAllocated'>;
type Rescale = Pick<FrameHeader, 'rescaleSlope' | 'rescaleIntercept'>;

/**
 * Stored values → HU rounded to Int16, written to `out` from `offset` (`count` samples), in one
 * pass. Identical to `rawToHu` into a Float32Array followed by rounding: HU are rounded to float32
 * first, then to the nearest integer, and clamped to the Int16 range.
 */
export function storedToInt16(raw: ArrayLike<number>, format: StoredFormat, frame: Rescale, out: Int16Array, offset: number, count: number): void {
  const slope = frame.rescaleSlope;
  const intercept = frame.rescaleIntercept;
  const bits = Math.min(format.bitsStored || format.bitsAllocated, 32);
  const signed = format.pixelRepresentation === 1;
  const shift = 32 - bits;
  const mask = bits >= 32 ? 0xffffffff : bits >= 31 ? 0x7fffffff : (1 << bits) - 1;
  // Integer rescale (every CT in practice): no float rounding can occur below 2^24.
  const integral = slope === 1 && Number.isInteger(intercept) && Math.abs(intercept) < 2 ** 23 && bits <= 16;
  for (let i = 0; i < count; i++) {
    const word = raw[i];
    const stored = bits >= 32 ? (signed ? word | 0 : word >>> 0) : signed ? (word << shift) >> shift : (word & mask) >>> 0;
    const v = integral ? stored + intercept : Math.round(Math.fround(stored * slope + intercept));
    out[offset + i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}

/**
 * Decodes frame `f` of a data set straight into `out` (Int16 HU) at `offset`: one pass per voxel.
 * 16-bit native little-endian data (nearly every uncompressed CT) is read in place from the file
 * bytes; other data goes through `decodeRawFrame` (a codec's output, or a byte-swapped copy).
 */
export async function decodeFrameToInt16(
  ds: DataSet,
  header: FileHeader,
  frame: Rescale,
  f: number,
  codecs: CodecRegistry,
  out: Int16Array,
  offset: number,
): Promise<void> {
  // Grayscale: one sample per pixel (colour images are refused before decoding).
  const count = header.rows * header.columns;
  const el = ds.elements['x7fe00010'];
  const inPlace =
    el && !el.encapsulatedPixelData && NATIVE_TRANSFER_SYNTAXES.has(header.transferSyntaxUID) &&
    header.transferSyntaxUID !== TS.explicitBE && HOST_LITTLE_ENDIAN && header.bitsAllocated === 16;
  if (inPlace) {
    const frameBytes = count * header.samplesPerPixel * 2;
    const available = Math.min(el.length, ds.byteArray.length - el.dataOffset) - f * frameBytes;
    if (available < frameBytes) {
      throw new Error(`pixel data truncated: frame ${f + 1} needs ${frameBytes} bytes, ${Math.max(0, available)} present`);
    }
    const start = ds.byteArray.byteOffset + el.dataOffset + f * frameBytes;
    // An odd offset cannot be viewed as 16-bit words: copy that frame once (rare; DICOM pads to even lengths).
    const words = start % 2 === 0
      ? new Uint16Array(ds.byteArray.buffer, start, count)
      : new Uint16Array(ds.byteArray.slice(start - ds.byteArray.byteOffset, start - ds.byteArray.byteOffset + frameBytes).buffer);
    storedToInt16(words, header, frame, out, offset, count);
    return;
  }
  const raw = await decodeRawFrame(ds, header, f, codecs);
  storedToInt16(raw, header, frame, out, offset, count);
}
