// SPDX-License-Identifier: MIT

/**
 * True only in builds made for tests and benchmarks (set by Vite's `define`):
 * fault hooks and bench counters exist there and nowhere else. The bundle
 * `npm start` serves has `false` here, so the minifier drops the code behind it.
 */
declare const __FERRY_TEST_HOOKS__: boolean;
