/** Ids that are unique across the members of a session without asking anyone: "<clientId>-<counter>". */
export interface IdSource {
  readonly clientId: string;
  next(): string;
}

export function createIdSource(clientId: string): IdSource {
  if (!/^[A-Za-z0-9_.:]{1,40}$/.test(clientId)) throw new Error(`client id "${clientId}": 1-40 letters, digits, "_", "." or ":"`);
  let counter = 0;
  return { clientId, next: () => `${clientId}-${++counter}` };
}

/** A client id for a device outside a session (a session uses its document's clientID instead). */
export function randomClientId(): string {
  return globalThis.crypto.randomUUID().slice(0, 8);
}
