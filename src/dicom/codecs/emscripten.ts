/** The small part of the emscripten codec modules (@cornerstonejs/codec-*) that HoloCT uses. */
export interface EmscriptenModuleArg {
  locateFile?: (path: string, prefix: string) => string;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

export interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** Decoder object shared by J2KDecoder, JpegLSDecoder and JPEGDecoder. */
export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  /** Present on J2KDecoder and JPEGDecoder: parse the header only (fills getFrameInfo). */
  readHeader?(): void;
  decode(): void;
  getFrameInfo(): WasmFrameInfo;
  getDecodedBuffer(): Uint8Array;
}

export interface CodecModule {
  J2KDecoder: new () => WasmDecoder;
  JpegLSDecoder: new () => WasmDecoder;
  JPEGDecoder: new () => WasmDecoder;
}

export type EmscriptenFactory = (arg?: EmscriptenModuleArg) => Promise<CodecModule>;
