// SPDX-License-Identifier: MIT
// The signaling server as the bench runs it: the real app server and
// signaling (config from the environment, as in production), plus what only a
// bench wants, over IPC with the parent: memory, event-loop delay, sockets.
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createAppServer } from '../../server/app';
import { readConfig } from '../../server/config';
import { attachSignaling } from '../../server/signal';

/** What the parent may ask. */
type Ask = { ask: 'stats' } | { ask: 'reset-delay' } | { ask: 'stop' };

const config = readConfig(process.env, { staticDir: '/nonexistent' });
let signaling: ReturnType<typeof attachSignaling> | null = null;
const server = createAppServer(config, null, { health: () => signaling!.health() });
signaling = attachSignaling(server, config);
/** The delay histogram samples every this many ms; a sample is that interval plus any delay. */
const SAMPLE_MS = 10;
const delay = monitorEventLoopDelay({ resolution: SAMPLE_MS });
delay.enable();
let sockets = 0;
server.on('upgrade', (_req, socket) => {
  sockets++;
  socket.once('close', () => sockets--);
});

server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as AddressInfo).port;
  const waitReady = setInterval(() => {
    if (!signaling!.ready()) return;
    clearInterval(waitReady);
    process.send?.({ listening: `ws://127.0.0.1:${port}/signal` });
  }, 20);
});

process.on('message', (message: Ask) => {
  if (message.ask === 'reset-delay') {
    delay.reset();
    process.send?.({ reset: true });
  } else if (message.ask === 'stats') {
    global.gc?.();
    // Delay beyond the sampling interval itself, ms.
    const ms = (ns: number) => Math.round(Math.max(0, ns / 1e6 - SAMPLE_MS) * 100) / 100;
    process.send?.({
      stats: {
        rssBytes: process.memoryUsage.rss(),
        cpuMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage()),
        heapUsedBytes: process.memoryUsage().heapUsed,
        sockets,
        roomsHere: signaling!.rooms.size,
        eventLoopDelayMs: {
          p50: ms(delay.percentile(50)),
          p99: ms(delay.percentile(99)),
          max: ms(delay.max),
        },
      },
    });
  } else if (message.ask === 'stop') {
    void signaling!.close().finally(() => process.exit(0));
    server.closeAllConnections();
  }
});
