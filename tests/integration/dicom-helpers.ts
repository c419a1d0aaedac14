import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DicomInputFile } from '../../src/dicom/index';

/** Real test data, read in place. */
export const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
export const CONFORMANCE = join(DATA, 'dicom-conformance');
export const TS_DIR = join(CONFORMANCE, 'transfer-syntaxes');

/** Every file under `dir` (recursively), named relative to `base`. */
export function readTree(dir: string, base = dir): DicomInputFile[] {
  const out: DicomInputFile[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...readTree(full, base));
    else out.push({ name: relative(base, full), bytes: readFileSync(full) });
  }
  return out;
}

export function readOne(path: string, base = CONFORMANCE): DicomInputFile {
  return { name: relative(base, path), bytes: readFileSync(path) };
}
