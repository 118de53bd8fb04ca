import type { ChildProcess } from 'node:child_process';
/** Resolves with the server's URL once it logs that it listens, and the child process. */
export function startServerProcess(
  env?: Record<string, string>,
  cwd?: string,
): Promise<{ url: string; process: ChildProcess }>;
