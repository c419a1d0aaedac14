/**
 * DICOMweb search (QIDO-RS), retrieval (WADO-RS) and storage (STOW-RS) with dicomweb-client, as plain functions over a
 * {@link PacsConnection}. No DOM, no Node API, no decoding: retrieved instances are DICOM Part 10
 * bytes for the same `scanDicomFiles` / `loadInput` path as files from a folder.
 */
import { api } from 'dicomweb-client';
import type { DicomInputFile } from '../dicom/types';
import { numberOf, stringOf, stringsOf, TAG, type DicomJsonDataset } from './dicom-json';
import { FetchXhr } from './fetch-xhr';
import {
  PacsError,
  type PacsConnection,
  type PacsInstance,
  type PacsSeries,
  type PacsStudy,
  type RequestOptions,
  type RetrieveOptions,
  type StudyQuery,
} from './types';

const STUDY_FIELDS = [TAG.studyDescription, TAG.modalitiesInStudy, TAG.numberOfStudyRelatedSeries, TAG.numberOfStudyRelatedInstances];
const SERIES_FIELDS = [TAG.seriesDescription, TAG.seriesNumber, TAG.modality, TAG.numberOfSeriesRelatedInstances];
/** Instances listed per QIDO-RS page (servers may cap a page lower; we keep asking while pages are full). */
const INSTANCE_PAGE = 5000;
const DEFAULT_LIMIT = 100;

/**
 * The dicomweb-client methods HoloCT calls, typed as they behave (0.11's bundled .d.ts omits the
 * per-call `request` option and declares arrays where promises come back).
 */
interface RequestOption {
  request: { instance: XMLHttpRequest };
}
interface Client {
  searchForStudies(options: RequestOption & { queryParams: Record<string, string> }): Promise<unknown>;
  searchForSeries(options: RequestOption & { studyInstanceUID: string; queryParams: Record<string, string> }): Promise<unknown>;
  searchForInstances(options: RequestOption & { studyInstanceUID: string; seriesInstanceUID: string; queryParams: Record<string, string> }): Promise<unknown>;
  retrieveInstance(options: RequestOption & { studyInstanceUID: string; seriesInstanceUID: string; sopInstanceUID: string }): Promise<unknown>;
  storeInstances(options: RequestOption & { datasets: ArrayBuffer[]; studyInstanceUID?: string }): Promise<unknown>;
}

function rootOf(connection: PacsConnection): string {
  const root = connection.baseUrl.trim().replace(/\/+$/, '');
  if (!root) throw new PacsError('no DICOMweb server URL was given');
  return root;
}

/**
 * Accept header of a WADO-RS instance retrieval: Part 10 in whatever transfer syntax the server
 * stores (no transcoding, so lossless data stays exact and the server does no decoding work).
 * dicomweb-client 0.11 cannot ask for it: with `mediaTypes` [application/dicom] it throws "Media
 * type application/ is not supported" (its _getSharedMediaTypes drops the subtype; known, see
 * dcmjs-org/dicomweb-client PR #56), and without, it sends no transfer-syntax, which a server may
 * answer by transcoding to Explicit VR Little Endian. So the header goes in as a client header, which
 * dicomweb-client sets after its own and which {@link FetchXhr} lets replace it.
 */
const ACCEPT_PART10_AS_STORED = 'multipart/related; type="application/dicom"; transfer-syntax=*';

function clientFor(connection: PacsConnection, extraHeaders: Record<string, string> = {}): Client {
  return new api.DICOMwebClient({
    url: rootOf(connection),
    headers: { ...connection.headers, ...extraHeaders },
    singlepart: false,
    verbose: false,
  }) as unknown as Client;
}

function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof Error || (typeof DOMException !== 'undefined' && reason instanceof DOMException)) return reason;
  return new DOMException('PACS request cancelled', 'AbortError');
}

/**
 * Runs one dicomweb-client call on a fresh {@link FetchXhr} and turns its failure into a
 * {@link PacsError} that names the server, what was asked and why.
 */
async function request<T>(
  connection: PacsConnection,
  what: string,
  signal: AbortSignal | undefined,
  call: (client: Client, request: RequestOption['request']) => Promise<T>,
  extraHeaders?: Record<string, string>,
): Promise<T> {
  if (signal?.aborted) throw abortError(signal);
  const root = rootOf(connection);
  const fetchImpl = connection.fetch ?? globalThis.fetch.bind(globalThis);
  const xhr = new FetchXhr(fetchImpl, signal);
  try {
    return await call(clientFor(connection, extraHeaders), { instance: xhr as unknown as XMLHttpRequest });
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    throw describeFailure(root, what, xhr, error);
  }
}

function describeFailure(root: string, what: string, xhr: FetchXhr, error: unknown): PacsError {
  const url = xhr.url || root;
  const failure = xhr.failure;
  if (failure?.kind === 'network') {
    const reason = failure.error instanceof Error ? (failure.error.cause instanceof Error ? failure.error.cause.message : failure.error.message) : String(failure.error);
    return new PacsError(`cannot reach the DICOMweb server at ${root} (${what}): ${reason}`, { cause: failure.error, status: 0, url });
  }
  if (failure?.kind === 'not-json') {
    return new PacsError(
      `${root} is not a DICOMweb server: ${what} was answered with ${failure.contentType || 'no content type'} instead of DICOM JSON (check that the URL is the DICOMweb root, the one /studies is appended to)`,
      { cause: failure.error ?? error, status: xhr.status, url },
    );
  }
  if (xhr.status && xhr.readyState === 4) {
    const body = typeof xhr.response === 'string' ? xhr.response.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
    const hint =
      xhr.status === 401 || xhr.status === 403 ? ' — the server needs credentials this connection does not have'
      : xhr.status === 404 ? ' — check the DICOMweb root URL'
      : (xhr.status === 500 || xhr.status === 502 || xhr.status === 503 || xhr.status === 504) && root.startsWith('/') ? ' — the app server\'s DICOMweb proxy could not reach the PACS (see HOLOCT_PACS_URL in docs/pacs.md)'
      : '';
    return new PacsError(`the DICOMweb server at ${root} answered HTTP ${xhr.status}${xhr.statusText ? ` ${xhr.statusText}` : ''} to ${what}${hint}${body && !/<html/i.test(body) ? `: ${body}` : ''}`, { cause: error, status: xhr.status, url });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new PacsError(`${what} from ${root} failed: ${reason}`, { cause: error, url });
}

function queryParams(query: StudyQuery): Record<string, string> {
  const params: Record<string, string> = {};
  if (query.patientName?.trim()) params.PatientName = query.patientName.trim();
  if (query.patientId?.trim()) params.PatientID = query.patientId.trim();
  if (query.studyDate?.trim()) params.StudyDate = query.studyDate.trim();
  if (query.accessionNumber?.trim()) params.AccessionNumber = query.accessionNumber.trim();
  params.limit = String(query.limit ?? DEFAULT_LIMIT);
  params.includefield = STUDY_FIELDS.join(',');
  return params;
}

function toStudy(d: DicomJsonDataset): PacsStudy | undefined {
  const studyInstanceUID = stringOf(d, TAG.studyInstanceUID);
  if (!studyInstanceUID) return undefined;
  return {
    studyInstanceUID,
    patientName: stringOf(d, TAG.patientName),
    patientId: stringOf(d, TAG.patientId),
    studyDate: stringOf(d, TAG.studyDate),
    accessionNumber: stringOf(d, TAG.accessionNumber),
    description: stringOf(d, TAG.studyDescription),
    modalities: stringsOf(d, TAG.modalitiesInStudy),
    seriesCount: numberOf(d, TAG.numberOfStudyRelatedSeries),
    instanceCount: numberOf(d, TAG.numberOfStudyRelatedInstances),
  };
}

function asDatasets(answer: unknown, what: string, root: string): DicomJsonDataset[] {
  if (answer === null || answer === undefined || answer === '') return [];
  if (!Array.isArray(answer)) throw new PacsError(`${root} answered ${what} with something other than a DICOM JSON array`);
  return answer as DicomJsonDataset[];
}

/** QIDO-RS: studies matching one query, newest first. */
export async function searchStudies(connection: PacsConnection, query: StudyQuery, options: RequestOptions = {}): Promise<PacsStudy[]> {
  const what = 'the study search';
  const answer = await request(connection, what, options.signal, (client, req) =>
    client.searchForStudies({ queryParams: queryParams(query), request: req }));
  const studies = asDatasets(answer, what, rootOf(connection)).map(toStudy).filter((s): s is PacsStudy => !!s);
  return sortStudies(studies);
}

function sortStudies(studies: PacsStudy[]): PacsStudy[] {
  return studies.sort((a, b) => (b.studyDate ?? '').localeCompare(a.studyDate ?? '') || a.studyInstanceUID.localeCompare(b.studyInstanceUID));
}

const DATE = /^(\d{4})-?(\d{2})-?(\d{2})$/;

function normalizeDate(text: string): string | undefined {
  const m = DATE.exec(text.trim());
  return m ? `${m[1]}${m[2]}${m[3]}` : undefined;
}

/**
 * What one search box means. `name:…`, `id:…`, `acc:…`, `date:…` pick one attribute. A date
 * (`20221208`, `2022-12-08`) or a range (`20220101-20221231`, `2022-01-01..2022-12-31`, open
 * ends allowed) searches StudyDate. Other text searches PatientName (`*text*`, spaces and commas
 * as wildcards, or the user's own `*`/`?`), PatientID and AccessionNumber. Empty text lists all
 * studies (up to the limit).
 */
export function queriesForText(text: string): StudyQuery[] {
  const t = text.trim();
  if (!t) return [{}];
  const prefixed = /^(name|id|acc|accession|date):\s*(.*)$/i.exec(t);
  if (prefixed) {
    const value = prefixed[2].trim();
    switch (prefixed[1].toLowerCase()) {
      case 'name': return [{ patientName: nameQuery(value) }];
      case 'id': return [{ patientId: value }];
      case 'date': return [{ studyDate: dateQuery(value) ?? value }];
      default: return [{ accessionNumber: value }];
    }
  }
  const date = dateQuery(t);
  if (date) return [{ studyDate: date }];
  return [{ patientName: nameQuery(t) }, { patientId: t }, { accessionNumber: t }];
}

function nameQuery(text: string): string {
  if (/[*?]/.test(text)) return text;
  const words = text.split(/[\s,^]+/).filter(Boolean);
  return `*${words.join('*')}*`;
}

function dateQuery(text: string): string | undefined {
  const single = normalizeDate(text);
  if (single) return single;
  const range = /^(\d{4}-?\d{2}-?\d{2})?\s*(?:\.\.|–|to|\s-\s|-)\s*(\d{4}-?\d{2}-?\d{2})?$/i.exec(text.trim());
  if (!range || (!range[1] && !range[2])) return undefined;
  const from = range[1] ? normalizeDate(range[1]) : '';
  const to = range[2] ? normalizeDate(range[2]) : '';
  if (from === undefined || to === undefined) return undefined;
  return `${from}-${to}`;
}

/**
 * One search box → studies: runs {@link queriesForText}'s queries (in parallel) and merges them by
 * StudyInstanceUID, newest first.
 */
export async function searchStudiesByText(connection: PacsConnection, text: string, options: RequestOptions & { limit?: number } = {}): Promise<PacsStudy[]> {
  const answers = await Promise.all(queriesForText(text).map((q) => searchStudies(connection, { ...q, limit: options.limit }, options)));
  const byUid = new Map<string, PacsStudy>();
  for (const study of answers.flat()) if (!byUid.has(study.studyInstanceUID)) byUid.set(study.studyInstanceUID, study);
  return sortStudies([...byUid.values()]);
}

/** QIDO-RS: the series of a study, by SeriesNumber. */
export async function searchSeries(connection: PacsConnection, studyInstanceUID: string, options: RequestOptions = {}): Promise<PacsSeries[]> {
  const what = `the series search of study ${studyInstanceUID}`;
  const answer = await request(connection, what, options.signal, (client, req) =>
    client.searchForSeries({ studyInstanceUID, queryParams: { includefield: SERIES_FIELDS.join(',') }, request: req }));
  const series: PacsSeries[] = [];
  for (const d of asDatasets(answer, what, rootOf(connection))) {
    const seriesInstanceUID = stringOf(d, TAG.seriesInstanceUID);
    if (!seriesInstanceUID) continue;
    series.push({
      studyInstanceUID,
      seriesInstanceUID,
      modality: stringOf(d, TAG.modality) ?? '',
      description: stringOf(d, TAG.seriesDescription) ?? '',
      seriesNumber: numberOf(d, TAG.seriesNumber),
      instanceCount: numberOf(d, TAG.numberOfSeriesRelatedInstances),
    });
  }
  return series.sort((a, b) => (a.seriesNumber ?? Infinity) - (b.seriesNumber ?? Infinity) || a.seriesInstanceUID.localeCompare(b.seriesInstanceUID));
}

/** QIDO-RS: every instance of a series (page by page), by InstanceNumber. */
export async function listInstances(
  connection: PacsConnection,
  series: { studyInstanceUID: string; seriesInstanceUID: string },
  options: RequestOptions = {},
): Promise<PacsInstance[]> {
  const what = `the instance list of series ${series.seriesInstanceUID}`;
  const byUid = new Map<string, PacsInstance>();
  for (let offset = 0; ; offset += INSTANCE_PAGE) {
    const answer = await request(connection, what, options.signal, (client, req) =>
      client.searchForInstances({
        studyInstanceUID: series.studyInstanceUID,
        seriesInstanceUID: series.seriesInstanceUID,
        queryParams: { includefield: TAG.instanceNumber, limit: String(INSTANCE_PAGE), offset: String(offset) },
        request: req,
      }));
    const page = asDatasets(answer, what, rootOf(connection));
    let added = 0;
    for (const d of page) {
      const sopInstanceUID = stringOf(d, TAG.sopInstanceUID);
      if (!sopInstanceUID || byUid.has(sopInstanceUID)) continue;
      byUid.set(sopInstanceUID, { sopInstanceUID, instanceNumber: numberOf(d, TAG.instanceNumber) });
      added++;
    }
    // A server that ignores limit/offset sends everything at once: a page with nothing new ends it.
    if (page.length < INSTANCE_PAGE || added === 0) break;
  }
  return [...byUid.values()].sort((a, b) => (a.instanceNumber ?? Infinity) - (b.instanceNumber ?? Infinity) || a.sopInstanceUID.localeCompare(b.sopInstanceUID));
}

/**
 * WADO-RS: every instance of a series as DICOM Part 10 bytes in the stored transfer syntax
 * (`transfer-syntax=*`: no transcoding by the server, so lossless data stays exact). Instances are
 * fetched a few at a time; `onProgress` counts instances. Rejects with the signal's reason when
 * cancelled, or with a {@link PacsError}. An empty series is an error.
 */
export async function retrieveSeries(
  connection: PacsConnection,
  series: { studyInstanceUID: string; seriesInstanceUID: string },
  options: RetrieveOptions = {},
): Promise<DicomInputFile[]> {
  const { signal, onProgress } = options;
  const instances = await listInstances(connection, series, { signal });
  if (instances.length === 0) throw new PacsError(`series ${series.seriesInstanceUID} has no instances on ${rootOf(connection)}`);
  const total = instances.length;
  const files: DicomInputFile[] = new Array(total);
  let next = 0;
  let done = 0;
  onProgress?.(0, total);
  const worker = async () => {
    while (next < total) {
      if (signal?.aborted) throw abortError(signal);
      const index = next++;
      const { sopInstanceUID } = instances[index];
      const what = `the retrieval of instance ${index + 1} of ${total} (${sopInstanceUID})`;
      const part = await request(connection, what, signal, (client, req) =>
        client.retrieveInstance({
          studyInstanceUID: series.studyInstanceUID,
          seriesInstanceUID: series.seriesInstanceUID,
          sopInstanceUID,
          request: req,
        }), { Accept: ACCEPT_PART10_AS_STORED });
      if (!(part instanceof ArrayBuffer) || part.byteLength === 0) {
        throw new PacsError(`${what} from ${rootOf(connection)} returned no DICOM data`);
      }
      files[index] = { name: `${sopInstanceUID}.dcm`, bytes: new Uint8Array(part) };
      done++;
      onProgress?.(done, total);
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? 4, total));
  await Promise.all(Array.from({ length: lanes }, worker));
  return files;
}

/** What a STOW-RS store answered: the instances stored, and those refused with their reasons. */
export interface StoreResult {
  stored: string[];
  failed: { sopInstanceUID: string; reason: string }[];
}

const FAILED_SOP_SEQUENCE = '00081198';
const REFERENCED_SOP_SEQUENCE = '00081199';
const REFERENCED_SOP_INSTANCE_UID = '00081155';
const FAILURE_REASON = '00081197';

/** The STOW-RS answer (PS3.18 10.5.3), when the server sent DICOM JSON; otherwise nothing to tell. */
function storeAnswer(answer: unknown): StoreResult {
  let json: unknown = answer;
  if (typeof answer === 'string') {
    try { json = JSON.parse(answer); } catch { return { stored: [], failed: [] }; }
  }
  const dataset = (Array.isArray(json) ? json[0] : json) as DicomJsonDataset | undefined;
  if (!dataset || typeof dataset !== 'object') return { stored: [], failed: [] };
  const items = (tag: string) => ((dataset as Record<string, { Value?: DicomJsonDataset[] }>)[tag]?.Value ?? []);
  return {
    stored: items(REFERENCED_SOP_SEQUENCE).map((d) => stringOf(d, REFERENCED_SOP_INSTANCE_UID) ?? '').filter(Boolean),
    failed: items(FAILED_SOP_SEQUENCE).map((d) => ({
      sopInstanceUID: stringOf(d, REFERENCED_SOP_INSTANCE_UID) ?? '(unknown instance)',
      reason: `failure reason 0x${(numberOf(d, FAILURE_REASON) ?? 0).toString(16).padStart(4, '0')}`,
    })),
  };
}

/**
 * STOW-RS: stores DICOM Part 10 instances (e.g. a segmentation) in a study on the server. Rejects
 * with a {@link PacsError} naming the server when the request fails or the server refuses any of
 * them (a FailedSOPSequence in its answer).
 */
export async function storeInstances(
  connection: PacsConnection,
  studyInstanceUID: string,
  instances: Uint8Array[],
  options: RequestOptions = {},
): Promise<StoreResult> {
  if (instances.length === 0) throw new PacsError('nothing to store: no DICOM instance was given');
  const what = `storing ${instances.length} instance${instances.length > 1 ? 's' : ''} in study ${studyInstanceUID}`;
  const datasets = instances.map((b) => b.slice().buffer as ArrayBuffer);
  const answer = await request(connection, what, options.signal, (client, req) =>
    client.storeInstances({ datasets, studyInstanceUID, request: req }), { Accept: 'application/dicom+json' });
  const result = storeAnswer(answer);
  if (result.failed.length) {
    throw new PacsError(`${rootOf(connection)} refused ${what}: ${result.failed.map((f) => `${f.sopInstanceUID} (${f.reason})`).join(', ')}`);
  }
  return result;
}
