import { describe, expect, it } from 'vitest';
import type { DicomInputFile } from '../dicom/types';
import type { Volume } from '../volume/types';
import { ctFromPacsVia } from './pacs-ct';
import { DEFAULT_PACS_URL } from './pacs-panel';

/** The session server's DICOMweb proxy with one instance; `onInstance` runs as its bytes are served. */
function proxy(onInstance: () => void): typeof fetch {
  return (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://127.0.0.1');
    if (init.signal?.aborted) throw init.signal.reason;
    if (url.pathname.endsWith('/series/9.1/instances')) {
      return new Response(JSON.stringify([{ '00080018': { vr: 'UI', Value: ['1.5'] } }]), { headers: { 'Content-Type': 'application/dicom+json' } });
    }
    if (url.pathname.endsWith('/instances/1.5')) {
      onInstance();
      const boundary = 'b';
      const body = new TextEncoder().encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\nDICOM\r\n--${boundary}--\r\n`);
      return new Response(body, { headers: { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}` } });
    }
    return new Response('not found', { status: 404 });
  }) as typeof fetch;
}

/** What the decode hands back: a 1-voxel CT (only the hash and the call matter here). */
const oneVoxel = (hu: number) =>
  ({ dims: [1, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Int16Array([hu]) }) as unknown as Volume;

describe('a member takes the shared CT from the PACS (ctFromPacsVia)', () => {
  it('does not start decoding a series whose retrieval was given up while its last instance arrived', async () => {
    const abort = new AbortController();
    const decoded: DicomInputFile[][] = [];
    const fetchImpl = proxy(() => abort.abort(new DOMException('no answer within 120 s', 'TimeoutError')));
    const fromPacs = ctFromPacsVia(() => ({ baseUrl: DEFAULT_PACS_URL, fetch: fetchImpl }), async (files) => {
      decoded.push(files);
      return oneVoxel(0);
    });
    await expect(fromPacs({ studyInstanceUID: '1.2.3', seriesInstanceUID: '9.1' }, abort.signal)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(decoded).toEqual([]);
  });

  it('decodes what it retrieved when nobody gave up', async () => {
    const decoded: DicomInputFile[][] = [];
    const fromPacs = ctFromPacsVia(() => ({ baseUrl: DEFAULT_PACS_URL, fetch: proxy(() => {}) }), async (files) => {
      decoded.push(files);
      return oneVoxel(7);
    });
    const got = await fromPacs({ studyInstanceUID: '1.2.3', seriesInstanceUID: '9.1' }, new AbortController().signal);
    expect(decoded.map((files) => files.map((f) => new TextDecoder().decode(f.bytes)))).toEqual([['DICOM']]);
    expect(Array.from(got.volume.data)).toEqual([7]);
    expect(got.voxelSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
