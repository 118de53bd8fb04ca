// SPDX-License-Identifier: MIT
// Builds the app once and starts the real server on a free loopback port.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the server under test, e.g. http://127.0.0.1:40123 */
    baseUrl: string;
    /** Folder of the built app the server serves. */
    distDir: string;
  }
}

/** Starts `server/index.ts` as its own process and resolves with its URL once it listens. */
export function startServer(
  env: Record<string, string>,
): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        const port = line.includes('"listening"')
          ? (JSON.parse(line) as { port: number }).port
          : null;
        if (port) resolve({ url: `http://127.0.0.1:${port}`, process: child });
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`server exited with code ${code} before listening`)),
    );
  });
}

export default async function setup(project: TestProject) {
  const distDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-dist-'));
  // Vitest sets NODE_ENV=test, which would make Vite build a development bundle
  // (no service worker registration): build exactly what `npm run build` ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: distDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const server = await startServer({ STATIC_DIR: distDir });
  project.provide('baseUrl', server.url);
  project.provide('distDir', distDir);
  return async () => {
    server.process.kill('SIGTERM');
    rmSync(distDir, { recursive: true, force: true });
  };
}
