import { defineConfig } from 'vitest/config';

// Team session tests (`npm run test:team`): real team server processes, a real Redis and real
// Hocuspocus clients on loopback (ports 9200-9299). One file at a time: they share that port range.
export default defineConfig({
  test: {
    include: ['tests/team/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
