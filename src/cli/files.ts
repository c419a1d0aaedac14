import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, basename } from 'node:path';
import type { DicomInputFile } from '../dicom/types';

/** Reads a file, or every file under a folder (recursively, hidden files skipped), as input files. */
export async function readInputFiles(path: string): Promise<DicomInputFile[]> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new Error(`${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : String(error)}`, { cause: error });
  }
  if (info.isFile()) return [{ name: basename(path), bytes: await readFile(path) }];
  const files: DicomInputFile[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) files.push({ name: relative(path, full), bytes: await readFile(full) });
    }
  };
  await walk(path);
  if (files.length === 0) throw new Error(`${path}: the folder holds no files`);
  return files;
}
