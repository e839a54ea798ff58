import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native addon: each test file in its own process, so one file's threads and ORT sessions
    // cannot disturb another's measurements of the event loop.
    pool: 'forks',
    // 2 cores: running files in parallel only makes the event-loop tests noisier.
    fileParallelism: false,
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
