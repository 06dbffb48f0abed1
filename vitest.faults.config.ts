import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the fault suite (docs/testing.md). Kept out of `npm test` because each file kills,
// cuts or restarts a real process and takes tens of seconds; CI runs it after `npm test`.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // One file at a time: the faults are timed by heartbeats and lock expiries, which a crowded machine stretches.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
