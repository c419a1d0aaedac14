import { Document, OutgoingMessage, type Extension, type afterLoadDocumentPayload } from '@hocuspocus/server';
import type { Awareness } from 'y-protocols/awareness';
import { assertTickMs, TickBatcher } from './tick-batcher';

/** Presence is relayed at most this often per room: 50 Hz, above the members' 30 Hz, so it adds ≤ 20 ms. */
export const DEFAULT_PRESENCE_TICK_MS = 20;

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };
type UpdateListener = (change: AwarenessChange, origin: unknown) => void;

/** The name Function.prototype.bind gives the listener Hocuspocus' Document constructor attaches. */
const HOCUSPOCUS_BROADCAST = 'bound handleAwarenessUpdate';

/**
 * Relays presence (Yjs awareness) once per tick per room instead of once per update.
 *
 * Hocuspocus 3.4's Document sends every awareness change to every connection the moment it is
 * applied, encoding it again for each: with N members at 30 Hz that is 30·N² messages a second
 * (50 members: ~75,000/s), each decoded on its own by every client. This extension detaches that
 * listener and collects the client ids that changed; at most every `tickMs` it encodes the latest
 * state of those ids once, in one awareness update, and sends that same message to every
 * connection: N messages per tick, a change waits at most one tick. A member's own state comes
 * back to it as in Hocuspocus (its clock is not newer, so the client ignores it).
 *
 * Everything else stays Hocuspocus': applying updates (MessageReceiver), the full state a new
 * connection gets, removing a closed connection's clients, the onAwarenessUpdate hook; updates
 * arriving from Redis are coalesced the same way (publishing to Redis: `redis-presence.ts`).
 * The detached listener also recorded which client ids each connection owns, so that closing it
 * removes them: that bookkeeping is done here instead.
 */
export class AwarenessCoalescer implements Extension {
  extensionName = 'holoct-awareness-coalescer';
  /** Before every other extension: nothing may be relayed the old way once the document has loaded. */
  priority = 1000;

  constructor(private readonly tickMs = DEFAULT_PRESENCE_TICK_MS, private readonly onError: (error: unknown) => void = () => undefined) {
    assertTickMs(tickMs);
    // Fail at start-up, not in the first room, when a Hocuspocus upgrade no longer fits.
    const probe = new Document('probe');
    try {
      hocuspocusBroadcast(probe.awareness);
    } finally {
      probe.awareness.destroy();
      probe.destroy();
    }
  }

  async afterLoadDocument({ document }: afterLoadDocumentPayload): Promise<void> {
    coalesceAwareness(document, this.tickMs, this.onError);
  }
}

/** Replaces `document`'s per-update awareness broadcast with one update per tick of `tickMs`. */
export function coalesceAwareness(document: Document, tickMs: number, onError: (error: unknown) => void = () => undefined): void {
  const awareness = document.awareness;
  awareness.off('update', hocuspocusBroadcast(awareness));

  const batch = new TickBatcher(tickMs, (changed) => {
    if (document.isDestroyed) return;
    // A client id without meta was never applied here: encoding it would throw.
    const ids = changed.filter((id) => awareness.meta.has(id));
    if (ids.length === 0) return;
    const message = new OutgoingMessage(document.name).createAwarenessUpdateMessage(awareness, ids).toUint8Array();
    for (const connection of document.getConnections()) connection.send(message);
  }, onError);

  const onUpdate: UpdateListener = ({ added, updated, removed }, origin) => {
    // Hocuspocus applies a connection's update with its WebSocket as origin; Redis and timeouts pass none.
    const owner = origin ? document.connections.get(origin as Parameters<typeof document.connections.get>[0]) : undefined;
    if (owner) {
      for (const id of added) owner.clients.add(id);
      for (const id of removed) owner.clients.delete(id);
    }
    batch.add(added);
    batch.add(updated);
    batch.add(removed);
  };
  awareness.on('update', onUpdate);
  document.on('destroy', () => batch.clear());
}

/** The awareness listener Hocuspocus' Document attached in its constructor (private: found by its bound name). */
function hocuspocusBroadcast(awareness: Awareness): UpdateListener {
  const observers = (awareness as unknown as { _observers?: Map<string, Set<UpdateListener>> })._observers?.get('update');
  const broadcast = observers && [...observers].find((listener) => listener.name === HOCUSPOCUS_BROADCAST);
  if (!broadcast) {
    throw new Error(`awareness-coalescer: @hocuspocus/server's Document no longer attaches "${HOCUSPOCUS_BROADCAST}" to its awareness; presence coalescing must be adapted to this Hocuspocus version`);
  }
  return broadcast;
}
