import { createIdSource, randomClientId, type IdSource } from './ids';
import { applyLocalCommand, initialLocalState, type LocalCommand } from './local-state';
import { reduceCommand, type Command } from './shared-state';
import type { HologramState, LocalState, SharedState } from './types';

/** Who caused a change: this device's commands, or the shared document (another member). */
export type ChangeOrigin = 'local' | 'remote';
export type Listener = (state: HologramState, previous: HologramState, origin: ChangeOrigin) => void;
export type CommandResult = { ok: true; changed: boolean } | { ok: false; reason: string };

/** A minimal observable store over an immutable { shared, local } state. */
export interface HologramStore {
  getState(): HologramState;
  /** Applies a shared command through the reducer; listeners run only when the state changes. */
  dispatch(command: Command): CommandResult;
  dispatchLocal(command: LocalCommand): void;
  /** The shared state as the session's document has it now (the sync binding calls this). */
  receiveShared(shared: SharedState): void;
  subscribe(listener: Listener): () => void;
  /** Ids for what this device creates (measurements, cuts). */
  readonly ids: IdSource;
}

export interface HologramStoreOptions {
  /** This device's id in ids (default: a random one; a session passes its document's clientID). */
  clientId?: string;
}

export function createHologramStore(initial: { shared: SharedState; local?: LocalState }, options: HologramStoreOptions = {}): HologramStore {
  let state: HologramState = { shared: initial.shared, local: initial.local ?? initialLocalState() };
  const listeners = new Set<Listener>();
  const commit = (next: HologramState, origin: ChangeOrigin) => {
    const previous = state;
    state = next;
    for (const listener of [...listeners]) listener(state, previous, origin);
  };
  return {
    ids: createIdSource(options.clientId ?? randomClientId()),
    getState: () => state,
    dispatch(command) {
      const outcome = reduceCommand(state.shared, command);
      if (outcome.rejected !== undefined) return { ok: false, reason: outcome.rejected };
      if (outcome.state === state.shared) return { ok: true, changed: false };
      commit({ ...state, shared: outcome.state }, 'local');
      return { ok: true, changed: true };
    },
    dispatchLocal(command) {
      const local = applyLocalCommand(state.local, command);
      if (local !== state.local) commit({ ...state, local }, 'local');
    },
    receiveShared(shared) {
      if (shared !== state.shared) commit({ ...state, shared }, 'remote');
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
