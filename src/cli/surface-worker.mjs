// Entry of a surface worker thread (src/cli/parallel-surfaces.ts): registers tsx in this thread, as
// bin/holoct.mjs does in the main one, then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./surface-worker.ts');
