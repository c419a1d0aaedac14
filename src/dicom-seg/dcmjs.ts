/**
 * The slice of dcmjs HoloCT uses, typed (dcmjs 0.50 ships no type declarations). dcmjs is a UMD
 * bundle: Node's ESM loader exposes it as `default`, Vite as the namespace (as dicom-parser).
 */
import * as dcmjsNs from 'dcmjs';

/** A naturalized data set: attribute keywords → values, sequences as arrays of data sets. */
export type NaturalDataset = Record<string, unknown> & { _vrMap?: Record<string, string>; _meta?: unknown };

interface DicomDictInstance {
  dict: Record<string, unknown>;
  meta: Record<string, unknown>;
  write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
}

interface Dcmjs {
  data: {
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: { untilTag?: string; includeUntilTagValue?: boolean; ignoreErrors?: boolean }): DicomDictInstance;
    };
    DicomDict: new (meta: Record<string, unknown>) => DicomDictInstance;
    DicomMetaDictionary: {
      naturalizeDataset(dict: Record<string, unknown>): NaturalDataset;
      denaturalizeDataset(dataset: NaturalDataset): Record<string, unknown>;
    };
    Colors: {
      rgb2DICOMLAB(rgb: [number, number, number]): [number, number, number];
      dicomlab2RGB(lab: [number, number, number]): [number, number, number];
    };
  };
}

export const dcmjs: Dcmjs = ((dcmjsNs as unknown as { default?: Dcmjs }).default ?? dcmjsNs) as unknown as Dcmjs;

/** The bytes as an ArrayBuffer of exactly their length (dcmjs reads whole ArrayBuffers). */
export function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}
