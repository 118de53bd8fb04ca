// SPDX-License-Identifier: MIT
import { expose } from 'comlink';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
// Served with the app (and precached): the library would otherwise fetch it from a CDN.
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

prepareZXingModule({
  overrides: {
    locateFile: (path: string, prefix: string) =>
      path.endsWith('.wasm') ? wasmUrl : prefix + path,
  },
});

/** Decodes QR codes off the main thread (zxing-cpp in WebAssembly). */
const api = {
  /** The text of the first QR code in the frame, or null when there is none. */
  async decode(frame: ImageData): Promise<string | null> {
    const [result] = await readBarcodes(frame, {
      formats: ['QRCode'],
      tryHarder: true,
      maxNumberOfSymbols: 1,
    });
    return result?.isValid ? result.text : null;
  },
};

/** The worker's API, for `wrap<QrWorkerApi>()`. */
export type QrWorkerApi = typeof api;

expose(api);
