/**
 * What the app lends a team session (src/app/team-controller.ts): its scene, the case on show as a
 * package, the binding of its state store, its headset, and its PACS for a member's CT.
 */
import type { DicomInputFile } from '../dicom/types';
import type { PacsConnection } from '../pacs/index';
import type { DesktopScene } from '../scene/scene-setup';
import type { ClassInfo } from '../segmentation/manifest';
import type { HologramStore } from '../state';
import { bindSharedState } from '../state/yjs-binding';
import type { SurfaceMesh } from '../surfaces/types';
import { caseIdFromVoxelSha, type OpenedCase } from '../team/case-package';
import type { Volume } from '../volume/types';
import { buildCasePackageOffPage } from '../worker/case-package-client';
import type { SegmentResult } from '../worker/protocol';
import type { HoloXR } from '../xr/xr-session';
import { ctFromPacsVia } from './pacs-ct';
import type { PacsOrigin } from './pacs-panel';
import type { TeamAppHooks } from './team-controller';

/** The case on show, as far as a team session reads it. */
export interface TeamCase {
  store: HologramStore;
  volume?: Volume;
  result?: Pick<SegmentResult, 'labels'> & { report: Pick<SegmentResult['report'], 'scope'> };
  meshes?: SurfaceMesh[];
  /** The PACS series it was segmented from, if any. */
  origin?: PacsOrigin;
}

/** The app's side of the hooks. */
export interface TeamHookHost {
  desktop: DesktopScene;
  holo: HoloXR;
  current(): TeamCase | undefined;
  /** The loaded model (its name and classes go into the package), or none yet. */
  model(): { name: string; classes: readonly ClassInfo[] } | undefined;
  showSharedCase(opened: OpenedCase): void;
  onCaseReplaced(listener: () => void): void;
  /** The PACS panel's server, if any. */
  pacsConnection(): PacsConnection | undefined;
  /** Decodes a series in the pipeline worker. */
  readVolume(files: DicomInputFile[]): Promise<Volume>;
}

export function teamHooks(host: TeamHookHost): TeamAppHooks {
  const canvas = host.desktop.engine.getRenderingCanvas();
  let pointerInside = false;
  canvas?.addEventListener('pointerenter', () => (pointerInside = true));
  canvas?.addEventListener('pointerleave', () => (pointerInside = false));
  const c = host.current;
  return {
    scene: host.desktop.scene, camera: host.desktop.camera, requestRender: () => host.desktop.requestRender(),
    casePackage: async ({ offerPacs }) => {
      const now = c();
      const model = host.model();
      if (!now?.volume || !now.result || !now.meshes || !model) return 'Open a CT and wait for its hologram first: the team sees the case on show.';
      // the store's case id ("<voxelSha256>:<model>", hashed with WebCrypto) spares hashing the CT again
      const voxelSha = /^[0-9a-f]{64}(?=:)/.exec(now.store.getState().shared.caseId)?.[0];
      const origin = now.origin;
      return buildCasePackageOffPage({
        content: { volume: now.volume, labels: now.result.labels, meshes: now.meshes, classes: model.classes, model: model.name, scope: now.result.report.scope },
        caseId: voxelSha ? caseIdFromVoxelSha(voxelSha, model.name) : undefined,
        pacs: offerPacs && origin ? { studyInstanceUID: origin.studyInstanceUID, seriesInstanceUID: origin.seriesInstanceUID } : undefined,
      });
    },
    showCase: (opened) => host.showSharedCase(opened),
    bindSharedState: (session) => {
      const now = c();
      if (!now) return () => undefined;
      // the host's state fills the new room; a joiner takes the room's. A peer's entry this version
      // cannot read is dropped by the binding (its validator); nothing more to do here.
      const binding = bindSharedState(session.doc, now.store, { initial: session.role === 'host' ? 'store' : 'document', onInvalid: () => undefined });
      return () => binding.dispose();
    },
    setPresenter: (memberId) => void c()?.store.dispatch({ type: 'presenter/set', presenter: memberId }),
    effectors: () => (host.holo.inXR ? host.holo.adapter?.effectors : undefined),
    pointerInside: () => pointerInside,
    onCaseReplaced: (listener) => host.onCaseReplaced(listener),
    calibration: () => c()?.store.getState().local.calibration ?? { position: [0, 0, 0], rotation: [0, 0, 0, 1] },
    landmarks: () => c()?.store.getState().local.landmarks ?? null,
    followInHeadset: (head) => host.holo.followPresenter(head),
    ctFromPacs: ctFromPacsVia(host.pacsConnection, host.readVolume),
  };
}
