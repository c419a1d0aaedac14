import type { HoloctTestApi } from './test-api';

/**
 * Publishes app internals to the browser tests as `window.__holoct`. Only a test build calls this:
 * main.ts guards every call with TEST_HOOKS (VITE_HOLOCT_TEST_HOOKS=true at build time, which the
 * browser and PACS test setups pass), so `npm run build` / `npm start` drop this module
 * (tests/unit/production-bundle.test.ts checks the bundle).
 */
export const TEST_HOOKS = import.meta.env.VITE_HOLOCT_TEST_HOOKS === 'true';

/** Adds `part` to `window.__holoct`: the model's hook at start, the case's parts when it has loaded. */
export function publishTestApi(part: Partial<HoloctTestApi>): void {
  const w = window as unknown as { __holoct?: Partial<HoloctTestApi> };
  w.__holoct = { ...w.__holoct, ...part };
}
