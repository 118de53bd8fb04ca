// SPDX-License-Identifier: MIT
// Vitest's browser mode does not apply Vite's `define` to the modules it serves
// (vitest 4.1), so the build flag the app reads is declared here as a global
// before any test module loads, with the value test builds give it.
import { TEST_HOOKS_DEFINE } from '../helpers/test-build';

(globalThis as { __FERRY_TEST_HOOKS__?: boolean }).__FERRY_TEST_HOOKS__ =
  TEST_HOOKS_DEFINE.__FERRY_TEST_HOOKS__ === 'true';
