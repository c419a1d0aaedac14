import { Redis, type Configuration } from '@hocuspocus/extension-redis';
import type { Document, onAwarenessUpdatePayload } from '@hocuspocus/server';
import { TickBatcher } from './tick-batcher';

/**
 * Hocuspocus' Redis extension, publishing presence once per tick per room, and only what this
 * process's own members changed.
 *
 * The extension publishes each awareness change of a document from its onAwarenessUpdate hook,
 * one Redis message per change, also the changes it has just received from Redis: every update
 * crosses Redis twice (the other process publishes it back) and every process decodes both. Here a
 * change by a member connected to this process (its connection owns the client id) is collected
 * and published with the others once per tick; changes that came from Redis are not published
 * again. A removal is published at once, as before: when a process's last member leaves, the
 * extension publishes nothing more for that document, so it must not wait for a tick.
 */
export class CoalescingRedis extends Redis {
  private readonly batches = new Map<Document, TickBatcher>();

  constructor(configuration: Partial<Configuration>, private readonly tickMs: number, private readonly onError: (error: unknown) => void) {
    super(configuration);
  }

  override async onAwarenessUpdate(payload: onAwarenessUpdatePayload): Promise<undefined> {
    const { document, removed } = payload;
    if (removed.length > 0) await super.onAwarenessUpdate({ ...payload, added: [], updated: [], removed });
    const local = clientsOfConnections(document);
    const changed = payload.added.concat(payload.updated).filter((id) => local.has(id));
    if (changed.length > 0) this.batchOf(payload).add(changed);
    return undefined;
  }

  private batchOf(payload: onAwarenessUpdatePayload): TickBatcher {
    const { document } = payload;
    let batch = this.batches.get(document);
    if (!batch) {
      const publish = (ids: number[]) => {
        if (document.isDestroyed) return;
        // The extension encodes the current state of the ids it is given: each member's latest.
        super.onAwarenessUpdate({ ...payload, added: [], updated: ids.filter((id) => document.awareness.meta.has(id)), removed: [] }).catch(this.onError);
      };
      const created = new TickBatcher(this.tickMs, publish, this.onError);
      document.on('destroy', () => {
        created.clear();
        this.batches.delete(document);
      });
      this.batches.set(document, created);
      batch = created;
    }
    return batch;
  }
}

/** Awareness client ids owned by the document's connections to this process (kept by the coalescer). */
function clientsOfConnections(document: Document): Set<number> {
  const ids = new Set<number>();
  for (const { clients } of document.connections.values()) for (const id of clients) ids.add(id as number);
  return ids;
}
