import type { ClassInfo } from '../segmentation/manifest';
import type { CutPlane } from '../surfaces/cut';
import type { Download, DownloadKind } from '../surfaces/export-files';
import type { SurfaceMesh } from '../surfaces/types';

/** The typed protocol of the export worker (comlink): meshes in, one download out. */

export interface ExportRequest {
  kind: DownloadKind;
  /** The structures to export (copied to the worker; the page keeps its own). */
  meshes: SurfaceMesh[];
  /** Cuts to apply (closed solids); empty: the meshes as they are. */
  planes: CutPlane[];
  classes: ClassInfo[];
  /** The model's name, for STL headers and OBJ comments. */
  model: string;
}

export interface ExportResult extends Download {
  /** Structures in the download (after cutting, those with triangles left). */
  structures: number;
}

export interface ExportWorkerApi {
  build(request: ExportRequest): Promise<ExportResult>;
}
