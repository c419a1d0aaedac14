/**
 * One device's part in a team session: the room (HTTP), the shared document and presence (the
 * Hocuspocus provider on `wss://<host>/sync`, document = room id, token = room secret), and the case
 * package. The host publishes the package, then opens the document; a joiner opens the document,
 * waits for the host's package manifest in it, downloads and verifies the blobs, and rebuilds the
 * case. The provider reconnects by itself; a room that closed or a secret that no longer works ends
 * the session with the server's reason. No Babylon, no DOM beyond what the provider needs.
 */
import { HocuspocusProvider, WebSocketStatus } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { caseIdFromVoxelSha, openCasePackage, parseCasePackageManifest, type CasePackage, type CasePackageManifest, type OpenedCase, type PacsSeriesRef } from './case-package';
import { sendOwnPresenceOnly } from './own-presence-only';
import { buildPresence, colorFor, parsePresence, PresenceThrottle, type PresenceState } from './presence';
import type { RoomClient } from './room-client';

/** The Y.Map this module owns in the room document: the case package manifest, written by the host. */
export const CASE_MAP = 'case';
const PACKAGE_KEY = 'package';
/** Awareness field of a member's presence message. */
const PRESENCE_FIELD = 'presence';
/** The shared state's layout (src/state/yjs-binding.ts): view.presenter = member id or null. */
const VIEW_MAP = 'view';
const PRESENTER_KEY = 'presenter';

export type TeamRole = 'host' | 'member';
export type TeamStatus = 'connecting' | 'connected' | 'disconnected' | 'ended';

export interface TeamRoom {
  roomId: string;
  /** Never log or display it; it goes into the join link's fragment only. */
  secret: string;
  caseId: string;
  expiresAt: string;
  /** The short code (known to the host). */
  joinCode?: string;
}

export interface TeamMember {
  /** Yjs client id of the member's document (unique per connection). */
  clientId: number;
  self: boolean;
  presence?: PresenceState;
}

/** Takes a series from the PACS this member reaches: its CT and the sha256 of its voxels (as the case id hashes them). */
/** Takes a series from the PACS; `signal` aborts the retrieval (the joiner gave up waiting). */
export type CtFromPacs = (series: PacsSeriesRef, signal?: AbortSignal) => Promise<{ volume: OpenedCase['volume']; voxelSha256: string }>;

/** A joiner's case: where its CT came from, and why not from the PACS when that was tried and refused. */
export interface LoadedCase extends OpenedCase {
  ctSource: 'host' | 'pacs';
  ctNote?: string;
}

export interface TeamSessionOptions {
  client: RoomClient;
  /** WebSocket URL of the sync server: `wss://${location.host}/sync` in the browser. */
  syncUrl: string;
  /** WebSocket constructor where there is no global one (Node tests: the `ws` package). */
  WebSocketPolyfill?: unknown;
  /** Blobs already downloaded, by sha256: a rejoin or a second room on the same case fetches nothing again. */
  blobCache?: Map<string, Promise<Uint8Array>>;
  /** How long a joiner waits for the host's package in the document (default 60 s). */
  packageTimeoutMs?: number;
}

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  add(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
  clear(): void {
    this.listeners.clear();
  }
}

export class TeamSessionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TeamSessionError';
  }
}

export class TeamSession {
  readonly doc = new Y.Doc();
  readonly provider: HocuspocusProvider;
  readonly onStatus = new Emitter<TeamStatus>();
  /** The member list changed (someone joined, left, or moved: presence updates arrive here too). */
  readonly onMembers = new Emitter<TeamMember[]>();
  /** The session ended for good (room closed or expired, secret refused, left); the reason is fit to show. */
  readonly onEnded = new Emitter<string>();
  /** The presenter changed (member id, or null when nobody presents). */
  readonly onPresenter = new Emitter<string | null>();
  private statusNow: TeamStatus = 'connecting';
  private readonly throttle = new PresenceThrottle();
  /**
   * Peers' parsed presence by the awareness field it came from: an update replaces only the states
   * that changed (new objects), so with 49 peers a change re-parses only those, not the whole room.
   */
  private readonly parsed = new WeakMap<object, PresenceState | undefined>();
  private readonly synced: Promise<void>;
  private endedReason?: string;

  private constructor(readonly role: TeamRole, readonly room: TeamRoom, private readonly options: TeamSessionOptions) {
    let resolveSynced!: () => void;
    let rejectSynced!: (e: Error) => void;
    this.synced = new Promise<void>((resolve, reject) => {
      resolveSynced = resolve;
      rejectSynced = reject;
    });
    this.synced.catch(() => undefined); // a session that ends before syncing rejects it; callers that wait see it
    this.provider = new HocuspocusProvider({
      url: options.syncUrl,
      name: room.roomId,
      token: room.secret,
      document: this.doc,
      ...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill } : {}),
      onSynced: () => resolveSynced(),
      onStatus: ({ status }) => this.setStatus(status === WebSocketStatus.Connected ? 'connected' : status === WebSocketStatus.Connecting ? 'connecting' : 'disconnected'),
      onAuthenticationFailed: ({ reason }) => {
        const r = reason || 'room secret not accepted';
        const why = /no open room/.test(r) ? `The team session has ended: ${r}.` : `The team session refused this device: ${r}.`;
        rejectSynced(new TeamSessionError(why));
        this.end(why);
      },
      onClose: ({ event }) => {
        // The server closes a room's connections with 4403 "room closed or expired"; Hocuspocus 3 delivers
        // that per-document close as code 1000 with the reason, and does not reconnect the document.
        if (event?.code === 4403 || /room closed or expired/.test(event?.reason ?? '')) {
          const why = 'The team session has ended (closed by a member, or expired).';
          rejectSynced(new TeamSessionError(why));
          this.end(why);
        }
      },
    } as ConstructorParameters<typeof HocuspocusProvider>[0]);
    sendOwnPresenceOnly(this.provider);
    this.provider.awareness?.on('change', this.onAwarenessChange);
    this.doc.getMap(VIEW_MAP).observe(this.onViewChange);
  }

  /** Opens a room for the case package, uploads its blobs, then joins the room's document and publishes the manifest. */
  static async host(options: TeamSessionOptions, pkg: CasePackage): Promise<TeamSession> {
    const created = await options.client.createRoom(pkg.manifest.caseId);
    try {
      for (const name of Object.keys(pkg.blobs) as (keyof CasePackage['blobs'])[]) {
        await options.client.putBlob(created.roomId, created.secret, pkg.manifest.blobs[name].sha256, pkg.blobs[name]);
      }
    } catch (error) {
      await options.client.closeRoom(created.roomId, created.secret).catch(() => undefined);
      throw error;
    }
    const session = new TeamSession('host', { ...created, caseId: pkg.manifest.caseId }, options);
    await session.whenSynced();
    session.doc.transact(() => session.doc.getMap(CASE_MAP).set(PACKAGE_KEY, pkg.manifest), 'team-session');
    return session;
  }

  /** Joins by code (typed) or by the link's room id and secret; the case is loaded with {@link loadCase}. */
  static async join(options: TeamSessionOptions, ticket: { code: string } | { roomId: string; secret: string }): Promise<TeamSession> {
    let room: TeamRoom;
    if ('code' in ticket) {
      room = await options.client.join(ticket.code);
    } else {
      const info = await options.client.getRoom(ticket.roomId, ticket.secret);
      room = { roomId: info.roomId, secret: ticket.secret, caseId: info.caseId, expiresAt: info.expiresAt };
    }
    const session = new TeamSession('member', room, options);
    await session.whenSynced();
    return session;
  }

  get status(): TeamStatus {
    return this.statusNow;
  }

  /** Resolves once the document has synced with the server for the first time. */
  whenSynced(): Promise<void> {
    return this.synced;
  }

  /** The host's package manifest once it is in the document (validated). */
  async packageManifest(): Promise<CasePackageManifest> {
    const map = this.doc.getMap(CASE_MAP);
    const read = () => (map.has(PACKAGE_KEY) ? parseCasePackageManifest(map.get(PACKAGE_KEY)) : undefined);
    const now = read();
    if (now) return this.checkCase(now);
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => {
        map.unobserve(observer);
        reject(new TeamSessionError('The host has not shared the case yet: ask them to keep the session open, then join again.'));
      }, this.options.packageTimeoutMs ?? 60_000);
      const observer = () => {
        try {
          const m = read();
          if (!m) return;
          clearTimeout(timeout);
          map.unobserve(observer);
          resolve(this.checkCase(m));
        } catch (error) {
          clearTimeout(timeout);
          map.unobserve(observer);
          reject(error);
        }
      };
      map.observe(observer);
    });
  }

  /**
   * Downloads and verifies the host's case. When the host loaded it from a PACS and `ctFromPacs`
   * is given (this member reaches a PACS), the CT is taken from there at full resolution instead of
   * the host's (maybe downsampled) copy, only if its voxels give the room's case id; otherwise, or
   * when the PACS fails or does not answer within `pacsTimeoutMs`, the host's copy is used and
   * `ctNote` says why.
   */
  async loadCase(options: { ctFromPacs?: CtFromPacs; pacsTimeoutMs?: number } = {}): Promise<LoadedCase> {
    const manifest = await this.packageManifest();
    let ct: OpenedCase['volume'] | undefined;
    let ctNote: string | undefined;
    if (manifest.pacs && options.ctFromPacs) {
      const abort = new AbortController();
      try {
        const got = await withTimeout(options.ctFromPacs(manifest.pacs, abort.signal), options.pacsTimeoutMs ?? PACS_CT_TIMEOUT_MS,
          (ms) => `no answer within ${ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`}`);
        if (caseIdFromVoxelSha(got.voxelSha256, manifest.model) === manifest.caseId) ct = got.volume;
        else ctNote = 'The PACS series is not the CT the host segmented (its voxels differ): the host\'s copy is shown.';
      } catch (error) {
        ctNote = `The CT could not be taken from the PACS (${error instanceof Error ? error.message : String(error)}): the host's copy is shown.`;
        abort.abort(); // a retrieval still running after the time-out stops downloading
      }
    }
    const opened = await this.openPackage(manifest, ct);
    return { ...opened, ctSource: ct ? 'pacs' : 'host', ...(ctNote ? { ctNote } : {}) };
  }

  private openPackage(manifest: CasePackageManifest, ct: OpenedCase['volume'] | undefined): Promise<OpenedCase> {
    const cache = this.options.blobCache;
    return openCasePackage(manifest, (sha) => {
      const hit = cache?.get(sha);
      if (hit) return hit;
      const p = this.options.client.getBlob(this.room.roomId, this.room.secret, sha);
      cache?.set(sha, p);
      p.catch(() => cache?.delete(sha)); // a failed download is tried again next time
      return p;
    }, { ct });
  }

  private checkCase(m: CasePackageManifest): CasePackageManifest {
    if (m.caseId !== this.room.caseId) throw new TeamSessionError(`The room is for case ${this.room.caseId.slice(0, 24)}… but its package is case ${m.caseId.slice(0, 24)}…: not loaded.`);
    return m;
  }

  /** Everyone in the room now, this device first. */
  members(): TeamMember[] {
    const awareness = this.provider.awareness;
    if (!awareness) return [];
    const self = awareness.clientID;
    const out: TeamMember[] = [{ clientId: self, self: true, presence: this.presenceOf(awareness.getLocalState()) }];
    awareness.getStates().forEach((state, clientId) => {
      if (clientId !== self) out.push({ clientId, self: false, presence: this.presenceOf(state) });
    });
    return out;
  }

  private presenceOf(state: Record<string, unknown> | null | undefined): PresenceState | undefined {
    const field = state?.[PRESENCE_FIELD];
    if (typeof field !== 'object' || field === null) return parsePresence(field);
    if (!this.parsed.has(field)) this.parsed.set(field, parsePresence(field));
    return this.parsed.get(field);
  }

  /** This device's member id in the shared state (presenter, ids of its cuts): its document's clientID. */
  get memberId(): string {
    return String(this.doc.clientID);
  }

  /** Who presents now (member id), or null. */
  get presenter(): string | null {
    const v = this.doc.getMap(VIEW_MAP).get(PRESENTER_KEY);
    return typeof v === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(v) ? v : null;
  }

  /**
   * Makes this device the presenter (true) or stops presenting (false), writing the document directly:
   * for a client without a state store (tests, tools, and this session handing the floor back as it
   * leaves). The app routes it through its store's `presenter/set` command; both write the same entry.
   */
  setPresenting(on: boolean): void {
    if (!on && this.presenter !== this.memberId) return;
    this.doc.transact(() => this.doc.getMap(VIEW_MAP).set(PRESENTER_KEY, on ? this.memberId : null), 'team-session');
  }

  /** The presenter's presence (head, ray), when someone else presents and is connected. */
  presenterMember(): TeamMember | undefined {
    const id = this.presenter;
    return id === null ? undefined : this.members().find((m) => String(m.clientId) === id);
  }

  /** This device's colour (stable for the connection). */
  get color(): string {
    return colorFor(this.doc.clientID);
  }

  /**
   * Offers this device's presence (room frame); sent when it changed, at most 30 times a second.
   * Call it every frame or from a timer; returns whether it went out.
   */
  publishPresence(input: Omit<PresenceState, 'v' | 'color'> & { color?: string }, nowMs: number): boolean {
    if (this.endedReason) return false;
    const msg = buildPresence({ ...input, color: input.color ?? this.color });
    if (!this.throttle.offer(msg, nowMs)) return false;
    this.provider.setAwarenessField(PRESENCE_FIELD, msg);
    return true;
  }

  /** Leaves the room (others see this device disappear at once); the room stays open. */
  leave(): void {
    this.end('You left the team session.');
  }

  /** Host: ends the room for everyone (the server deletes its document and blobs), then leaves. */
  async endForEveryone(): Promise<void> {
    try {
      await this.options.client.closeRoom(this.room.roomId, this.room.secret);
    } finally {
      this.end('The team session has ended.');
    }
  }

  private end(reason: string): void {
    if (this.endedReason) return;
    this.endedReason = reason;
    this.provider.awareness?.off('change', this.onAwarenessChange);
    this.doc.getMap(VIEW_MAP).unobserve(this.onViewChange);
    // a presenter who leaves hands the floor back
    if (this.presenter === this.memberId && this.statusNow === 'connected') this.setPresenting(false);
    // awareness null first so peers drop this member now instead of after the 30 s timeout
    this.provider.awareness?.setLocalState(null);
    this.provider.destroy();
    this.setStatus('ended');
    this.onEnded.emit(reason);
    this.onStatus.clear();
    this.onMembers.clear();
    this.onEnded.clear();
    this.onPresenter.clear();
  }

  private setStatus(status: TeamStatus): void {
    if (this.statusNow === 'ended' || status === this.statusNow) return;
    this.statusNow = status;
    this.onStatus.emit(status);
  }

  private readonly onAwarenessChange = () => this.onMembers.emit(this.members());
  private lastPresenter: string | null = null;
  private readonly onViewChange = () => {
    const now = this.presenter;
    if (now === this.lastPresenter) return;
    this.lastPresenter = now;
    this.onPresenter.emit(now);
  };
}

/** How long a joiner waits for the PACS before taking the host's copy (a 512²×300 series over a LAN: well under a minute). */
const PACS_CT_TIMEOUT_MS = 120_000;

/** The promise's value, or an error with `reason(ms)` when it takes longer than `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, reason: (ms: number) => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(reason(ms))), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
