// SPDX-License-Identifier: MIT
// @ts-check
/// <reference lib="webworker" />
// Imported by the generated service worker (workbox importScripts). Streams a
// download the page makes (a zip of received files) straight to the browser's
// download, so the archive is never built as a second full copy in storage.
// The page (src/adapters/stream-download.ts) opens a download with a
// MessagePort, then navigates a hidden frame to /__ferry-download/<id>/<name>;
// the answer's body pulls one chunk at a time through that port.

const DOWNLOAD_PREFIX = '/__ferry-download/';
/** A download the page opened but never fetched is forgotten after this long, ms. */
const UNCLAIMED_MS = 60_000;
/** Ids are 32 hex characters (128 random bits): nothing else is looked up. */
const ID_PATTERN = /^[0-9a-f]{32}$/;
/** At most this many downloads wait to be fetched at once. */
const MAX_WAITING = 16;

/** @type {Map<string, { name: string, type: string, port: MessagePort, timer: ReturnType<typeof setTimeout> }>} */
const waiting = new Map();

self.addEventListener('message', (/** @type {any} */ event) => {
  const data = event.data;
  if (!data || typeof data !== 'object') return;
  // Sent while a download runs: each message keeps the worker alive a while longer.
  if (data.type === 'ferry-download-keepalive') return;
  if (data.type !== 'ferry-download-open') return;
  const port = event.ports?.[0];
  if (!port) return;
  const ok =
    typeof data.id === 'string' &&
    ID_PATTERN.test(data.id) &&
    typeof data.name === 'string' &&
    data.name.length > 0 &&
    data.name.length <= 255 &&
    typeof data.mime === 'string' &&
    /^[\w.+-]+\/[\w.+-]+$/.test(data.mime) &&
    waiting.size < MAX_WAITING &&
    !waiting.has(data.id);
  if (!ok) {
    port.postMessage({ type: 'refused' });
    port.close();
    return;
  }
  const timer = setTimeout(() => {
    waiting.delete(data.id);
    port.postMessage({ type: 'error', message: 'The download was never started.' });
    port.close();
  }, UNCLAIMED_MS);
  waiting.set(data.id, { name: data.name, type: data.mime, port, timer });
  port.postMessage({ type: 'ready' });
});

/**
 * A stream whose every pull asks the page for its next chunk: the page holds
 * at most one chunk in flight, so memory stays flat whatever the size.
 * @param {MessagePort} port
 */
function pullFrom(port) {
  /** @type {((m: any) => void) | null} */
  let answer = null;
  port.onmessage = (e) => answer?.(e.data);
  return new ReadableStream({
    pull(controller) {
      return new Promise((resolve) => {
        answer = (m) => {
          answer = null;
          if (m?.type === 'chunk' && m.data instanceof ArrayBuffer) {
            controller.enqueue(new Uint8Array(m.data));
          } else if (m?.type === 'end') {
            controller.close();
            port.close();
          } else {
            controller.error(
              new Error(typeof m?.message === 'string' ? m.message : 'The download failed.'),
            );
            port.close();
          }
          resolve(undefined);
        };
        port.postMessage({ type: 'pull' });
      });
    },
    cancel() {
      port.postMessage({ type: 'cancel' });
      port.close();
    },
  });
}

/** `attachment` with the name in RFC 6266 / 5987 form, safe for any characters. */
function disposition(name) {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

self.addEventListener('fetch', (/** @type {any} */ event) => {
  const request = /** @type {Request} */ (event.request);
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith(DOWNLOAD_PREFIX)) return;
  const id = url.pathname.slice(DOWNLOAD_PREFIX.length).split('/')[0] ?? '';
  const entry = waiting.get(id);
  if (!entry) {
    event.respondWith(
      new Response('This download has ended or was never started. Save again from Ferry.', {
        status: 404,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      }),
    );
    return;
  }
  // One fetch per download: a second request for the same id finds nothing.
  waiting.delete(id);
  clearTimeout(entry.timer);
  event.respondWith(
    new Response(pullFrom(entry.port), {
      headers: {
        'Content-Type': entry.type,
        'Content-Disposition': disposition(entry.name),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      },
    }),
  );
});
