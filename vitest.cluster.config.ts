import { defineConfig } from 'vitest/config';

// `npm run test:cluster`: the production shape (scripts/cluster.ts) started from scratch by the test
// file itself — no dev server, no shared global setup.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
    teardownTimeout: 120_000,
    reporters: ['default'],
  },
});
