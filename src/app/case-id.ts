import { caseIdOf } from '../state';
import type { Volume } from '../volume/types';

/**
 * The case id of a volume under a model: its voxelSha256 (HU as little-endian int16, i fastest; the
 * same hash as src/dicom's voxelSha256 and `holoct info`) with WebCrypto, which hashes natively off
 * the page's script (a pure-JS hash of a 512²×120 CT takes seconds).
 */
export async function caseIdOfVolume(volume: Pick<Volume, 'data'>, modelId: string, subtle: SubtleCrypto = globalThis.crypto.subtle): Promise<string> {
  return caseIdOf(await voxelShaOfVolume(volume, subtle), modelId);
}

/** The voxelSha256 alone (lower-case hex), with WebCrypto. */
export async function voxelShaOfVolume(volume: Pick<Volume, 'data'>, subtle: SubtleCrypto = globalThis.crypto.subtle): Promise<string> {
  const digest = await subtle.digest('SHA-256', int16LittleEndian(volume.data));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function int16LittleEndian(data: Int16Array | Float32Array): Uint8Array<ArrayBuffer> {
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  let values: Int16Array<ArrayBuffer>;
  if (data instanceof Int16Array && littleEndian) values = data.slice();
  else {
    values = new Int16Array(data.length);
    for (let i = 0; i < data.length; i++) values[i] = Math.max(-32768, Math.min(32767, Math.round(data[i])));
  }
  const bytes = new Uint8Array(values.buffer);
  if (!littleEndian) for (let i = 0; i < bytes.length; i += 2) [bytes[i], bytes[i + 1]] = [bytes[i + 1], bytes[i]];
  return bytes;
}
