/**
 * DCT JPEG (baseline, extended 12-bit, progressive) through the vendored JS decoder. Used for the
 * 12-bit lossy syntaxes libjpeg-turbo-8bit cannot decode (1.2.840.10008.1.2.4.51/.53/.55).
 */
import JpegImage from './vendor/jpeg-dct.js';
import type { FrameSpec, RawFrame } from './registry';

/** Sample precision (8 or 12, 16 for lossless) from the first SOF marker; undefined when none. */
export function jpegPrecision(encoded: Uint8Array): number | undefined {
  let i = 2;
  while (i + 4 < encoded.length) {
    if (encoded[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = encoded[i + 1];
    if (marker === 0xff || marker === 0x00 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += marker === 0xff ? 1 : 2;
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return encoded[i + 4];
    const length = (encoded[i + 2] << 8) | encoded[i + 3];
    i += 2 + length;
  }
  return undefined;
}

export function decodeDctJpeg(encoded: Uint8Array, spec: FrameSpec): RawFrame {
  const image = new JpegImage();
  try {
    image.parse(encoded);
  } catch (error) {
    // The vendored decoder throws strings.
    throw new Error(`JPEG: ${typeof error === 'string' ? error : error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (image.width !== spec.columns || image.height !== spec.rows) {
    throw new Error(`JPEG: decoded ${image.width}×${image.height}, header says ${spec.columns}×${spec.rows}`);
  }
  if (image.components.length !== 1) throw new Error(`JPEG: ${image.components.length} components, HoloCT needs grayscale`);
  image.colorTransform = false;
  return spec.bitsAllocated <= 8 ? image.getData(spec.columns, spec.rows) : image.getData16(spec.columns, spec.rows);
}
