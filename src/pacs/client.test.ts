import { describe, expect, it } from 'vitest';
import { queriesForText, retrieveSeries, searchSeries, searchStudies, searchStudiesByText, storeInstances } from './client';
import { PacsError } from './types';

/** A fake DICOMweb server: routes by path, records every request. */
function fakeServer(routes: Record<string, (url: URL, init: RequestInit) => Response | Promise<Response>>) {
  const calls: Array<{ url: URL; headers: Headers }> = [];
  const fetchImpl = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    calls.push({ url, headers: new Headers(init.headers) });
    if (init.signal?.aborted) throw init.signal.reason;
    const route = Object.keys(routes).find((r) => url.pathname.endsWith(r));
    if (!route) return new Response('not found', { status: 404, statusText: 'Not Found' });
    return routes[route](url, init);
  }) as typeof fetch;
  return { fetch: fetchImpl, calls };
}

const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/dicom+json' } });

function multipart(part: Uint8Array): Response {
  const boundary = 'holoct-test-boundary';
  const head = new TextEncoder().encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.length + part.length + tail.length);
  body.set(head, 0);
  body.set(part, head.length);
  body.set(tail, head.length + part.length);
  return new Response(body, { headers: { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}` } });
}

const STUDY = {
  '0020000D': { vr: 'UI', Value: ['1.2.3'] },
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^JANE' }] },
  '00100020': { vr: 'LO', Value: ['ID-7'] },
  '00080020': { vr: 'DA', Value: ['20240102'] },
  '00080061': { vr: 'CS', Value: ['CT', 'SR'] },
  '00201206': { vr: 'IS', Value: [2] },
};

describe('queriesForText', () => {
  it('maps one search box to QIDO-RS queries', () => {
    expect(queriesForText('')).toEqual([{}]);
    expect(queriesForText('  doe jane ')).toEqual([{ patientName: '*doe*jane*' }, { patientId: 'doe jane' }, { accessionNumber: 'doe jane' }]);
    expect(queriesForText('DOE^J*')).toEqual([{ patientName: 'DOE^J*' }, { patientId: 'DOE^J*' }, { accessionNumber: 'DOE^J*' }]);
    expect(queriesForText('2022-12-08')).toEqual([{ studyDate: '20221208' }]);
    expect(queriesForText('20220101-20221231')).toEqual([{ studyDate: '20220101-20221231' }]);
    expect(queriesForText('2022-01-01..2022-12-31')).toEqual([{ studyDate: '20220101-20221231' }]);
    expect(queriesForText('2022-01-01..')).toEqual([{ studyDate: '20220101-' }]);
    expect(queriesForText('id: 12345')).toEqual([{ patientId: '12345' }]);
    expect(queriesForText('acc:A77')).toEqual([{ accessionNumber: 'A77' }]);
    expect(queriesForText('name: smith')).toEqual([{ patientName: '*smith*' }]);
    expect(queriesForText('date: 20200101')).toEqual([{ studyDate: '20200101' }]);
  });
});

describe('PACS client on a fake DICOMweb server', () => {
  it('sends QIDO-RS parameters and reads DICOM JSON studies', async () => {
    const server = fakeServer({ '/studies': () => json([STUDY]) });
    const studies = await searchStudies({ baseUrl: 'https://pacs.test/dicom-web/', fetch: server.fetch }, { patientName: 'DOE*', studyDate: '20240101-', limit: 5 });
    expect(studies).toEqual([{
      studyInstanceUID: '1.2.3', patientName: 'DOE^JANE', patientId: 'ID-7', studyDate: '20240102', accessionNumber: undefined,
      description: undefined, modalities: ['CT', 'SR'], seriesCount: 2, instanceCount: undefined,
    }]);
    const { url, headers } = server.calls[0];
    expect(url.pathname).toBe('/dicom-web/studies');
    expect(url.searchParams.get('PatientName')).toBe('DOE*');
    expect(url.searchParams.get('StudyDate')).toBe('20240101-');
    expect(url.searchParams.get('limit')).toBe('5');
    expect(url.searchParams.get('includefield')).toContain('00081030');
    expect(headers.get('accept')).toBe('application/dicom+json');
  });

  it('merges the name, ID and accession queries of one search text', async () => {
    const server = fakeServer({ '/studies': (url) => json(url.searchParams.get('PatientID') === 'x' || url.searchParams.get('PatientName') === '*x*' ? [STUDY] : []) });
    const studies = await searchStudiesByText({ baseUrl: 'https://pacs.test/dicom-web', fetch: server.fetch }, 'x');
    expect(studies.map((s) => s.studyInstanceUID)).toEqual(['1.2.3']);
    expect(server.calls).toHaveLength(3);
  });

  it('lists series by SeriesNumber', async () => {
    const series = (n: number, uid: string, modality: string) => ({
      '0020000E': { vr: 'UI', Value: [uid] }, '00200011': { vr: 'IS', Value: [n] }, '00080060': { vr: 'CS', Value: [modality] },
      '0008103E': { vr: 'LO', Value: [`S${n}`] }, '00201209': { vr: 'IS', Value: [n * 10] },
    });
    const server = fakeServer({ '/studies/1.2.3/series': () => json([series(3, '9.3', 'SR'), series(1, '9.1', 'CT')]) });
    const list = await searchSeries({ baseUrl: 'https://pacs.test/dw', fetch: server.fetch }, '1.2.3');
    expect(list.map((s) => [s.seriesNumber, s.modality, s.description, s.instanceCount])).toEqual([[1, 'CT', 'S1', 10], [3, 'SR', 'S3', 30]]);
  });

  it('retrieves every instance as stored, in InstanceNumber order, with progress in instances', async () => {
    const uids = ['1.5', '1.6', '1.7'];
    const server = fakeServer({
      '/series/9.1/instances': () => json(uids.map((u, i) => ({ '00080018': { vr: 'UI', Value: [u] }, '00200013': { vr: 'IS', Value: [3 - i] } }))),
      ...Object.fromEntries(uids.map((u) => [`/instances/${u}`, () => multipart(new TextEncoder().encode(`DICOM ${u}`))])),
    });
    const progress: string[] = [];
    const files = await retrieveSeries({ baseUrl: 'https://pacs.test/dw', fetch: server.fetch }, { studyInstanceUID: '1.2.3', seriesInstanceUID: '9.1' }, {
      onProgress: (done, total) => progress.push(`${done}/${total}`),
    });
    expect(files.map((f) => new TextDecoder().decode(f.bytes))).toEqual(['DICOM 1.7', 'DICOM 1.6', 'DICOM 1.5']);
    expect(files.map((f) => f.name)).toEqual(['1.7.dcm', '1.6.dcm', '1.5.dcm']);
    expect(progress).toEqual(['0/3', '1/3', '2/3', '3/3']);
    const retrieval = server.calls.find((c) => c.url.pathname.endsWith('/instances/1.5'))!;
    expect(retrieval.headers.get('accept')).toBe('multipart/related; type="application/dicom"; transfer-syntax=*');
  });

  it('stops when cancelled and rejects with the abort reason', async () => {
    const controller = new AbortController();
    const uids = Array.from({ length: 10 }, (_, i) => `1.${i}`);
    let retrieved = 0;
    const server = fakeServer({
      '/series/9.1/instances': () => json(uids.map((u) => ({ '00080018': { vr: 'UI', Value: [u] } }))),
      ...Object.fromEntries(uids.map((u) => [`/instances/${u}`, () => {
        if (++retrieved === 2) controller.abort(new DOMException('user cancelled', 'AbortError'));
        return multipart(new Uint8Array([1, 2, 3, 4]));
      }])),
    });
    await expect(retrieveSeries({ baseUrl: 'https://pacs.test/dw', fetch: server.fetch }, { studyInstanceUID: '1', seriesInstanceUID: '9.1' }, {
      signal: controller.signal, concurrency: 1,
    })).rejects.toMatchObject({ name: 'AbortError', message: 'user cancelled' });
    expect(retrieved).toBe(2);
  });

  it('says why a request failed: unreachable, HTTP status, not DICOMweb', async () => {
    const down = (async () => { throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }); }) as typeof fetch;
    await expect(searchStudies({ baseUrl: 'http://127.0.0.1:9/dw', fetch: down }, {})).rejects.toThrow(
      /cannot reach the DICOMweb server at http:\/\/127\.0\.0\.1:9\/dw \(the study search\): connect ECONNREFUSED/);

    const missing = fakeServer({});
    const error = await searchStudies({ baseUrl: 'https://pacs.test/wrong', fetch: missing.fetch }, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PacsError);
    expect((error as PacsError).status).toBe(404);
    expect((error as PacsError).message).toMatch(/answered HTTP 404 Not Found to the study search — check the DICOMweb root URL/);

    const spa = fakeServer({ '/studies': () => new Response('<!doctype html><html></html>', { headers: { 'Content-Type': 'text/html' } }) });
    await expect(searchStudies({ baseUrl: '/dicomweb', fetch: (u, i) => spa.fetch(`https://app.test${String(u)}`, i) }, {})).rejects.toThrow(
      /\/dicomweb is not a DICOMweb server: the study search was answered with text\/html/);

    const proxyDown = fakeServer({ '/studies': () => new Response('', { status: 502, statusText: 'Bad Gateway' }) });
    await expect(searchStudies({ baseUrl: '/dicomweb', fetch: (u, i) => proxyDown.fetch(`https://app.test${String(u)}`, i) }, {})).rejects.toThrow(
      /HTTP 502 Bad Gateway to the study search — the app server's DICOMweb proxy could not reach the PACS/);

    await expect(searchStudies({ baseUrl: '  ' }, {})).rejects.toThrow(/no DICOMweb server URL/);
  });
});

describe('STOW-RS storeInstances on a fake DICOMweb server', () => {
  const part10 = new Uint8Array([0x44, 0x49, 0x43, 0x4d, 1, 2, 3, 250]);

  it('POSTs the instance as multipart/related application/dicom to /studies/{uid} and reads the stored list', async () => {
    let body = new Uint8Array();
    let contentType = '';
    let method = '';
    const server = fakeServer({
      '/studies/1.2.3': async (_url, init) => {
        method = String(init.method);
        contentType = new Headers(init.headers).get('content-type') ?? '';
        body = new Uint8Array(await new Response(init.body).arrayBuffer());
        return json({ '00081199': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['2.25.9'] } }] } });
      },
    });
    const result = await storeInstances({ baseUrl: 'https://pacs.test/dicom-web', fetch: server.fetch }, '1.2.3', [part10]);
    expect(method).toBe('POST');
    expect(contentType).toMatch(/^multipart\/related; type="application\/dicom"; boundary=/);
    expect(Buffer.from(body).includes(Buffer.from(part10))).toBe(true);
    expect(result).toEqual({ stored: ['2.25.9'], failed: [] });
  });

  it('rejects with the server and the refused instance when the answer lists a failure', async () => {
    const server = fakeServer({
      '/studies/1.2.3': () => new Response(JSON.stringify({ '00081198': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['2.25.9'] }, '00081197': { vr: 'US', Value: [0xa700] } }] } }), { status: 202, headers: { 'Content-Type': 'application/dicom+json' } }),
    });
    await expect(storeInstances({ baseUrl: 'https://pacs.test/dicom-web', fetch: server.fetch }, '1.2.3', [part10])).rejects.toThrow(/pacs\.test.*refused storing 1 instance in study 1\.2\.3: 2\.25\.9 \(failure reason 0xa700\)/);
  });

  it('says which server refused the request, and refuses to store nothing', async () => {
    const server = fakeServer({ '/studies/1.2.3': () => new Response('denied', { status: 403, statusText: 'Forbidden' }) });
    await expect(storeInstances({ baseUrl: 'https://pacs.test/dicom-web', fetch: server.fetch }, '1.2.3', [part10])).rejects.toThrow(/HTTP 403.*storing 1 instance.*credentials/);
    await expect(storeInstances({ baseUrl: 'https://pacs.test/dicom-web', fetch: server.fetch }, '1.2.3', [])).rejects.toThrow(PacsError);
  });
});
