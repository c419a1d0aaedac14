import type { DicomInputFile } from '../dicom/types';
import { retrieveSeries, type PacsConnection } from '../pacs/index';
import type { PacsSeriesRef } from '../team/case-package';
import type { CtFromPacs } from '../team/team-session';
import type { Volume } from '../volume/types';
import { voxelShaOfVolume } from './case-id';
import { DEFAULT_PACS_URL } from './pacs-panel';

/**
 * A team member's {@link CtFromPacs}: the shared case's series through the session server's own
 * DICOMweb proxy only (the access is the hospital server's, not this member's personal PACS account;
 * a panel pointed at another server is not used for this), decoded by `readVolume` (the pipeline
 * worker), as Int16 HU with the voxel hash the case id is made of.
 */
export function ctFromPacsVia(connection: () => PacsConnection | undefined, readVolume: (files: DicomInputFile[]) => Promise<Volume>): CtFromPacs {
  return async (series: PacsSeriesRef, signal?: AbortSignal) => {
    const server = connection();
    if (server?.baseUrl !== DEFAULT_PACS_URL) throw new Error(`this device's PACS panel points at ${server?.baseUrl ?? 'no server'}, not the session server's ${DEFAULT_PACS_URL}`);
    const files = await retrieveSeries(server, series, { signal });
    // given up (time-out) while the last instance arrived: do not start a decode nobody waits for
    signal?.throwIfAborted();
    const volume = await readVolume(files);
    const data = volume.data instanceof Int16Array ? volume.data : Int16Array.from(volume.data, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
    return { volume: { ...volume, data }, voxelSha256: await voxelShaOfVolume({ data }) };
  };
}
