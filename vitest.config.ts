import { defineConfig } from 'vitest/config';

// Unit, integration and reliability tests. The browser suite (test/e2e) and the Electron spec
// (test/electron) run in Playwright Test: playwright.config.ts.
export default defineConfig({
  test: {
    include: ['test/{unit,integration,reliability}/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
