/**
 * One member in a process of its own, for tests that kill it (SIGKILL: a headset whose battery
 * dies). Run: node --import tsx tests/team/presence-member.ts <ws url> <room id> <secret>. Once
 * synced it sets its presence and prints `member <awareness client id>`, then waits to be killed.
 */
import { HocuspocusProvider, type CompleteHocuspocusProviderWebsocketConfiguration, type HocuspocusProviderConfiguration } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';

const [url, roomId, secret] = process.argv.slice(2);
if (!url || !roomId || !secret) {
  process.stderr.write('usage: presence-member.ts <ws url> <room id> <secret>\n');
  process.exit(2);
}
const configuration: HocuspocusProviderConfiguration & Partial<CompleteHocuspocusProviderWebsocketConfiguration> = {
  url, name: roomId, token: secret, document: new Y.Doc(), WebSocketPolyfill: WebSocket,
  onSynced: () => {
    provider.awareness!.setLocalState({ name: 'member in its own process' });
    process.stdout.write(`member ${provider.awareness!.clientID}\n`);
  },
};
const provider = new HocuspocusProvider(configuration);
