/** The state room's public API: the shared/local state model, commands, validators, pose algebra, sync. */
export * from './types';
export * from './shared-state';
export * from './local-state';
export * from './ids';
export * from './pose';
export * from './store';
export * from './view';
export * from './validate';
export * from './throttle';
export * from './room-frame';
