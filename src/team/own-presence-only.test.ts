import { HocuspocusProvider, type CompleteHocuspocusProviderWebsocketConfiguration, type HocuspocusProviderConfiguration } from '@hocuspocus/provider';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyAwarenessUpdate, Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { sendOwnPresenceOnly } from './own-presence-only';

/** A provider that never connects; its `send` is watched for the awareness messages it would send. */
function offlineProvider(): { provider: HocuspocusProvider; sentClients: () => number[][] } {
  const configuration: HocuspocusProviderConfiguration & Partial<CompleteHocuspocusProviderWebsocketConfiguration> = {
    // never connects: no socket is made
    url: 'ws://127.0.0.1:9', name: 'room', document: new Y.Doc(), autoConnect: false, WebSocketPolyfill: class NoSocket {},
  };
  const provider = new HocuspocusProvider(configuration);
  const send = vi.spyOn(provider, 'send').mockImplementation(() => undefined);
  const sentClients = () => send.mock.calls.filter(([, args]) => Array.isArray((args as { clients?: unknown }).clients)).map(([, args]) => (args as { clients: number[] }).clients);
  return { provider, sentClients };
}

/** A peer's presence as the server would relay it to `provider`. */
function receiveFromPeer(provider: HocuspocusProvider, state: object): number {
  const peer = new Awareness(new Y.Doc());
  peer.setLocalState(state);
  applyAwarenessUpdate(provider.awareness!, encodeAwarenessUpdate(peer, [peer.clientID]), provider);
  peer.destroy();
  return peer.clientID;
}

describe('sendOwnPresenceOnly', () => {
  const providers: HocuspocusProvider[] = [];
  afterEach(() => providers.splice(0).forEach((p) => p.destroy()));

  it('the stock provider sends peers\' states back to the server; with it, only its own', () => {
    const stock = offlineProvider();
    providers.push(stock.provider);
    const peerId = receiveFromPeer(stock.provider, { name: 'peer' });
    expect(stock.sentClients()).toEqual([[peerId]]);

    const own = offlineProvider();
    providers.push(own.provider);
    sendOwnPresenceOnly(own.provider);
    receiveFromPeer(own.provider, { name: 'peer' });
    expect(own.sentClients()).toEqual([]);
    own.provider.awareness!.setLocalStateField('presence', { v: 1 });
    expect(own.sentClients()).toEqual([[own.provider.awareness!.clientID]]);
    // leaving: its own removal still goes out
    own.provider.awareness!.setLocalState(null);
    expect(own.sentClients()).toHaveLength(2);
  });

  it('restores the provider\'s own handler', () => {
    const { provider, sentClients } = offlineProvider();
    providers.push(provider);
    sendOwnPresenceOnly(provider)();
    const peerId = receiveFromPeer(provider, { name: 'peer' });
    expect(sentClients()).toEqual([[peerId]]);
  });
});
