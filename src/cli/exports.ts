/**
 * What `holoct segment --export a,b,c` can write: a registry, name → writer. A new format (e.g. a
 * DICOM SEG) adds one entry here; the segment command, its --help and its error for an unknown name
 * read the registry and need no change.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DicomInputFile } from '../dicom/types';
import type { HologramResult } from '../pipeline/hologram';
import type { LoadedInput } from '../pipeline/input';
import type { ModelManifest } from '../segmentation/manifest';
import { glbExportFiles, objExportFiles, stlExportFiles, type ExportFile } from '../surfaces/export-files';
import type { SurfaceMesh } from '../surfaces/types';
import { UsageError } from './args';
import { exportSeg } from './export-seg';

export interface ExportContext {
  /** Output folder (absolute). */
  outDir: string;
  manifest: ModelManifest;
  /** The structures' meshes, already trimmed by --cuts when given (patient LPS mm). */
  meshes: readonly SurfaceMesh[];
  /** The whole pipeline result (labels on the CT grid, uncut meshes, report). */
  result: HologramResult;
  /** The loaded input (volume, DICOM scan and series when DICOM). */
  input: LoadedInput;
  /** The input files as read. */
  files: readonly DicomInputFile[];
  /** Tells the user something worth knowing about what was written (stderr in the CLI). */
  say(text: string): void;
}

export interface ExportFormat {
  /** One line for --help: what it writes. */
  summary: string;
  /** Writes its files under ctx.outDir; returns their paths relative to it. */
  write(ctx: ExportContext): Promise<string[]>;
}

/** Writes files under a folder, making sub-folders; returns their relative paths. */
export async function writeExportFiles(outDir: string, files: readonly ExportFile[]): Promise<string[]> {
  for (const file of files) {
    const target = join(outDir, ...file.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.data);
  }
  return files.map((f) => f.path);
}

export const EXPORT_FORMATS: Readonly<Record<string, ExportFormat>> = {
  glb: {
    summary: 'hologram.glb: one named node per structure (glTF: +Y up, metres)',
    write: (ctx) => writeExportFiles(ctx.outDir, glbExportFiles(ctx.meshes, ctx.manifest.classes)),
  },
  stl: {
    summary: 'stl/<structure>.stl and stl/visible.stl (all structures): binary STL, patient LPS mm',
    write: (ctx) => writeExportFiles(ctx.outDir, stlExportFiles(ctx.meshes, { model: ctx.manifest.name })),
  },
  obj: {
    summary: 'hologram.obj + hologram.mtl: one object and class colour per structure, patient LPS mm',
    write: (ctx) => writeExportFiles(ctx.outDir, objExportFiles(ctx.meshes, ctx.manifest.classes, { model: ctx.manifest.name })),
  },
  seg: {
    summary: "seg.dcm: DICOM Segmentation of the source series (DICOM input only; repeats the study's patient module)",
    write: async (ctx) => {
      const { seg } = await exportSeg({ files: [...ctx.files], seriesId: ctx.input.series?.id, labels: ctx.result.labels, manifest: ctx.manifest, outDir: ctx.outDir, scope: ctx.result.report.scope });
      ctx.say(`seg.dcm: DICOM SEG with ${seg.segments.length} segment(s) (${seg.segments.map((x) => x.label).join(', ')}); it repeats the study's patient module, as DICOM requires`);
      return ['seg.dcm'];
    },
  },
};

/** Written when --export is not given. */
export const DEFAULT_EXPORTS: readonly string[] = ['glb'];

/** "stl, obj" → ['stl', 'obj'] (order kept, repeats dropped); an unknown name lists the valid ones. */
export function parseExportList(text: string, formats: Readonly<Record<string, ExportFormat>> = EXPORT_FORMATS): string[] {
  const names = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`--export needs at least one of: ${Object.keys(formats).join(', ')}`);
  const unknown = names.filter((n) => !Object.hasOwn(formats, n));
  if (unknown.length) {
    throw new UsageError(`unknown export ${unknown.map((n) => `"${n}"`).join(', ')}: valid exports are ${Object.keys(formats).join(', ')}`);
  }
  return [...new Set(names)];
}

/** The --help lines for --export, from the registry. */
export function exportHelp(formats: Readonly<Record<string, ExportFormat>> = EXPORT_FORMATS): string {
  return Object.entries(formats).map(([name, f]) => `    ${name.padEnd(5)} ${f.summary}`).join('\n');
}
