/**
 * The case package: what a team session's joiners need to see the host's hologram, and nothing about
 * the patient. Three content-addressed blobs (sha256 of their bytes) and a small JSON manifest:
 *
 * - `glb`: the meshes (HoloCT GLB, patient LPS frame, class names only);
 * - `labels`: the label map on the CT grid ({@link encodeLabelBlob});
 * - `ct`: the CT the cut planes sample, Int16 HU, box-downsampled when over a voxel budget.
 *
 * De-identification by construction: each blob is written from typed geometry and voxels only (a
 * `Volume` object that carries anything else, e.g. a `patient` field someone attached, leaves it
 * behind); the manifest holds the case id (voxel hash + model name), the model's class list and the
 * blob refs. No series description, file name, date or UID goes in.
 *
 * Joiner side: {@link openCasePackage} downloads each distinct blob once, checks its length and
 * hash before decoding anything, and returns the rebuilt case only when all three are good.
 */
import { sha256Hex, voxelSha256 } from '../dicom/sha256';
import { caseIdOf as caseIdOfSha } from '../state/shared-state';
import { STRUCTURE_GROUPS, type ClassInfo } from '../segmentation/manifest';
import { outOfScopeBodyPart, outOfScopeNote, type ScopeCheck } from '../segmentation/scope';
import { meshesToGlb } from '../surfaces/glb';
import { glbToMeshes } from '../surfaces/glb-read';
import type { SurfaceMesh } from '../surfaces/types';
import { downsampleFactors, downsampleVolume } from '../volume/downsample';
import type { Grid, LabelMap, Vec3, Volume } from '../volume/types';
import { voxelCount } from '../volume/types';
import { decodeCtBlob, decodeLabelBlob, encodeCtBlob, encodeLabelBlob } from './grid-blob';

export const CASE_PACKAGE_SCHEMA = 'holoct.case-package/1';
export const BLOB_NAMES = ['glb', 'labels', 'ct'] as const;
export type BlobName = (typeof BLOB_NAMES)[number];

/** Default CT budget: 2^24 voxels (32 MiB of Int16 before compression). */
export const DEFAULT_MAX_CT_VOXELS = 2 ** 24;

export interface BlobRef {
  /** Lower-case hex sha256 of the blob's bytes. */
  sha256: string;
  /** Length of the blob in bytes. */
  bytes: number;
}

/** The class fields a joiner's scene needs (colours, groups, opacity); no model internals. */
export type PackageClass = Pick<ClassInfo, 'id' | 'name' | 'label' | 'group' | 'color' | 'opacity'>;

export interface CasePackageManifest {
  schema: typeof CASE_PACKAGE_SCHEMA;
  /** {@link caseIdOf} the full-resolution CT: `<voxelSha256>:<model slug>`. */
  caseId: string;
  /** Model name (ModelManifest.name). */
  model: string;
  classes: PackageClass[];
  blobs: Record<BlobName, BlobRef>;
  /** Box factors the CT blob was downsampled by along i, j, k ([1,1,1] when sent at full resolution). */
  ctDownsample: Vec3;
  /**
   * The PACS series the host loaded, when it came from one: a member who reaches the same PACS may
   * take the full-resolution CT from there instead of the blob (accepted only when its voxels give the
   * same case id). UIDs only: no name, ID, date or accession.
   */
  pacs?: PacsSeriesRef;
  /**
   * The series' region when it lies outside the model's scope (src/segmentation/scope.ts: its Body Part
   * Examined, or the scope's words its free-text names hold):
   * the host's report warns that the labels are not reliable, and so does every member's view. Absent
   * when in scope or unknown. A region word, no identity.
   */
  outOfScope?: string;
}

/** A DICOM series by its UIDs. */
export interface PacsSeriesRef {
  studyInstanceUID: string;
  seriesInstanceUID: string;
}

export interface CasePackage {
  manifest: CasePackageManifest;
  /** The blob bytes by name; upload each under its sha256. */
  blobs: Record<BlobName, Uint8Array>;
}

export interface CaseContent {
  volume: Volume;
  labels: LabelMap;
  meshes: readonly SurfaceMesh[];
  classes: readonly ClassInfo[];
  /** ModelManifest.name */
  model: string;
  /** The series checked against the model's scope (PipelineReport.scope). */
  scope?: ScopeCheck;
}

/** What a joiner rebuilds from a package. `volume` is the CT as sent (maybe downsampled). */
export interface OpenedCase {
  caseId: string;
  model: string;
  classes: ClassInfo[];
  volume: Volume & { data: Int16Array };
  labels: LabelMap;
  meshes: SurfaceMesh[];
  /** Set when the host's series was outside the model's scope. */
  scope?: ScopeCheck;
}

export class CasePackageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CasePackageError';
  }
}

/**
 * The case id, "<voxelSha256>:<model slug>" (the shared state's format): the hash of the CT's HU and
 * the model (its name as a slug of letters, digits, '.', '_', '-'), whatever the file format or transfer syntax: the same on every path that loads this CT
 * with this model, and free of any text a site could have typed.
 */
export function caseIdOf(volume: Pick<Volume, 'data'>, model: string): string {
  return caseIdFromVoxelSha(voxelSha256(volume), model);
}

/** The same id from a voxel hash computed elsewhere (the app hashes with WebCrypto off the main path). */
export function caseIdFromVoxelSha(voxelSha: string, model: string): string {
  if (!/^[0-9a-f]{64}$/.test(voxelSha)) throw new CasePackageError(`"${voxelSha.slice(0, 70)}" is not a voxel sha256`);
  return caseIdOfSha(voxelSha, model);
}

export function buildCasePackage(content: CaseContent, options: { maxCtVoxels?: number; caseId?: string; pacs?: PacsSeriesRef } = {}): CasePackage {
  const { volume, labels, meshes, classes, model } = content;
  const factors = downsampleFactors(volume, options.maxCtVoxels ?? DEFAULT_MAX_CT_VOXELS);
  const ct = factors.every((f) => f === 1) ? toInt16(volume) : downsampleVolume(volume, factors);
  const blobs: Record<BlobName, Uint8Array> = {
    glb: meshesToGlb(meshes, classes),
    labels: encodeLabelBlob(labels),
    ct: encodeCtBlob(ct),
  };
  const ref = (b: Uint8Array): BlobRef => ({ sha256: sha256Hex(b), bytes: b.length });
  const outside = outOfScopeBodyPart(content.scope);
  const manifest: CasePackageManifest = {
    schema: CASE_PACKAGE_SCHEMA,
    caseId: options.caseId ?? caseIdOf(volume, model),
    model,
    classes: classes.map(({ id, name, label, group, color, opacity }) => ({ id, name, label, group, color, opacity })),
    blobs: { glb: ref(blobs.glb), labels: ref(blobs.labels), ct: ref(blobs.ct) },
    ctDownsample: factors,
    ...(options.pacs && isPacsRef(options.pacs) ? { pacs: options.pacs } : {}),
    ...(outside !== undefined ? { outOfScope: packageBodyPart(outside) } : {}),
  };
  return { manifest, blobs };
}

function toInt16(volume: Volume): Grid & { data: Int16Array } {
  const { dims, spacing, origin, direction } = volume;
  if (volume.data instanceof Int16Array) return { dims, spacing, origin, direction, data: volume.data };
  const data = new Int16Array(voxelCount(volume));
  for (let i = 0; i < data.length; i++) data[i] = Math.max(-32768, Math.min(32767, Math.round(volume.data[i])));
  return { dims, spacing, origin, direction, data };
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses an untrusted manifest (from the shared document or the network); throws CasePackageError naming the field. */
export function parseCasePackageManifest(value: unknown): CasePackageManifest {
  const bad = (why: string) => new CasePackageError(`case package manifest: ${why}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not an object');
  const m = value as Record<string, unknown>;
  if (m.schema !== CASE_PACKAGE_SCHEMA) throw bad(`schema ${JSON.stringify(m.schema)} is not "${CASE_PACKAGE_SCHEMA}" (is the other HoloCT a different version?)`);
  if (typeof m.caseId !== 'string' || m.caseId.length < 1 || m.caseId.length > 300) throw bad('caseId must be a string of 1–300 characters');
  if (typeof m.model !== 'string' || m.model.length < 1 || m.model.length > 200) throw bad('model must be a string of 1–200 characters');
  if (!Array.isArray(m.classes) || m.classes.length > 255) throw bad('classes must be a list of at most 255 classes');
  const classes = m.classes.map((c, i) => parseClass(c, i, bad));
  if (new Set(classes.map((c) => c.id)).size !== classes.length || new Set(classes.map((c) => c.name)).size !== classes.length) throw bad('class ids and names must be unique');
  const blobs = m.blobs as Record<string, unknown> | null;
  if (typeof blobs !== 'object' || blobs === null) throw bad('blobs missing');
  const refs = {} as Record<BlobName, BlobRef>;
  for (const name of BLOB_NAMES) {
    const r = blobs[name] as Record<string, unknown> | undefined;
    if (!r || typeof r.sha256 !== 'string' || !HEX64.test(r.sha256)) throw bad(`blobs.${name}.sha256 must be 64 lower-case hex digits`);
    if (typeof r.bytes !== 'number' || !Number.isInteger(r.bytes) || r.bytes < 1) throw bad(`blobs.${name}.bytes must be a positive integer`);
    refs[name] = { sha256: r.sha256, bytes: r.bytes };
  }
  const f = m.ctDownsample;
  if (!Array.isArray(f) || f.length !== 3 || !f.every((x) => Number.isInteger(x) && x >= 1 && x <= 64)) throw bad('ctDownsample must be 3 integers 1–64');
  const pacs = m.pacs === undefined ? undefined : parsePacsRef(m.pacs, bad);
  if (m.outOfScope !== undefined && !isBodyPart(m.outOfScope)) throw bad('outOfScope must be a body part: 1–64 printable ASCII characters');
  const outOfScope = m.outOfScope as string | undefined;
  return { schema: CASE_PACKAGE_SCHEMA, caseId: m.caseId, model: m.model, classes, blobs: refs, ctDownsample: [f[0], f[1], f[2]], ...(pacs ? { pacs } : {}), ...(outOfScope ? { outOfScope } : {}) };
}

/** A Body Part Examined value this version carries: 1–64 printable ASCII characters (the DICOM CS is at most 16). */
function isBodyPart(value: unknown): value is string {
  return typeof value === 'string' && /^[\x20-\x7e]{1,64}$/.test(value) && value.trim() !== '';
}

/** The body part as a package carries it: printable ASCII (others become '?'), at most 64 characters; never empty, so the warning always travels. */
function packageBodyPart(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').trim().slice(0, 64) || 'UNRECOGNISED';
}

/** What a member is told of a case whose host series lay outside the model's scope. */
export function sharedScope(bodyPart: string): ScopeCheck {
  return { bodyPart, inScope: false, note: outOfScopeNote(bodyPart, undefined, "the host's series' region") };
}

/** DICOM UIDs: digits and dots, at most 64 characters (PS3.5 §9.1). */
const DICOM_UID = /^[0-9]+(\.[0-9]+)*$/;

/** UIDs this version can offer (some PACS send longer or non-conforming ones: then a package simply does not name the series). */
function isPacsRef(ref: PacsSeriesRef): boolean {
  return [ref.studyInstanceUID, ref.seriesInstanceUID].every((uid) => typeof uid === 'string' && uid.length <= 64 && DICOM_UID.test(uid));
}

function parsePacsRef(value: unknown, bad: (why: string) => Error): PacsSeriesRef {
  const r = value as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null) throw bad('pacs must be an object');
  for (const key of ['studyInstanceUID', 'seriesInstanceUID'] as const) {
    const uid = r[key];
    if (typeof uid !== 'string' || uid.length > 64 || !DICOM_UID.test(uid)) throw bad(`pacs.${key} must be a DICOM UID (digits and dots, ≤ 64 characters)`);
  }
  return { studyInstanceUID: r.studyInstanceUID as string, seriesInstanceUID: r.seriesInstanceUID as string };
}

function parseClass(value: unknown, index: number, bad: (why: string) => Error): PackageClass {
  const c = value as Record<string, unknown>;
  const where = `classes[${index}]`;
  if (typeof c !== 'object' || c === null) throw bad(`${where} is not an object`);
  if (!Number.isInteger(c.id) || (c.id as number) < 1 || (c.id as number) > 255) throw bad(`${where}.id must be an integer 1–255`);
  for (const key of ['name', 'label'] as const) {
    if (typeof c[key] !== 'string' || (c[key] as string).length < 1 || (c[key] as string).length > 100) throw bad(`${where}.${key} must be a string of 1–100 characters`);
  }
  if (!STRUCTURE_GROUPS.includes(c.group as ClassInfo['group'])) throw bad(`${where}.group must be one of ${STRUCTURE_GROUPS.join(', ')}`);
  if (typeof c.color !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(c.color)) throw bad(`${where}.color must be "#rrggbb"`);
  if (typeof c.opacity !== 'number' || !(c.opacity >= 0 && c.opacity <= 1)) throw bad(`${where}.opacity must be 0–1`);
  return { id: c.id as number, name: c.name as string, label: c.label as string, group: c.group as ClassInfo['group'], color: c.color, opacity: c.opacity };
}

export type BlobFetcher = (sha256: string, name: BlobName) => Promise<Uint8Array>;

/**
 * Downloads, verifies and decodes a package. Each distinct blob is fetched once; a blob whose length
 * or sha256 differs from the manifest is refused before it is decoded, and nothing is returned
 * unless every blob is good, so a caller that swaps its scene only on success loses nothing.
 */
export async function openCasePackage(manifestValue: unknown, fetchBlob: BlobFetcher, options: { ct?: OpenedCase['volume'] } = {}): Promise<OpenedCase> {
  const manifest = parseCasePackageManifest(manifestValue);
  const pending = new Map<string, Promise<Uint8Array>>();
  const get = (name: BlobName): Promise<Uint8Array> => {
    const ref = manifest.blobs[name];
    let p = pending.get(ref.sha256);
    if (!p) {
      p = fetchBlob(ref.sha256, name).then((bytes) => verifyBlob(bytes, ref, name));
      pending.set(ref.sha256, p);
    }
    return p;
  };
  // a CT the caller took elsewhere (the same PACS series, checked against the case id) spares the CT blob
  const [glb, labelBytes, ctBytes] = await Promise.all([get('glb'), get('labels'), options.ct ? undefined : get('ct')]);
  const classes: ClassInfo[] = manifest.classes.map((c) => ({ ...c, sourceNames: [] }));
  try {
    return {
      caseId: manifest.caseId,
      model: manifest.model,
      classes,
      meshes: glbToMeshes(glb, classes),
      labels: decodeLabelBlob(labelBytes),
      volume: options.ct ?? decodeCtBlob(ctBytes!),
      ...(manifest.outOfScope ? { scope: sharedScope(manifest.outOfScope) } : {}),
    };
  } catch (error) {
    throw new CasePackageError(`case package ${manifest.caseId}: a verified blob could not be decoded: ${(error as Error).message}`, { cause: error });
  }
}

/** The blob itself when its length and hash are the manifest's; a CasePackageError otherwise. */
export function verifyBlob(bytes: Uint8Array, ref: BlobRef, name: string): Uint8Array {
  if (bytes.length !== ref.bytes) {
    throw new CasePackageError(`case blob "${name}" (${ref.sha256.slice(0, 12)}…): got ${bytes.length} bytes, expected ${ref.bytes}; nothing was loaded`);
  }
  const actual = sha256Hex(bytes);
  if (actual !== ref.sha256) {
    throw new CasePackageError(`case blob "${name}": sha256 ${actual.slice(0, 12)}… does not match ${ref.sha256.slice(0, 12)}… (damaged or altered download); nothing was loaded`);
  }
  return bytes;
}
