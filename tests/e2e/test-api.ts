import type { HoloctTestApi } from '../../src/app/test-api';

/**
 * `window.__holoct` as the browser tests see it inside `page.evaluate`: the app's test build
 * publishes it (src/app/test-hooks.ts); a production build has none. Import this module (for its
 * types) in every browser test that reads it.
 */
declare global {
  interface Window {
    __holoct?: HoloctTestApi;
  }
}

export type { HoloctTestApi };
