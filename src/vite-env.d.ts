/** Build-time switches (Vite replaces `import.meta.env.VITE_*` with the value given at build time). */
interface ImportMetaEnv {
  /** 'true' in the browser tests' build: exposes `window.__holoct` (src/app/test-hooks.ts). */
  readonly VITE_HOLOCT_TEST_HOOKS?: string;
}
