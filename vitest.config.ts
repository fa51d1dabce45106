import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (fast, no cluster), `integration` (one real
 * kube-apiserver + etcd per run, see test/setup/control-plane.ts; the audit
 * tests start their own) and `browser` (Debian's Chromium through
 * playwright-core). `npm test` runs all three; `npm run test:unit` only the first.
 */
export default defineConfig({
  test: {
    // Stopping the control plane (SIGTERM, graceful shutdown) can take a few seconds.
    teardownTimeout: 60_000,
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/browser/**', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/control-plane.ts'],
          // Files share one API server: run them one at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          // A cold build of the control plane happens inside globalSetup; hooks
          // in test files only talk to an already running server.
          hookTimeout: 120_000,
        },
      },
      { test: { name: 'browser', environment: 'node', include: ['test/browser/**/*.test.ts'], testTimeout: 60_000 } },
    ],
  },
});
