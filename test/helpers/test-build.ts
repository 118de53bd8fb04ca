// SPDX-License-Identifier: MIT

/** Vite `define` for builds made for tests: the app with its fault hooks and bench counters. */
export const TEST_HOOKS_DEFINE = { __FERRY_TEST_HOOKS__: 'true' } as const;
