// SPDX-License-Identifier: MIT
import { build } from 'vite';

/**
 * Builds the app into `outDir` as `npm run build` does, plus `define` (the
 * test hooks, or nothing for the shipped bundle). Vitest sets NODE_ENV=test,
 * which would make Vite build a development bundle (no service worker
 * registration), so production is set for the build's duration.
 */
export async function buildApp(
  outDir: string,
  define: Record<string, string> = {},
  sourcemap = true,
): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      mode: 'production',
      logLevel: 'warn',
      define,
      build: { outDir, emptyOutDir: true, sourcemap },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
