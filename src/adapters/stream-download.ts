// SPDX-License-Identifier: MIT
// Streams bytes to the browser's download through the service worker
// (public/download-sw.js), so a zip of a whole transfer is written to disk as
// it is made instead of first being built as one Blob, a second full copy.

/** Where the service worker answers streamed downloads. */
export const DOWNLOAD_PREFIX = '/__ferry-download/';
/** How often a running download reminds the service worker it is in use, ms. */
const KEEPALIVE_MS = 10_000;
/**
 * How long to wait for the service worker to take the download (an older
 * worker without download-sw.js never answers), and then for the browser to
 * fetch it; after either, nothing was consumed and the caller saves a Blob.
 */
const ANSWER_MS = 5_000;
const FIRST_PULL_MS = 15_000;

/** Resolves with `promise`'s value, or with `fallback` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** 128 random bits as 32 hex characters: a download id no other page can guess. */
function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

/** The service worker controlling this page, if there is one to stream through. */
function controller(): ServiceWorker | null {
  return ('serviceWorker' in navigator && navigator.serviceWorker.controller) || null;
}

/**
 * True when downloads can be streamed to disk here: a service worker controls
 * the page, and the engine saves a worker-made response a frame navigates to.
 * WebKit (Safari, and WebKitGTK, which says the same vendor) is left out: it
 * is known not to turn such responses into downloads (StreamSaver.js keeps a
 * Blob fallback for it for this reason), and bytes pulled into a response it
 * then drops would be lost. There the zip is built as a Blob, as before.
 */
export function canStreamDownload(): boolean {
  return controller() !== null && !navigator.vendor.startsWith('Apple');
}

/**
 * Saves `body` as a download called `name`, streamed through the service
 * worker one chunk at a time. Resolves true once the last byte was handed
 * over; false, with nothing consumed, when no service worker can take it (the
 * caller saves a Blob instead). Rejects if the stream fails or the service
 * worker refuses.
 */
export async function streamDownload(
  body: ReadableStream<Uint8Array>,
  name: string,
  type: string,
): Promise<boolean> {
  const worker = controller();
  if (!worker) return false;
  const id = randomId();
  const channel = new MessageChannel();
  const port = channel.port1;
  const opened = new Promise<boolean>((resolve) => {
    port.onmessage = (e) => resolve((e.data as { type?: string })?.type === 'ready');
  });
  worker.postMessage({ type: 'ferry-download-open', id, name, mime: type }, [channel.port2]);
  if (!(await within(opened, ANSWER_MS, false))) {
    port.close();
    return false;
  }
  const frame = document.createElement('iframe');
  frame.hidden = true;
  const firstPull = new Promise<boolean>((resolve) => {
    port.onmessage = (e) => resolve((e.data as { type?: string })?.type === 'pull');
  });
  frame.src = `${DOWNLOAD_PREFIX}${id}/${encodeURIComponent(name)}`;
  document.body.append(frame);
  if (!(await within(firstPull, FIRST_PULL_MS, false))) {
    frame.remove();
    port.close();
    return false;
  }
  const reader = body.getReader();
  const keepalive = setInterval(
    () => controller()?.postMessage({ type: 'ferry-download-keepalive' }),
    KEEPALIVE_MS,
  );
  try {
    return await new Promise<boolean>((resolve, reject) => {
      const answer = async (message: { type?: string; message?: string }) => {
        try {
          if (message?.type === 'pull') {
            const { done, value } = await reader.read();
            if (done) {
              port.postMessage({ type: 'end' });
              resolve(true);
              return;
            }
            // A copy the port can own: the chunk may be a view into a larger buffer.
            const chunk = value.slice().buffer;
            port.postMessage({ type: 'chunk', data: chunk }, [chunk]);
          } else if (message?.type === 'cancel') {
            await reader.cancel();
            reject(new Error('The download was cancelled in the browser.'));
          } else if (message?.type === 'error') {
            await reader.cancel();
            reject(new Error(message.message ?? 'The download failed.'));
          }
        } catch (err) {
          port.postMessage({ type: 'error', message: String(err) });
          reject(err);
        }
      };
      port.onmessage = (e) => void answer(e.data as { type?: string; message?: string });
      // The pull that proved the browser fetched the download is answered first.
      void answer({ type: 'pull' });
    });
  } finally {
    clearInterval(keepalive);
    port.close();
    // The download goes on without the frame once the browser has taken the response.
    setTimeout(() => frame.remove(), KEEPALIVE_MS);
  }
}
