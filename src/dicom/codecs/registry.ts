/**
 * Pixel codecs for encapsulated transfer syntaxes, loaded lazily (dynamic import) on first use.
 *
 * The registry is injectable: Node (tests, CLI) uses the defaults, whose emscripten glue finds its
 * .wasm next to itself in node_modules; a browser worker passes `locateWasm` (see ./browser-wasm.ts,
 * which imports the .wasm files with Vite's `?url`) because a bundled script cannot find them alone.
 */
import { decodeRle } from './rle';
import type { EmscriptenFactory, EmscriptenModuleArg } from './emscripten';

/** What a codec needs to know about the frame it decodes. */
export interface FrameSpec {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  samplesPerPixel: number;
}

/** Raw sample words of one frame (host byte order), before bits-stored masking and rescale. */
export type RawFrame = Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

export interface PixelCodec {
  /** e.g. 'OpenJPEG (wasm)'. */
  readonly name: string;
  decode(encoded: Uint8Array, spec: FrameSpec): RawFrame;
}

export interface CodecEnvironment {
  /**
   * Where the emscripten codecs find their .wasm, by file name (e.g. 'openjpegwasm_decode.wasm').
   * Leave out in Node. In a browser, return a URL (Vite: `import url from '…wasm?url'`).
   */
  locateWasm?: (fileName: string) => string;
}

export interface CodecRegistry {
  /** Human-readable name of a transfer syntax UID. */
  describe(transferSyntaxUID: string): string;
  /** True when pixel data in this transfer syntax may be decoded (natively or by a codec). */
  supports(transferSyntaxUID: string): boolean;
  /** True for lossy compression (the decoded voxels differ from the original). */
  isLossy(transferSyntaxUID: string): boolean;
  /** The codec for an encapsulated transfer syntax; rejects with the reason when there is none. */
  codecFor(transferSyntaxUID: string): Promise<PixelCodec>;
}

export const TRANSFER_SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1, 8-bit lossy)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4, 12-bit lossy)',
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection (Process 6 & 8, retired, lossy)',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression (Process 10 & 12, retired, lossy)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless (Process 14, first-order prediction)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
};

export const NATIVE_TRANSFER_SYNTAXES = new Set([
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.2',
]);

const LOSSY = new Set([
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.53',
  '1.2.840.10008.1.2.4.55',
  '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.91',
]);

type Loader = (env: CodecEnvironment) => Promise<PixelCodec>;

/** Build the emscripten module argument: quiet, and told where its wasm is when we know. */
function moduleArg(env: CodecEnvironment): EmscriptenModuleArg {
  const arg: EmscriptenModuleArg = { print: () => {}, printErr: () => {} };
  if (env.locateWasm) {
    const locate = env.locateWasm;
    arg.locateFile = (path: string, prefix: string) => (path.endsWith('.wasm') ? locate(path) : prefix + path);
  }
  return arg;
}

function factoryOf(mod: unknown): EmscriptenFactory {
  const m = mod as { default?: unknown };
  const f = (typeof m.default === 'function' ? m.default : mod) as EmscriptenFactory;
  if (typeof f !== 'function') throw new Error('codec module has no factory');
  return f;
}

/** Reinterpret a byte buffer as samples of the frame's width (copying into aligned memory). */
function asWords(bytes: Uint8Array, spec: FrameSpec): RawFrame {
  if (spec.bitsAllocated <= 8) return new Uint8Array(bytes);
  const copy = new Uint8Array(bytes);
  if (spec.bitsAllocated === 16) return new Uint16Array(copy.buffer, 0, copy.length >> 1);
  return new Uint32Array(copy.buffer, 0, copy.length >> 2);
}

function checkSize(codec: string, got: { width: number; height: number; components?: number }, spec: FrameSpec): void {
  if (got.width !== spec.columns || got.height !== spec.rows) {
    throw new Error(`${codec}: decoded ${got.width}×${got.height}, header says ${spec.columns}×${spec.rows}`);
  }
  if (got.components !== undefined && got.components !== spec.samplesPerPixel) {
    throw new Error(`${codec}: decoded ${got.components} components, header says ${spec.samplesPerPixel}`);
  }
}

const openJpeg: Loader = async (env) => {
  const mod = await factoryOf(await import('@cornerstonejs/codec-openjpeg/decodewasmjs'))(moduleArg(env));
  const decoder = new mod.J2KDecoder();
  return {
    name: 'OpenJPEG (wasm)',
    decode(encoded, spec) {
      decoder.getEncodedBuffer(encoded.length).set(encoded);
      // Check the size before decoding: a damaged header must not make the codec decode a huge image.
      const siz = j2kSize(encoded);
      if (siz) checkSize('JPEG 2000', siz, spec);
      decoder.decode();
      const info = decoder.getFrameInfo();
      checkSize('JPEG 2000', { width: info.width, height: info.height, components: info.componentCount }, spec);
      return asWords(decoder.getDecodedBuffer(), spec);
    },
  };
};

const charls: Loader = async (env) => {
  const mod = await factoryOf(await import('@cornerstonejs/codec-charls/decodewasmjs'))(moduleArg(env));
  const decoder = new mod.JpegLSDecoder();
  return {
    name: 'CharLS (wasm)',
    decode(encoded, spec) {
      const sof = jpegFrameSize(encoded);
      if (sof) checkSize('JPEG-LS', sof, spec);
      decoder.getEncodedBuffer(encoded.length).set(encoded);
      decoder.decode();
      const info = decoder.getFrameInfo();
      checkSize('JPEG-LS', { width: info.width, height: info.height, components: info.componentCount }, spec);
      return asWords(decoder.getDecodedBuffer(), spec);
    },
  };
};

/** DCT JPEG: 8-bit precision through libjpeg-turbo (wasm), 12-bit through the vendored JS decoder. */
const turboJpeg: Loader = async (env) => {
  const mod = await factoryOf(await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'))(moduleArg(env));
  const decoder = new mod.JPEGDecoder();
  const jpeg12 = await import('./jpeg12');
  return {
    name: 'libjpeg-turbo (wasm, 8-bit) / JpegImage (JS, 12-bit)',
    decode(encoded, spec) {
      if (jpeg12.jpegPrecision(encoded) !== 8) return jpeg12.decodeDctJpeg(encoded, spec);
      decoder.getEncodedBuffer(encoded.length).set(encoded);
      decoder.readHeader?.();
      const header = decoder.getFrameInfo();
      checkSize('JPEG', { width: header.width, height: header.height, components: header.componentCount }, spec);
      decoder.decode();
      const info = decoder.getFrameInfo();
      checkSize('JPEG', { width: info.width, height: info.height, components: info.componentCount }, spec);
      const bytes = decoder.getDecodedBuffer();
      if (spec.bitsAllocated === 16) return Uint16Array.from(bytes);
      return new Uint8Array(bytes);
    },
  };
};
/** Image size from a JPEG 2000 codestream's SIZ marker (SOC FF4F, then SIZ FF51). */
function j2kSize(encoded: Uint8Array): { width: number; height: number; components: number } | undefined {
  if (encoded.length < 42 || encoded[0] !== 0xff || encoded[1] !== 0x4f || encoded[2] !== 0xff || encoded[3] !== 0x51) return undefined;
  const v = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const width = v.getUint32(8) - v.getUint32(16);
  const height = v.getUint32(12) - v.getUint32(20);
  return { width, height, components: v.getUint16(40) };
}

/** Width/height/components from the first SOFn marker of a JPEG family codestream (JPEG-LS: SOF55). */
function jpegFrameSize(encoded: Uint8Array): { width: number; height: number; components: number } | undefined {
  let i = 2;
  while (i + 9 < encoded.length) {
    if (encoded[i] !== 0xff) return undefined;
    const marker = encoded[i + 1];
    const length = (encoded[i + 2] << 8) | encoded[i + 3];
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isSof) return { height: (encoded[i + 5] << 8) | encoded[i + 6], width: (encoded[i + 7] << 8) | encoded[i + 8], components: encoded[i + 9] };
    if (marker === 0xda) return undefined;
    i += 2 + length;
  }
  return undefined;
}

const jpegLossless: Loader = async () => {
  const { Decoder } = await import('@cornerstonejs/jpeg-lossless-decoder-js');
  return {
    name: '@cornerstonejs/jpeg-lossless-decoder-js',
    decode(encoded, spec) {
      const sof = jpegFrameSize(encoded);
      if (sof) checkSize('JPEG Lossless', sof, spec);
      const bytesPerSample = spec.bitsAllocated <= 8 ? 1 : 2;
      const copy = new Uint8Array(encoded);
      const out = new Decoder().decode(copy.buffer, 0, copy.length, bytesPerSample);
      const expected = spec.rows * spec.columns * spec.samplesPerPixel;
      if (out.length !== expected) throw new Error(`JPEG Lossless: decoded ${out.length} samples, expected ${expected}`);
      if (bytesPerSample === 1) return out instanceof Uint8Array ? out : Uint8Array.from(out);
      return out instanceof Uint16Array ? out : Uint16Array.from(out);
    },
  };
};

const rle: Loader = async () => ({
  name: 'RLE (HoloCT)',
  decode(encoded, spec) {
    return decodeRle(encoded, spec);
  },
});

const DEFAULT_LOADERS: Record<string, Loader> = {
  '1.2.840.10008.1.2.5': rle,
  '1.2.840.10008.1.2.4.50': turboJpeg,
  '1.2.840.10008.1.2.4.51': turboJpeg,
  '1.2.840.10008.1.2.4.53': turboJpeg,
  '1.2.840.10008.1.2.4.55': turboJpeg,
  '1.2.840.10008.1.2.4.57': jpegLossless,
  '1.2.840.10008.1.2.4.70': jpegLossless,
  '1.2.840.10008.1.2.4.80': charls,
  '1.2.840.10008.1.2.4.81': charls,
  '1.2.840.10008.1.2.4.90': openJpeg,
  '1.2.840.10008.1.2.4.91': openJpeg,
};

export interface CodecRegistryOptions extends CodecEnvironment {
  /** Extra or replacement codecs by transfer syntax UID (e.g. HTJ2K through another package). */
  loaders?: Record<string, Loader>;
}

/**
 * The codec registry. Each codec module is imported on first use and kept; concurrent first uses
 * share one load.
 */
export function createCodecRegistry(options: CodecRegistryOptions = {}): CodecRegistry {
  const loaders: Record<string, Loader> = { ...DEFAULT_LOADERS, ...options.loaders };
  const loaded = new Map<Loader, Promise<PixelCodec>>();
  const env: CodecEnvironment = { locateWasm: options.locateWasm };
  const describe = (ts: string) => (TRANSFER_SYNTAX_NAMES[ts] ? `${TRANSFER_SYNTAX_NAMES[ts]} (${ts})` : `unknown transfer syntax ${ts}`);
  return {
    describe,
    supports: (ts) => NATIVE_TRANSFER_SYNTAXES.has(ts) || ts in loaders,
    isLossy: (ts) => LOSSY.has(ts),
    codecFor(ts) {
      const loader = loaders[ts];
      if (!loader) return Promise.reject(new Error(`no decoder for ${describe(ts)}`));
      let p = loaded.get(loader);
      if (!p) {
        p = loader(env).then((codec) => guard(codec, () => loaded.delete(loader))).catch((error: unknown) => {
          loaded.delete(loader);
          throw new Error(`could not load the decoder for ${describe(ts)}: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          });
        });
        loaded.set(loader, p);
      }
      return p;
    },
  };
}

/**
 * A wasm module that aborted (e.g. out-of-bounds access on damaged data) cannot be used again: after
 * an error that is not one of our own checks, drop the instance so the next frame loads a fresh one.
 */
function guard(codec: PixelCodec, forget: () => void): PixelCodec {
  return {
    name: codec.name,
    decode(encoded, spec) {
      try {
        return codec.decode(encoded, spec);
      } catch (error) {
        if (!(error instanceof Error) || error.constructor !== Error) forget();
        throw error;
      }
    },
  };
}

let shared: CodecRegistry | undefined;
/** One default registry per JS realm (Node / one worker), so codecs load once. */
export function defaultCodecRegistry(): CodecRegistry {
  shared ??= createCodecRegistry();
  return shared;
}
