/**
 * The desktop download menu: the visible structures as STL (one per structure and one of the whole
 * visible set, zipped), OBJ + MTL (zipped) or GLB, with or without the cuts applied (closed solids).
 *
 * The files are made in a worker of their own (started on the first download): cutting a full
 * hologram with manifold-3d and zipping it take seconds on a laptop core, and the scene must keep its
 * frame rate meanwhile. The page sends a copy of the visible meshes; the worker sends the bytes back.
 */

import type { ClassInfo } from '../segmentation/manifest';
import type { CutPlane } from '../surfaces/cut';
import type { DownloadKind } from '../surfaces/export-files';
import type { SurfaceMesh } from '../surfaces/types';
import { startExportWorker } from '../worker/export-client';

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

export interface ExportMenuOptions {
  classes: readonly ClassInfo[];
  /** The model's name, recorded in STL headers and OBJ comments. */
  model: string;
}

const KINDS: Array<{ kind: DownloadKind; label: string; title: string }> = [
  { kind: 'stl', label: 'STL (.zip)', title: 'One STL per visible structure and one of the whole visible set, patient LPS mm (3D printing, planning software)' },
  { kind: 'obj', label: 'OBJ + MTL (.zip)', title: 'One object per visible structure with its colour, patient LPS mm' },
  { kind: 'glb', label: 'GLB', title: 'glTF binary, one node per visible structure (viewers, AR)' },
];

export class ExportMenu {
  private source?: ExportSource;
  private worker?: ReturnType<typeof startExportWorker>;
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
    note.textContent = 'Visible structures, patient LPS millimetres. No patient name or ID is written into these files.';
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

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }

  private async download(kind: DownloadKind): Promise<void> {
    const source = this.source;
    if (!source) return;
    const visible = source.meshes().filter((m) => source.isVisible(m.name) && m.indices.length >= 3);
    if (!visible.length) {
      this.status.textContent = 'Nothing to export: show at least one structure.';
      return;
    }
    const planes = this.withCuts.checked ? source.cutPlanes().map(({ normal, offset }) => ({ normal: [...normal] as [number, number, number], offset })) : [];
    for (const b of this.buttons) b.disabled = true;
    this.status.textContent = planes.length ? `Cutting ${visible.length} structure(s) by ${planes.length} plane(s)…` : 'Preparing…';
    try {
      this.worker ??= startExportWorker();
      const result = await this.worker.api.build({ kind, meshes: [...visible], planes, classes: [...this.options.classes], model: this.options.model });
      if (!result.structures) {
        this.status.textContent = 'Nothing left on the kept side of the cuts.';
        return;
      }
      saveFile(result.fileName, result.bytes, result.mime);
      const cutNote = this.withCuts.checked ? (planes.length ? `, cut by ${planes.length} plane(s)` : ', no cut in effect') : '';
      this.status.textContent = `${result.fileName}: ${result.structures} structure(s)${cutNote}, ${(result.bytes.length / 1048576).toFixed(1)} MB.`;
    } catch (error) {
      this.status.textContent = `Export failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      for (const b of this.buttons) b.disabled = false;
    }
  }
}

/** Hands bytes to the browser's download (made here, nothing uploaded). */
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
