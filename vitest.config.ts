import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (fast, no cluster), `integration` (one real
 * kube-apiserver + etcd per run, see test/setup/control-plane.ts; the audit
 * tests start their own) and `browser` (Debian's Chromium through
 * playwright-core). `npm test` runs all three; `npm run test:unit` only the first.
 */
/**
 * Timeouts are sized for a busy 2-core machine (load average 10 and more while
 * other builds run), where a CLI run in a child process or a synth of the
 * example fleet takes ten times as long as on an idle one. vitest's 5 s default
 * fails there, so every project sets its own.
 */
const UNIT_TIMEOUT_MS = 120_000;

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
          testTimeout: UNIT_TIMEOUT_MS,
          hookTimeout: UNIT_TIMEOUT_MS,
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
          testTimeout: 120_000,
          // A cold build of the control plane happens inside globalSetup; hooks
          // in test files only talk to an already running server.
          hookTimeout: 240_000,
        },
      },
      { test: { name: 'browser', environment: 'node', include: ['test/browser/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
    ],
  },
});
