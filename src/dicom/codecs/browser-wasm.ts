/**
 * Browser-only (Vite): URLs of the codecs' .wasm files, for `createCodecRegistry({ locateWasm })`
 * in the app's worker. Import this file from browser code only; the compute code never imports it.
 *
 *   import { createCodecRegistry } from '../dicom';
 *   import { locateCodecWasm } from '../dicom/codecs/browser-wasm';
 *   const codecs = createCodecRegistry({ locateWasm: locateCodecWasm });
 */
import openjpegWasm from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import charlsWasm from '@cornerstonejs/codec-charls/decodewasm?url';
import libjpegTurboWasm from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import { createCodecRegistry, type CodecRegistry } from './registry';

const URLS: Record<string, string> = {
  'openjpegwasm_decode.wasm': openjpegWasm,
  'charlswasm_decode.wasm': charlsWasm,
  'libjpegturbowasm_decode.wasm': libjpegTurboWasm,
};

export function locateCodecWasm(fileName: string): string {
  const url = URLS[fileName];
  if (!url) throw new Error(`no bundled wasm named ${fileName}`);
  return url;
}

/** The codec registry for a browser worker (or page): wasm located through Vite's asset URLs. */
export function browserCodecRegistry(): CodecRegistry {
  return createCodecRegistry({ locateWasm: locateCodecWasm });
}
