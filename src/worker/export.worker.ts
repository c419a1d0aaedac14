/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import manifoldWasmUrl from 'manifold-3d/manifold.wasm?url';
import { cutMeshes, loadMeshCutter, type MeshCutter } from '../surfaces/cut';
import { exportDownload } from '../surfaces/export-files';
import type { ExportResult, ExportWorkerApi } from './export-protocol';

// Off the page: cutting a full hologram and zipping it take seconds; the scene keeps its frame rate.
// manifold-3d's wasm is fetched from this origin on the first export with cuts.
let cutter: Promise<MeshCutter> | undefined;

const api: ExportWorkerApi = {
  async build({ kind, meshes, planes, classes, model }): Promise<ExportResult> {
    let kept = meshes;
    if (planes.length) {
      cutter ??= loadMeshCutter({ locateWasm: () => manifoldWasmUrl }).catch((error) => {
        cutter = undefined;
        throw error;
      });
      kept = cutMeshes(meshes, planes, await cutter).filter((m) => m.indices.length >= 3);
    }
    const download = exportDownload(kind, kept, classes, { model });
    return Comlink.transfer({ ...download, structures: kept.length }, [download.bytes.buffer as ArrayBuffer]);
  },
};

Comlink.expose(api);
