import { defineConfig } from 'vitest/config';

// The Electron spec (npm run test:electron): one app at a time, as Electron instances are heavy.
export default defineConfig({
  test: {
    include: ['test/electron/**/*.spec.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
