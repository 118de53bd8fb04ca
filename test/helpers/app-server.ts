// SPDX-License-Identifier: MIT
// The real server, in-process, for e2e tests that need to see what it relays.
import type { AddressInfo } from 'node:net';
import { createAppServer } from '../../server/app';
import { readConfig } from '../../server/config';
import { attachSignaling } from '../../server/signal';

/** Starts the app server with signaling on a free loopback port. */
export async function startAppServer(
  staticDir: string,
  env: Record<string, string> = {},
  onRelay?: (data: string) => void,
) {
  const config = readConfig(env, { staticDir });
  const server = createAppServer(config);
  const signaling = attachSignaling(server, config, onRelay ? { onRelay } : {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      signaling.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
