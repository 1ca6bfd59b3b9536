import { availableParallelism } from 'node:os';
import { defineConfig } from 'playwright/test';

/**
 * Playwright Test: the browser suite (test/e2e, the built renderer in Debian's Chromium wired to
 * the real core) and the Electron spec (test/electron). Unit, integration and reliability tests
 * stay in Vitest (vitest.config.ts). Traces, failure screenshots and the HTML report go to
 * test-results/ (git-ignored).
 */
export default defineConfig({
  outputDir: 'test-results/playwright',
  // Each file starts its own sandboxes, service and browser context, and its tests build on one
  // another (serial); the slowest step is a full Sync now against both sandboxes.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  // A worker is a Chromium plus two sandboxes plus the engine: one per two cores.
  workers: Math.max(1, Math.floor(availableParallelism() / 2)),
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'test-results/playwright-report' }]],
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    {
      name: 'e2e',
      testDir: 'test/e2e',
      testMatch: '**/*.test.ts',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
          ],
        },
      },
    },
    {
      // Skips with a printed reason where the Electron binary is absent (ELECTRON_SKIP_BINARY_DOWNLOAD).
      name: 'electron',
      testDir: 'test/electron',
      testMatch: '**/*.spec.ts',
      timeout: 120_000,
    },
  ],
});
