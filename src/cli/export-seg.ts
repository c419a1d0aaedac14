/**
 * `holoct segment … --export seg`: the labels as a DICOM Segmentation (seg.dcm) of the source series,
 * ready to store in the study's PACS (`holoct stow`). The SEG repeats the study's patient module, as
 * DICOM requires of an instance of that study.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { algorithmOf, readSegSource, writeSegmentation, type WrittenSeg } from '../dicom-seg/index';
import type { DicomInputFile } from '../dicom/types';
import type { ModelManifest } from '../segmentation/manifest';
import { outOfScopeBodyPart, type ScopeCheck } from '../segmentation/scope';
import type { LabelMap } from '../volume/types';

/** HoloCT's version, from package.json. */
export function holoctVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

export interface SegExportInput {
  /** The input files (the DICOM series the labels were made from). */
  files: DicomInputFile[];
  /** The series loaded (LoadedInput.series.id); undefined when the input was not DICOM. */
  seriesId: string | undefined;
  /** Labels on the CT's own grid, as buildHologram returns them. */
  labels: LabelMap;
  manifest: ModelManifest;
  outDir: string;
  /** The series checked against the model's scope (PipelineReport.scope): out of scope, the SEG says its labels are not reliable. */
  scope?: ScopeCheck;
}

/** Throws before any work is done when the input cannot give a SEG (no DICOM series). */
export function assertSegInput(seriesId: string | undefined): asserts seriesId is string {
  if (!seriesId) throw new Error('--export seg needs a DICOM series as input: a DICOM SEG references the source images by UID (a NIfTI file has none)');
}

/** Writes `seg.dcm` into outDir; returns its path and what it holds. */
export async function exportSeg(input: SegExportInput): Promise<{ path: string; seg: WrittenSeg }> {
  assertSegInput(input.seriesId);
  const seg = writeSegmentation(input.labels, readSegSource(input.files, input.seriesId), {
    classes: input.manifest.classes,
    algorithm: algorithmOf(input.manifest),
    softwareVersion: holoctVersion(),
    outOfScope: outOfScopeBodyPart(input.scope),
  });
  const path = join(input.outDir, 'seg.dcm');
  await writeFile(path, seg.bytes);
  return { path, seg };
}
