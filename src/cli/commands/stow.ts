/**
 * `holoct stow <file.dcm>… --pacs <dicomweb-root>`: stores DICOM instances (a `seg.dcm` from
 * `holoct segment --export seg`) in their study on a PACS with STOW-RS — the PACS the study came
 * from, so radiology sees the segmentation beside the CT.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { dicomParser } from '../../dicom/header';
import { storeInstances } from '../../pacs/index';
import { parseArgs, UsageError } from '../args';
import type { CliIO } from '../main';

const USAGE = 'usage: holoct stow <file.dcm>… --pacs <DICOMweb root, e.g. http://pacs:8042/dicom-web> [--token <bearer token>]';

/** StudyInstanceUID and SOPInstanceUID of a Part 10 file (header only). */
function uidsOf(bytes: Uint8Array, name: string): { study: string; sop: string; modality: string } {
  let ds;
  try {
    ds = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
  } catch (error) {
    throw new Error(`${name}: not a readable DICOM file`, { cause: error });
  }
  const study = ds.string('x0020000d')?.trim();
  if (!study) throw new Error(`${name}: no StudyInstanceUID, so there is no study to store it in`);
  return { study, sop: ds.string('x00080018')?.trim() ?? '', modality: ds.string('x00080060')?.trim() ?? '' };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(args, { values: ['pacs', 'token'] });
    if (parsed.positionals.length === 0 || !parsed.values.get('pacs')) throw new UsageError('one or more files and --pacs are required');
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const token = parsed.values.get('token');
  const connection = { baseUrl: parsed.values.get('pacs')!, headers: token ? { Authorization: `Bearer ${token}` } : undefined };
  // One STOW-RS request per study: the files may belong to different studies.
  const byStudy = new Map<string, { bytes: Uint8Array; name: string; sop: string; modality: string }[]>();
  for (const path of parsed.positionals) {
    const bytes = new Uint8Array(await readFile(path));
    const { study, sop, modality } = uidsOf(bytes, path);
    const list = byStudy.get(study) ?? [];
    list.push({ bytes, name: basename(path), sop, modality });
    byStudy.set(study, list);
  }
  for (const [study, files] of byStudy) {
    const result = await storeInstances(connection, study, files.map((f) => f.bytes));
    for (const f of files) {
      const confirmed = result.stored.length === 0 || result.stored.includes(f.sop);
      io.stdout(`${f.name}: ${f.modality || 'instance'} ${f.sop} stored in study ${study}${confirmed ? '' : ' (the server did not list it as stored)'}`);
    }
  }
  return 0;
}
