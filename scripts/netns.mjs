// SPDX-License-Identifier: MIT
import { spawnSync } from 'node:child_process';

/** Shell lines that give a fresh network namespace one veth with a default route, and no way out. */
export const NETNS_SETUP = [
  'ip link set lo up',
  'ip link add v0 type veth peer name v1',
  'ip addr add 10.200.0.1/24 dev v0',
  'ip link set v0 up',
  'ip link set v1 up',
  'ip route add default via 10.200.0.254 dev v0',
].join(' && ');

/** True when this machine lets us make private network and mount namespaces (unshare -n -m) and has iproute2. */
export function canIsolate() {
  const ok = (args) => spawnSync(args[0], args.slice(1), { stdio: 'ignore' }).status === 0;
  return ok(['unshare', '-n', '-m', 'true']) && ok(['ip', '-V']);
}
