import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits 1 s by default; pages re-render later than that on 2 busy cores.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default'],
  },
});
