/**
 * The desktop download menu: the visible structures as STL (one per structure and one of the whole
 * visible set, zipped), OBJ + MTL (zipped) or GLB, with or without the cuts applied (closed solids).
 *
 * Runs on the page, not in the pipeline worker: the meshes are already here (the worker handed them
 * over for the scene), the export is one click on the desktop (never during an XR frame), and the
 * writers are plain functions over typed arrays, so moving them to a worker later is a change of
 * caller only. manifold-3d's wasm (for cuts) is fetched on first use, from this origin.
 */

import { zipSync } from 'fflate';
import manifoldWasmUrl from 'manifold-3d/manifold.wasm?url';
import type { ClassInfo } from '../segmentation/manifest';
import { cutMeshes, loadMeshCutter, type CutPlane, type MeshCutter } from '../surfaces/cut';
import { glbExportFiles, objExportFiles, stlExportFiles, type ExportFile } from '../surfaces/export-files';
import type { SurfaceMesh } from '../surfaces/types';

/**
 * What the menu reads of the case on screen, and nothing more: the meshes, which structures are
 * shown and the cut planes now in effect. (The hologram state is read through this, so its shape can
 * change without touching the menu.)
 */
export interface ExportSource {
  /** Every structure's mesh, patient LPS mm. */
  meshes(): readonly SurfaceMesh[];
  /** Whether a structure is shown now. */
  isVisible(name: string): boolean;
  /** The cuts now in effect: each keeps normal · p ≤ offset (patient LPS mm). */
  cutPlanes(): readonly CutPlane[];
}

export type ExportKind = 'stl' | 'obj' | 'glb';

export interface ExportMenuOptions {
  classes: readonly ClassInfo[];
  /** The model's name, recorded in STL headers and OBJ comments. */
  model: string;
}

const KINDS: Array<{ kind: ExportKind; label: string; title: string }> = [
  { kind: 'stl', label: 'STL (.zip)', title: 'One STL per visible structure and one of the whole visible set, patient LPS mm (3D printing, planning software)' },
  { kind: 'obj', label: 'OBJ + MTL (.zip)', title: 'One object per visible structure with its colour, patient LPS mm' },
  { kind: 'glb', label: 'GLB', title: 'glTF binary, one node per visible structure (viewers, AR)' },
];

/** The files of one export, before download: a zip for STL/OBJ, the file itself for GLB. */
export function exportDownload(kind: ExportKind, meshes: readonly SurfaceMesh[], options: ExportMenuOptions): { fileName: string; bytes: Uint8Array; mime: string } {
  const files: ExportFile[] =
    kind === 'stl' ? stlExportFiles(meshes, { model: options.model }) :
    kind === 'obj' ? objExportFiles(meshes, options.classes, { model: options.model }) :
    glbExportFiles(meshes, options.classes);
  if (kind === 'glb') return { fileName: 'hologram.glb', bytes: files[0].data as Uint8Array, mime: 'model/gltf-binary' };
  const encoder = new TextEncoder();
  // Level 1: STL and OBJ shrink about as much as at level 6 here, in a fraction of the time.
  const zipped = zipSync(Object.fromEntries(files.map((f) => [f.path, typeof f.data === 'string' ? encoder.encode(f.data) : f.data])), { level: 1 });
  return { fileName: `hologram-${kind}.zip`, bytes: zipped, mime: 'application/zip' };
}

export class ExportMenu {
  private source?: ExportSource;
  private cutter?: Promise<MeshCutter>;
  private readonly withCuts: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly buttons: HTMLButtonElement[] = [];

  constructor(private readonly root: HTMLElement, private readonly options: ExportMenuOptions) {
    root.replaceChildren();
    const title = document.createElement('h2');
    title.textContent = 'Export';
    const row = document.createElement('div');
    row.className = 'buttons';
    for (const { kind, label, title: tip } of KINDS) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.title = tip;
      button.dataset.export = kind;
      button.addEventListener('click', () => void this.download(kind));
      row.append(button);
      this.buttons.push(button);
    }
    const cuts = document.createElement('label');
    this.withCuts = document.createElement('input');
    this.withCuts.type = 'checkbox';
    this.withCuts.id = 'export-with-cuts';
    cuts.append(this.withCuts, ' with cuts applied (closed solids)');
    const note = document.createElement('p');
    note.className = 'hint';
    note.textContent = 'Visible structures only. No patient name or ID is written into these files.';
    this.status = document.createElement('p');
    this.status.className = 'hint';
    this.status.setAttribute('aria-live', 'polite');
    root.append(title, row, cuts, note, this.status);
    root.hidden = true;
  }

  /** The case to export from; undefined hides the menu. */
  setSource(source: ExportSource | undefined): void {
    this.source = source;
    this.root.hidden = !source;
    this.status.textContent = '';
  }

  private async download(kind: ExportKind): Promise<void> {
    const source = this.source;
    if (!source) return;
    const visible = source.meshes().filter((m) => source.isVisible(m.name) && m.indices.length >= 3);
    if (!visible.length) {
      this.status.textContent = 'Nothing to export: show at least one structure.';
      return;
    }
    const planes = this.withCuts.checked ? source.cutPlanes() : [];
    for (const b of this.buttons) b.disabled = true;
    this.status.textContent = planes.length ? `Cutting ${visible.length} structure(s) by ${planes.length} plane(s)…` : 'Preparing…';
    try {
      // Let the status paint before the synchronous work.
      await new Promise((resolve) => setTimeout(resolve, 0));
      let meshes: readonly SurfaceMesh[] = visible;
      if (planes.length) {
        this.cutter ??= loadMeshCutter({ locateWasm: () => manifoldWasmUrl });
        meshes = cutMeshes(visible, planes, await this.cutter).filter((m) => m.indices.length >= 3);
        if (!meshes.length) {
          this.status.textContent = 'Nothing left on the kept side of the cuts.';
          return;
        }
      }
      const { fileName, bytes, mime } = exportDownload(kind, meshes, this.options);
      saveFile(fileName, bytes, mime);
      const cutNote = this.withCuts.checked ? (planes.length ? `, cut by ${planes.length} plane(s)` : ', no cut in effect') : '';
      this.status.textContent = `${fileName}: ${meshes.length} structure(s)${cutNote}, ${(bytes.length / 1048576).toFixed(1)} MB.`;
    } catch (error) {
      this.cutter = undefined;
      this.status.textContent = `Export failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      for (const b of this.buttons) b.disabled = false;
    }
  }
}

/** Hands bytes to the browser's download (same origin, nothing uploaded). */
function saveFile(fileName: string, bytes: Uint8Array, mime: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
