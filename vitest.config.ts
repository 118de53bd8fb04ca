import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { playwright } from '@vitest/browser-playwright';
import solid from 'vite-plugin-solid';
import { defineConfig } from 'vitest/config';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';
import { TEST_HOOKS_DEFINE } from './test/helpers/test-build';

export default defineConfig({
  test: {
    projects: [
      {
        // Tests exercise the fault hooks and counters that only test builds have.
        define: TEST_HOOKS_DEFINE,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/unit/**/*.test.ts', 'test/server/**/*.test.ts'],
        },
      },
      {
        plugins: [solid()],
        define: TEST_HOOKS_DEFINE,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.{ts,tsx}'],
          setupFiles: ['test/browser/build-flags.setup.ts'],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath(), args: chromiumArgs() },
              // An on-disk profile, as a user's: storage and Blob paging behave as in real use.
              persistentContext: mkdtempSync(join(tmpdir(), 'ferry-vitest-profile-')),
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        define: TEST_HOOKS_DEFINE,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
