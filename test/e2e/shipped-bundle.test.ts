// SPDX-License-Identifier: MIT
// The bundle `npm start` serves is built without the test build flag: no fault
// hook and no bench counter may be in it, while the test build (which the
// other e2e tests drive) has them, so this test would notice a renamed hook.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAppServer } from '../helpers/app-server';
import { buildApp } from '../helpers/build-app';
import { launchChromium } from '../helpers/chromium';

const HOOK_NAMES = [
  '__ferryFaults',
  'ferryStats',
  'corruptBlock',
  'manifestHex',
  'holdHashing',
  'relayOnly',
];
/** The build flag itself: left unreplaced, the shipped app would stop at its first use. */
const FLAG = '__FERRY_TEST_HOOKS__';

/** Every JavaScript file of a built app, read as text. */
function scripts(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) out.push(readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return out.join('\n');
}

describe('the shipped bundle', () => {
  const shipped = mkdtempSync(join(tmpdir(), 'ferry-shipped-dist-'));
  // Exactly what `npm run build` (and so `npm start`) makes: the config file, nothing added.
  beforeAll(() => buildApp(shipped, {}, false));
  afterAll(() => rmSync(shipped, { recursive: true, force: true }));

  it('contains no fault hook or bench counter; the test build does', () => {
    const shippedCode = scripts(shipped);
    const testCode = scripts(inject('distDir'));
    expect(shippedCode.includes(FLAG), `${FLAG} left unreplaced in the shipped bundle`).toBe(false);
    expect(testCode.includes(FLAG), `${FLAG} left unreplaced in the test build`).toBe(false);
    for (const name of HOOK_NAMES) {
      // Booleans, not the bundles: a failure names the hook instead of printing megabytes.
      expect(shippedCode.includes(name), `${name} in the shipped bundle`).toBe(false);
      expect(testCode.includes(name), `${name} in the test build`).toBe(true);
    }
  });

  it('runs: the shipped app opens on its Send screen with no page error', async () => {
    const server = await startAppServer(shipped);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(server.url);
      await page.getByRole('heading', { name: 'Send files' }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.stop();
    }
  });
});
