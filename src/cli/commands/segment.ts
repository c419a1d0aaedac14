import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadInput } from '../../pipeline/input';
import { buildHologram, type PipelineReport } from '../../pipeline/hologram';
import { cutMeshes, loadMeshCutter } from '../../surfaces/cut';
import { writeNifti } from '../../volume/nifti';
import { parseArgs, UsageError } from '../args';
import { readCutPlanes } from '../cuts';
import { assertSegInput } from '../export-seg';
import { DEFAULT_EXPORTS, EXPORT_FORMATS, exportHelp, parseExportList } from '../exports';
import { readInputFiles } from '../files';
import type { CliIO } from '../main';
import { DEFAULT_MANIFEST, loadNodeModel } from '../node-model';
import { parallelSurfaces } from '../parallel-surfaces';

const USAGE = [
  'usage: holoct segment <dicom-folder | file.nii[.gz]> --out <dir> [--export glb,stl,obj,seg] [--cuts planes.json]',
  '                      [--model models/holoct-seg.json] [--series <id>] [--threads <n>] [--quiet]',
  '  always writes labels.nii.gz, labels.json, report.json; --export adds (default: glb):',
  exportHelp(),
  '  --cuts planes.json  trims the mesh exports by cut planes [{"normal": [x, y, z], "offset": mm}, …]',
  '                      (each keeps normal·p ≤ offset, patient LPS mm) into closed solids',
  '  --threads <n>       worker threads for the surfaces (default: cores − 1, at most 4; 1 = this thread)',
].join('\n');

export interface SegmentReport extends PipelineReport {
  input: { source: string; dims: [number, number, number]; spacing: [number, number, number]; notes: string[] };
  /** `read` and `decode` include the model's loading where it overlapped them; `modelWait` is what was left to wait for. */
  timingsMs: PipelineReport['timingsMs'] & { read: number; decode: number; modelWait: number; write: number; total: number };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  let parsed;
  let exportNames: string[];
  try {
    parsed = parseArgs(args, { values: ['out', 'model', 'series', 'export', 'cuts', 'threads'], flags: ['quiet', 'help'] });
    if (parsed.flags.has('help')) {
      io.stdout(USAGE);
      return 0;
    }
    if (parsed.positionals.length !== 1 || !parsed.values.get('out')) throw new UsageError('an input and --out are required');
    const threads = parsed.values.get('threads');
    if (threads !== undefined && !(Number.isInteger(Number(threads)) && Number(threads) >= 1)) throw new UsageError(`--threads must be a whole number ≥ 1, got "${threads}"`);
    exportNames = parsed.values.has('export') ? parseExportList(parsed.values.get('export')!) : [...DEFAULT_EXPORTS];
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const inputPath = parsed.positionals[0];
  const outDir = resolve(parsed.values.get('out')!);
  const quiet = parsed.flags.has('quiet');
  const say = (text: string) => { if (!quiet) io.stderr(text); };
  const started = performance.now();
  // Read the cuts before the long work, so a bad file fails fast.
  const cuts = parsed.values.has('cuts') ? await readCutPlanes(parsed.values.get('cuts')!) : [];

  // The model loads while the input is read and decoded: its file read, and onnxruntime's session
  // creation (synchronous in Node), overlap the reads of the input files. Awaited when needed.
  const modelLoading = loadNodeModel(parsed.values.get('model') ?? DEFAULT_MANIFEST);
  modelLoading.catch(() => {}); // reported where it is awaited
  let t = performance.now();
  let files, input, readMs, decodeMs;
  try {
    files = await readInputFiles(inputPath);
    readMs = performance.now() - t;
    say(`read ${files.length} file(s) from ${inputPath}`);

    t = performance.now();
    input = await loadInput(files, { seriesId: parsed.values.get('series') });
    decodeMs = performance.now() - t;
    say(`loaded ${input.source}, spacing ${input.volume.spacing.map((s) => s.toFixed(2)).join('×')} mm`);
    for (const note of input.notes) say(`  note: ${note}`);
    // A SEG references the source images by UID: refuse before the long work when there are none.
    if (exportNames.includes('seg')) assertSegInput(input.series?.id);
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
      // Structures are meshed on worker threads (--threads; same meshes as on one thread).
      surfaces: parsed.values.has('threads') ? parallelSurfaces(Number(parsed.values.get('threads'))) : parallelSurfaces(),
      series: input.series,
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
  const meshes = cuts.length ? cutMeshes(result.meshes, cuts, await loadMeshCutter()) : result.meshes;
  const written = ['labels.nii.gz', 'labels.json'];
  for (const name of exportNames) {
    written.push(...await EXPORT_FORMATS[name].write({ outDir, manifest, meshes, result, input, files, say }));
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
  // the one line --quiet keeps: a scripted run must not miss that the labels are not reliable
  if (report.scope?.note) io.stderr(`warning: ${report.scope.note}`);
  for (const s of report.structures) if (s.voxels > 0) say(`  ${s.name}: ${s.voxelVolumeMl.toFixed(0)} mL${s.note ? ` (note: ${s.note})` : ''}`);
  for (const s of report.structures) if (s.voxels === 0 && s.note) say(`  ${s.name}: ${s.note}`);
  written.push('report.json');
  const shown = written.length > 8 ? [...written.slice(0, 7), `… (${written.length} files)`] : written;
  if (cuts.length) say(`mesh exports trimmed by ${cuts.length} cut plane(s)`);
  say(`wrote ${shown.join(', ')} to ${outDir} (${report.totalTriangles} triangles, ${(report.timingsMs.total / 1000).toFixed(1)} s, ${report.backend})`);
  return 0;
}
