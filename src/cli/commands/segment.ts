import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadInput } from '../../pipeline/input';
import { buildHologram, type PipelineReport } from '../../pipeline/hologram';
import { meshesToGlb } from '../../surfaces/glb';
import { writeNifti } from '../../volume/nifti';
import { parseArgs, UsageError } from '../args';
import { assertSegInput, exportSeg } from '../export-seg';
import { readInputFiles } from '../files';
import type { CliIO } from '../main';
import { DEFAULT_MANIFEST, loadNodeModel } from '../node-model';
import { parallelSurfaces } from '../parallel-surfaces';

const USAGE = 'usage: holoct segment <dicom-folder | file.nii[.gz]> --out <dir> [--model models/holoct-seg.json] [--series <id>] [--export seg] [--threads <n>] [--quiet]';

/** Extra outputs `--export` can ask for (comma-separated). */
const EXPORTS = ['seg'] as const;

export interface SegmentReport extends PipelineReport {
  input: { source: string; dims: [number, number, number]; spacing: [number, number, number]; notes: string[] };
  /** `read` and `decode` include the model's loading where it overlapped them; `modelWait` is what was left to wait for. */
  timingsMs: PipelineReport['timingsMs'] & { read: number; decode: number; modelWait: number; write: number; total: number };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(args, { values: ['out', 'model', 'series', 'export', 'threads'], flags: ['quiet'] });
    if (parsed.positionals.length !== 1 || !parsed.values.get('out')) throw new UsageError('an input and --out are required');
    const threads = parsed.values.get('threads');
    if (threads !== undefined && !(Number.isInteger(Number(threads)) && Number(threads) >= 1)) throw new UsageError(`--threads must be a whole number ≥ 1, got "${threads}"`);
    for (const name of (parsed.values.get('export') ?? '').split(',').filter(Boolean)) {
      if (!(EXPORTS as readonly string[]).includes(name)) throw new UsageError(`--export: unknown format "${name}" (known: ${EXPORTS.join(', ')})`);
    }
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const inputPath = parsed.positionals[0];
  const outDir = resolve(parsed.values.get('out')!);
  const quiet = parsed.flags.has('quiet');
  const say = (text: string) => { if (!quiet) io.stderr(text); };
  const started = performance.now();

  // The model loads while the input is read and decoded: its file read, and onnxruntime's session
  // creation (synchronous in Node), overlap the reads of the input files. Awaited when needed.
  const modelLoading = loadNodeModel(parsed.values.get('model') ?? DEFAULT_MANIFEST);
  modelLoading.catch(() => {}); // reported where it is awaited
  let t = performance.now();
  let files, input, readMs, decodeMs;
  const wantSeg = (parsed.values.get('export') ?? '').split(',').includes('seg');
  try {
    files = await readInputFiles(inputPath);
    readMs = performance.now() - t;
    say(`read ${files.length} file(s) from ${inputPath}`);

    t = performance.now();
    input = await loadInput(files, { seriesId: parsed.values.get('series') });
    decodeMs = performance.now() - t;
    say(`loaded ${input.source}, spacing ${input.volume.spacing.map((s) => s.toFixed(2)).join('×')} mm`);
    for (const note of input.notes) say(`  note: ${note}`);
    if (wantSeg) assertSegInput(input.series?.id);
  } catch (error) {
    void modelLoading.then((model) => model.session.dispose(), () => {});
    throw error;
  }

  t = performance.now();
  const { manifest, session } = await modelLoading;
  const modelWaitMs = performance.now() - t;
  let lastStage = '';
  let result;
  try {
    result = await buildHologram(input.volume, { session, manifest }, {
      // Structures are meshed on worker threads, one per core up to 4 or --threads (same meshes as on one thread).
      surfaces: parsed.values.has('threads') ? parallelSurfaces(Number(parsed.values.get('threads'))) : parallelSurfaces(),
      onProgress: (p) => {
        if (p.stage !== lastStage) { lastStage = p.stage; say(`${p.stage}…`); }
      },
    });
  } finally {
    await session.dispose();
  }

  t = performance.now();
  await mkdir(outDir, { recursive: true });
  const classesJson = { classes: manifest.classes.map(({ id, name, group, color }) => ({ id, name, group, color })) };
  await writeFile(join(outDir, 'labels.nii.gz'), writeNifti(result.labels, result.labels.data, { description: `HoloCT ${manifest.name}` }));
  await writeFile(join(outDir, 'labels.json'), `${JSON.stringify(classesJson, null, 2)}\n`);
  await writeFile(join(outDir, 'hologram.glb'), meshesToGlb(result.meshes, manifest.classes));
  const exported: string[] = [];
  if (wantSeg) {
    const { seg } = await exportSeg({ files, seriesId: input.series?.id, labels: result.labels, manifest, outDir });
    exported.push('seg.dcm');
    say(`seg.dcm: DICOM SEG with ${seg.segments.length} segment(s) (${seg.segments.map((x) => x.label).join(', ')}); it repeats the study's patient module, as DICOM requires`);
  }
  const writeMs = performance.now() - t;

  const report: SegmentReport = {
    ...result.report,
    input: { source: input.source, dims: input.volume.dims, spacing: input.volume.spacing, notes: input.notes },
    timingsMs: {
      read: Math.round(readMs),
      decode: Math.round(decodeMs),
      modelWait: Math.round(modelWaitMs),
      ...result.report.timingsMs,
      write: Math.round(writeMs),
      total: Math.round(performance.now() - started),
    },
  };
  await writeFile(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  say(`wrote labels.nii.gz, labels.json, hologram.glb, report.json${exported.map((f) => `, ${f}`).join('')} to ${outDir} (${report.totalTriangles} triangles, ${(report.timingsMs.total / 1000).toFixed(1)} s, ${report.backend})`);
  return 0;
}
