// SPDX-License-Identifier: MIT

/**
 * Stops a WebRTC test unless it runs inside the private network namespace
 * that `npm test` makes: outside it, Chromium would put this machine's real
 * addresses on the network, and nothing of a test may leave the machine.
 */
export function requirePrivateNetwork(): void {
  if (process.env.FERRY_PRIVATE_NETWORK !== '1') {
    throw new Error(
      'This WebRTC test runs only inside the private network namespace that `npm test` creates (unshare -n, needs root or user namespaces). It was not started there, so it refuses to run on your real network interfaces.',
    );
  }
}
