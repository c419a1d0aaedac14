import type { DicomInputFile } from '../dicom/types';

/** Browser file access: file inputs and drag-and-drop (folders included) → named byte arrays. */

async function readFile(file: File, name: string): Promise<DicomInputFile> {
  return { name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

export async function readFileList(list: FileList | File[]): Promise<DicomInputFile[]> {
  const files = Array.from(list).filter((f) => !f.name.startsWith('.'));
  return Promise.all(files.map((f) => readFile(f, (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name)));
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function readDirectory(entry: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = entry.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries returns batches (100 in Chromium) until an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** Files and folders dropped on the page, folders read recursively. */
export async function readDataTransfer(transfer: DataTransfer): Promise<DicomInputFile[]> {
  const entries = Array.from(transfer.items)
    .map((item) => item.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return readFileList(transfer.files);
  const out: DicomInputFile[] = [];
  const visit = async (entry: FileSystemEntry, path: string): Promise<void> => {
    if (entry.name.startsWith('.')) return;
    if (entry.isFile) out.push(await readFile(await entryFile(entry as FileSystemFileEntry), path + entry.name));
    else if (entry.isDirectory) for (const child of await readDirectory(entry as FileSystemDirectoryEntry)) await visit(child, `${path}${entry.name}/`);
  };
  for (const entry of entries) await visit(entry, '');
  return out;
}

/** The distinct buffers under these files (several may share one), to transfer them to a worker. */
export function fileBuffers(files: readonly DicomInputFile[]): ArrayBuffer[] {
  return [...new Set(files.map((f) => f.bytes.buffer as ArrayBuffer))];
}
