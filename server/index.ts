// SPDX-License-Identifier: MIT
// Entry point: `npm run serve` (or `npm start`, which builds first).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppServer } from './app';
import { readConfig } from './config';
import { log } from './log';
import { ServerMetrics } from './metrics';
import { attachSignaling } from './signal';
import { loadTls } from './tls';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let config: ReturnType<typeof readConfig>;
try {
  config = readConfig(process.env, { staticDir: join(root, 'dist') }, process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (!existsSync(join(config.staticDir, 'index.html'))) {
  log('warn', 'no built app found; run `npm run build` (npm start does it for you)', {
    staticDir: config.staticDir,
  });
}

const tls = config.tls
  ? await loadTls(config.tls, process.env.CERT_DIR || join(root, '.ferry-cert'))
  : null;
// One registry for the process: the app server's counters, signaling's, and Node's own (open fds).
const metrics = new ServerMetrics({ processMetrics: true });
const server = createAppServer(config, tls, { metrics, health: () => signaling.health() });
const signaling = attachSignaling(server, config, { metrics });
// Failing to listen (port taken) ends the process; once listening, server errors are logged (http-limits).
const cannotListen = (err: Error) => {
  console.error(`Cannot listen on ${config.host}:${config.port}: ${err.message}`);
  process.exit(1);
};
server.once('error', cannotListen);
server.once('listening', () => server.off('error', cannotListen));
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const scheme = tls ? 'https' : 'http';
  log('info', 'listening', {
    url: `${scheme}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/`,
    port,
    tls: !!tls,
    iceServers: config.iceServers.length,
    turn: config.turn ? config.turn.urls : null,
  });
  if (!isLocalOnly(config.host) && config.iceServers.length === 0 && !config.turn) {
    log(
      'warn',
      'no STUN or TURN server is configured: only devices on the same network as each other will connect. ' +
        'Set TURN_URLS and TURN_SECRET (a coturn with use-auth-secret; see the README, Deploy) so phones on mobile data can reach laptops at home.',
    );
  }
});

/** True when the server only listens on this machine, where no relay is needed. */
function isLocalOnly(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function shutdown(signal: string): void {
  log('info', 'shutting down', { signal });
  // With Redis, this node's members leave and its keys go before the process ends.
  void signaling.close().finally(() => server.close(() => process.exit(0)));
  server.closeAllConnections();
  // Never hang forever on a stuck socket.
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
