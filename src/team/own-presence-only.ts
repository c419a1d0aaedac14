import type { HocuspocusProvider } from '@hocuspocus/provider';
import type { Awareness } from 'y-protocols/awareness';

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

/**
 * Makes `provider` send only this client's own presence to the server.
 *
 * Hocuspocus' provider (3.4, like y-websocket) sends every change of its awareness to the server,
 * also the peers' states it has just received from the server: each member echoes the whole room's
 * presence back, (N − 1) × 30 messages a second at 30 Hz, which passes the server's per-connection
 * rate limit from about seven members and costs the server a decode per echo. The server already
 * has those states (it sent them), and a client's view of another member (e.g. removed here after a
 * timeout) is not for it to publish. Returns a function that restores the provider's own handler.
 */
export function sendOwnPresenceOnly(provider: HocuspocusProvider): () => void {
  const awareness: Awareness | null = provider.awareness;
  if (!awareness) return () => undefined;
  const sendAll = provider.boundAwarenessUpdateHandler;
  const sendOwn = ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
    const self = awareness.clientID;
    const mine = (ids: number[]) => ids.filter((id) => id === self);
    const change = { added: mine(added), updated: mine(updated), removed: mine(removed) };
    if (change.added.length + change.updated.length + change.removed.length > 0) sendAll(change, origin);
  };
  awareness.off('update', sendAll);
  awareness.on('update', sendOwn);
  return () => {
    awareness.off('update', sendOwn);
    awareness.on('update', sendAll);
  };
}
