import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Files that need a process of their own: the Temporal runtime is process-global and keeps the
 * options of whoever installed it first, and this file's worker installs it with the SDK's
 * metrics exporter.
 */
const OWN_PROCESS = ['test/ecosystem/worker-observability.test.ts'];

/** What both projects share. */
const common = {
  pool: 'forks',
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // expect.poll waits 1 s by default; pages re-render later than that on 2 busy cores.
  expect: { poll: { timeout: 10_000 } },
} as const;

export default defineConfig({
  test: {
    // The root's global setup runs once for both projects (one Temporal server), and what it
    // provides reaches both.
    globalSetup: ['test/global-setup.ts'],
    maxWorkers: 3,
    reporters: ['default'],
    projects: [
      {
        test: {
          ...common,
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...OWN_PROCESS],
          // A worker process runs file after file without re-importing the app for each:
          // importing it afresh per file cost 450-630 s of the workers' time in a full run.
          // Every file starts and stops what it uses (its own database, stack, servers).
          isolate: false,
        },
      },
      { test: { ...common, name: 'own-process', include: OWN_PROCESS } },
    ],
  },
});
