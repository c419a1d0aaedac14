import { Redis, type Configuration } from '@hocuspocus/extension-redis';
import type { afterLoadDocumentPayload, onAwarenessUpdatePayload } from '@hocuspocus/server';
import { TickBatcher } from './tick-batcher';

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

/**
 * Hocuspocus' Redis extension, publishing presence once per tick per room, and only what this
 * process's own members changed.
 *
 * The extension publishes each awareness change of a document from its onAwarenessUpdate hook,
 * one Redis message per change, also the changes it has just received from Redis: every update
 * crosses Redis twice (the other process publishes it back) and every process decodes both. The
 * hook also runs a little late (a promise chain), when a member's connection may already be gone,
 * and it publishes nothing for a document without connections: the last member of a process who
 * left stayed visible on the other processes until the 30 s awareness timeout.
 *
 * Here the hook does nothing; a listener on the document's awareness sees each change as it is
 * applied, with its origin: a change from a connection of this process (its WebSocket is the
 * origin) is collected and published with the others once per tick; changes that came from Redis
 * are not published again; a removal is published at once, while the leaving connection is still
 * registered (Hocuspocus removes a closed connection's states before it drops the connection).
 */
export class CoalescingRedis extends Redis {
  constructor(configuration: Partial<Configuration>, private readonly tickMs: number, private readonly onError: (error: unknown) => void) {
    super(configuration);
  }

  override async afterLoadDocument(payload: afterLoadDocumentPayload): Promise<unknown> {
    const subscribed = await super.afterLoadDocument(payload);
    const { document } = payload;
    const awareness = document.awareness;
    const publish = (change: AwarenessChange) => {
      const message: onAwarenessUpdatePayload = { ...payload, ...change, awareness, states: [] };
      // The extension checks the document's connections at once, then encodes the ids' current states.
      super.onAwarenessUpdate(message).catch(this.onError);
    };
    const batch = new TickBatcher(this.tickMs, (ids) => {
      if (!document.isDestroyed) publish({ added: [], updated: ids.filter((id) => awareness.meta.has(id)), removed: [] });
    }, this.onError);
    awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      if (removed.length > 0) publish({ added: [], updated: [], removed });
      const local = origin !== null && origin !== undefined && document.connections.has(origin as Parameters<typeof document.connections.has>[0]);
      if (local) batch.add(added.concat(updated));
    });
    document.on('destroy', () => batch.clear());
    return subscribed;
  }

  /** Published from the awareness listener above instead (see the class comment). */
  override async onAwarenessUpdate(): Promise<undefined> {
    return undefined;
  }
}
