// SPDX-License-Identifier: MIT
// @ts-check
/// <reference lib="webworker" />
// Imported by the generated service worker (workbox importScripts). Receives
// files shared to Ferry from another app (Web Share Target, POST
// multipart), keeps them in IndexedDB, and sends the page to the Send screen,
// which picks them up (src/adapters/share-inbox.ts reads the same database).

const INBOX_DB = 'ferry-inbox';
const INBOX_STORE = 'shared';

/** @returns {Promise<IDBDatabase>} */
function openInbox() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(INBOX_DB, 1);
    request.onupgradeneeded = () =>
      request.result.createObjectStore(INBOX_STORE, { autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** @param {File[]} files */
async function keep(files) {
  const db = await openInbox();
  await new Promise((resolve, reject) => {
    const tx = db.transaction(INBOX_STORE, 'readwrite');
    tx.objectStore(INBOX_STORE).add({ files, at: Date.now() });
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  db.close();
}

self.addEventListener('fetch', (/** @type {any} */ event) => {
  const request = /** @type {Request} */ (event.request);
  if (request.method !== 'POST' || new URL(request.url).pathname !== '/share-target') return;
  event.respondWith(
    (async () => {
      try {
        const form = await request.formData();
        const files = form.getAll('files').filter((f) => f instanceof File);
        await keep(files);
        return Response.redirect('/?share-target=received#send', 303);
      } catch {
        return Response.redirect('/?share-target=failed#send', 303);
      }
    })(),
  );
});
