/**
 * `holoct info [--json] [--no-hash] <file | folder>`: the DICOM series in a file or folder, with
 * dims, spacing, orientation, transfer syntaxes, notes and voxelSha256, what the scope check reads
 * (Body Part Examined, Protocol Name, Study Description), and the skipped files.
 *
 * Patient identity is never printed (the output may be pasted into tickets or reports). The series'
 * description, protocol and study description are free text typed at the scanner and are printed as
 * they are: read them before pasting.
 */
import { TRANSFER_SYNTAX_NAMES } from '../../dicom/codecs/registry';
import { DicomImportError, loadSeriesVolume, pickBestSeries, scanDicomFiles, voxelSha256, type SeriesSummary } from '../../dicom/index';
import { parseArgs, UsageError } from '../args';
import { readInputFiles } from '../files';
import type { CliIO } from '../main';

const USAGE = 'usage: holoct info [--json] [--no-hash] <file | folder>';

export interface InfoSeries extends SeriesSummary {
  /** True for the series `holoct segment` would pick. */
  best: boolean;
  /** SHA-256 of the decoded HU voxels (little-endian int16, x fastest), when decoded. */
  voxelSha256?: string;
  /** Why decoding failed, when it did. */
  decodeError?: string;
}

export interface InfoReport {
  path: string;
  fileCount: number;
  series: InfoSeries[];
  skipped: { name: string; reason: string }[];
}

const mm = (values: number[] | undefined, digits = 3) => (values ? values.map((v) => Number(v.toFixed(digits))).join(' × ') : '?');

function describeTs(uid: string): string {
  return TRANSFER_SYNTAX_NAMES[uid] ? `${TRANSFER_SYNTAX_NAMES[uid]} (${uid})` : uid;
}

function formatText(report: InfoReport): string {
  const lines: string[] = [`${report.path}: ${report.fileCount} file(s), ${report.series.length} series, ${report.skipped.length} skipped`];
  for (const s of report.series) {
    lines.push('');
    lines.push(`series ${s.id}${s.best ? '   [best for segmentation]' : ''}`);
    lines.push(`  description:   ${s.description || '(none)'}`);
    lines.push(`  modality:      ${s.modality || '?'}   images: ${s.sliceCount} in ${s.fileCount} file(s)   type: ${s.imageType.join('\\') || '?'}`);
    if (s.dims) lines.push(`  dims:          ${s.dims.join(' × ')}`);
    if (s.spacing) lines.push(`  spacing:       ${mm(s.spacing)} mm${s.sliceThickness !== undefined ? `   slice thickness: ${s.sliceThickness} mm` : ''}`);
    if (s.orientation) lines.push(`  orientation:   ${s.orientation}${s.tiltDegrees ? `   tilt: ${s.tiltDegrees}°` : ''}`);
    if (s.convolutionKernel) lines.push(`  kernel:        ${s.convolutionKernel}`);
    // what the model's scope check reads (Body Part Examined first, then the names)
    if (s.bodyPart !== undefined || s.protocolName !== undefined || s.studyDescription !== undefined) {
      lines.push(`  region:        body part ${s.bodyPart ?? '(none)'}   protocol: ${s.protocolName ?? '(none)'}   study: ${s.studyDescription ?? '(none)'}`);
    }
    lines.push(`  transfer syntax: ${s.transferSyntaxes.map(describeTs).join(', ')}`);
    lines.push(`  loadable:      ${s.loadable ? 'yes' : `no: ${s.refusal}`}   segmentable: ${s.segmentable ? 'yes' : 'no'}`);
    for (const note of s.notes) lines.push(`  note: ${note}`);
    if (s.voxelSha256) lines.push(`  voxelSha256:   ${s.voxelSha256}`);
    if (s.decodeError) lines.push(`  decode error:  ${s.decodeError}`);
  }
  if (report.skipped.length) {
    lines.push('', 'skipped:');
    for (const f of report.skipped) lines.push(`  ${f.name}: ${f.reason}`);
  }
  return lines.join('\n');
}

export async function run(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(args, { flags: ['json', 'no-hash'] });
    if (parsed.positionals.length !== 1) throw new UsageError('one file or folder is required');
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const path = parsed.positionals[0];
  const files = await readInputFiles(path);
  const scan = scanDicomFiles(files);
  const best = pickBestSeries(scan.series);
  const report: InfoReport = {
    path,
    fileCount: files.length,
    series: scan.series.map((s) => ({ ...s, best: s.id === best?.id })),
    skipped: scan.skipped,
  };

  let failures = 0;
  if (!parsed.flags.has('no-hash')) {
    for (const s of report.series) {
      if (!s.loadable) continue;
      try {
        const loaded = await loadSeriesVolume(files, s.id);
        s.voxelSha256 = voxelSha256(loaded.volume);
      } catch (error) {
        failures++;
        s.decodeError = error instanceof DicomImportError ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
        io.stderr(`holoct info: ${s.decodeError}`);
      }
    }
  }

  io.stdout(parsed.flags.has('json') ? JSON.stringify(report, null, 2) : formatText(report));
  if (report.series.length === 0) {
    io.stderr(`holoct info: no DICOM image series in ${path} (${scan.skipped.length} file(s) skipped)`);
    return 1;
  }
  return failures > 0 ? 1 : 0;
}
