/**
 * The part of XMLHttpRequest that dicomweb-client uses, implemented over an injected `fetch`.
 *
 * dicomweb-client performs every request through an XMLHttpRequest it is handed per call
 * (`request.instance`). Giving it this object instead lets the same client code run in the
 * browser, in a worker and in Node (which has fetch but no XMLHttpRequest), lets tests inject a
 * fetch, and lets an AbortSignal cancel a request. After a failure, `failure` tells why (network
 * error, abort, a web page instead of DICOMweb) so the caller can say it precisely.
 */

type Listener = ((event: ProgressEvent) => void) | null;

export type FetchFailure =
  | { kind: 'network'; error: unknown }
  | { kind: 'aborted'; reason: unknown }
  | { kind: 'not-json'; contentType: string; error?: unknown };

export class FetchXhr {
  readyState = 0;
  status = 0;
  statusText = '';
  responseType: '' | 'json' | 'arraybuffer' | 'text' = '';
  response: unknown = null;
  withCredentials = false;
  onreadystatechange: (() => void) | null = null;
  onprogress: Listener = null;
  onloadstart: Listener = null;
  onloadend: Listener = null;
  /** Why the request failed when `status` is 0 or the body could not be read. */
  failure?: FetchFailure;
  /** Method and URL, for messages. */
  method = 'GET';
  url = '';

  private readonly requestHeaders = new Headers();
  private responseHeaders = new Headers();

  constructor(
    private readonly fetchImpl: typeof fetch,
    private readonly signal?: AbortSignal,
  ) {}

  open(method: string, url: string): void {
    this.method = method.toUpperCase();
    this.url = url;
    this.readyState = 1;
  }

  setRequestHeader(name: string, value: string): void {
    this.requestHeaders.set(name, value);
  }

  getResponseHeader(name: string): string | null {
    return this.responseHeaders.get(name);
  }

  getAllResponseHeaders(): string {
    let text = '';
    this.responseHeaders.forEach((value, name) => { text += `${name}: ${value}\r\n`; });
    return text;
  }

  abort(): void {
    // Cancellation goes through the AbortSignal given to the constructor.
  }

  send(body?: BodyInit | null): void {
    void this.run(body ?? undefined);
  }

  private async run(body: BodyInit | undefined): Promise<void> {
    try {
      const response = await this.fetchImpl(this.url, {
        method: this.method,
        headers: this.requestHeaders,
        body,
        signal: this.signal,
        credentials: this.withCredentials ? 'include' : 'same-origin',
      });
      this.status = response.status;
      this.statusText = response.statusText;
      this.responseHeaders = response.headers;
      const contentType = response.headers.get('content-type') ?? '';
      if (this.responseType === 'arraybuffer') {
        this.response = await this.readWithProgress(response);
      } else if (this.responseType === 'json') {
        const text = await response.text();
        if (response.ok && text.length > 0) {
          // A single-page server answers an unknown path with its index.html (200, text/html).
          if (/text\/html/i.test(contentType)) {
            this.failure = { kind: 'not-json', contentType };
          } else {
            try {
              this.response = JSON.parse(text);
            } catch (error) {
              this.failure = { kind: 'not-json', contentType, error };
            }
          }
        } else {
          this.response = text.length > 0 ? text : null;
        }
      } else {
        this.response = await response.text();
      }
      if (this.failure) this.status = 0;
    } catch (error) {
      this.status = 0;
      this.failure = this.signal?.aborted ? { kind: 'aborted', reason: this.signal.reason } : { kind: 'network', error };
    }
    this.readyState = 4;
    this.onloadend?.(new ProgressEventLike('loadend') as unknown as ProgressEvent);
    this.onreadystatechange?.();
  }

  private async readWithProgress(response: Response): Promise<ArrayBuffer> {
    const total = Number(response.headers.get('content-length') ?? 0);
    if (!response.body || !this.onprogress) return response.arrayBuffer();
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      this.onprogress(new ProgressEventLike('progress', loaded, total) as unknown as ProgressEvent);
    }
    const out = new Uint8Array(loaded);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out.buffer;
  }
}

/** ProgressEvent is not defined in Node; dicomweb-client only reads these fields. */
class ProgressEventLike {
  constructor(
    readonly type: string,
    readonly loaded = 0,
    readonly total = 0,
  ) {}
  get lengthComputable(): boolean {
    return this.total > 0;
  }
}
