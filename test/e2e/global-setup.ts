// SPDX-License-Identifier: MIT
// Builds the app once and starts the real server on a free loopback port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startServerProcess } from '../../scripts/server-process.mjs';
import { buildApp } from '../helpers/build-app';
import { TEST_HOOKS_DEFINE } from '../helpers/test-build';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the server under test, e.g. http://127.0.0.1:40123 */
    baseUrl: string;
    /** Folder of the built app the server serves. */
    distDir: string;
  }
}

export default async function setup(project: TestProject) {
  const distDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-dist-'));
  // The production bundle plus the fault hooks tests play hostile peers with.
  await buildApp(distDir, TEST_HOOKS_DEFINE);
  const server = await startServerProcess({ STATIC_DIR: distDir });
  project.provide('baseUrl', server.url);
  project.provide('distDir', distDir);
  return async () => {
    server.process.kill('SIGTERM');
    rmSync(distDir, { recursive: true, force: true });
  };
}
