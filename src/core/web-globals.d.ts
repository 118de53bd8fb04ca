// SPDX-License-Identifier: MIT
// The few web-standard globals core may use. They exist in browsers, workers
// and Node alike; core's tsconfig has no DOM lib, so anything else (document,
// fetch, indexedDB) fails to compile here on purpose.

interface TextEncoder {
  encode(input?: string): Uint8Array;
}
declare var TextEncoder: { new (): TextEncoder };

interface TextDecoder {
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
declare var TextDecoder: {
  new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder;
};

interface URL {
  readonly href: string;
  readonly protocol: string;
  readonly host: string;
  readonly hash: string;
  readonly username: string;
  readonly password: string;
}
declare var URL: { new (url: string, base?: string): URL };
