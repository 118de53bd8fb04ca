// SPDX-License-Identifier: MIT
// Entry point: `npm run serve` (or `npm start`, which builds first).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppServer } from './app';
import { readConfig } from './config';
import { log } from './log';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const config = readConfig(process.env, { staticDir: join(root, 'dist') });
if (!existsSync(join(config.staticDir, 'index.html'))) {
  log('warn', 'no built app found; run `npm run build` (npm start does it for you)', {
    staticDir: config.staticDir,
  });
}

const server = createAppServer(config);
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log('info', 'listening', {
    url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/`,
    port,
  });
});

function shutdown(signal: string): void {
  log('info', 'shutting down', { signal });
  server.close(() => process.exit(0));
  server.closeAllConnections();
  // Never hang forever on a stuck socket.
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
