// SPDX-License-Identifier: MIT
// Starting Chromium from Node-side tests (e2e), with the project's flags.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

/** A headless Chromium with the project's flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() });
}

/** A Chromium with an on-disk profile in `parent` (a fresh folder under it), like a real user's. */
export function launchWithProfile(parent: string = tmpdir()): Promise<BrowserContext> {
  const dir = mkdtempSync(join(parent, 'ferry-profile-'));
  return chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath(),
    args: chromiumArgs(),
  });
}
