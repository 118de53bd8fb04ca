// WebKitGTK's Received screen lists a kept transfer and saves it as a zip.
// WebKitGTK cannot receive (no RTCPeerConnection), so the kept transfer is made
// by the app itself in Chromium (a real transfer), and its IndexedDB records
// are copied into WebKit's database, whose schema the app made there. WebKit
// refuses Blob values in IndexedDB (checked below), so full blocks go in as
// bytes, as the app's block store keeps them after such a refusal.
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pseudoRandomBytes } from '../helpers/data';
import { sha256, useAppInChromium, waitForStatus, writeTree } from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';
import { launchWebKit, run, type WebKitInstance, waitFor } from '../helpers/webkit';

requirePrivateNetwork();

const app = useAppInChromium();
let webkit: WebKitInstance;
beforeAll(async () => {
  webkit = await launchWebKit();
});
afterAll(async () => {
  await webkit?.close();
});

/** In-page helpers (source): values with Blobs and byte arrays to JSON and back, base64 inside. */
const CODEC = `
  const b64 = (bytes) => {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const encode = async (v) => {
    if (v instanceof Blob) return { $blob: b64(new Uint8Array(await v.arrayBuffer())) };
    if (v instanceof Uint8Array) return { $u8: b64(v) };
    if (Array.isArray(v)) return Promise.all(v.map(encode));
    if (v && typeof v === 'object') {
      const out = {};
      for (const [k, x] of Object.entries(v)) out[k] = await encode(x);
      return out;
    }
    return v;
  };
  const decode = (v) => {
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === 'object') {
      if ('$blob' in v) return unb64(v.$blob);
      if ('$u8' in v) return unb64(v.$u8);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
    }
    return v;
  };
  const request = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
`;

describe('WebKitGTK', () => {
  it('lists a kept transfer on the Received screen and saves it again as a zip', async () => {
    const originals = {
      'trip/day 1/map.png': pseudoRandomBytes(1_500_000, 51),
      'trip/notes.txt': pseudoRandomBytes(2_000, 52),
    };
    const dir = writeTree('ferry-webkit-received-', originals);
    const { sender, link } = await app.share({ folder: join(dir, 'trip') });
    const receiver = await app.receive(link);
    await waitForStatus(receiver, 'All 2 files received and verified.');
    await sender.context().close();
    // Every record of the app's database, exactly as the app wrote it in Chromium.
    const dump = await receiver.evaluate(`(async () => { ${CODEC}
      const db = await request(indexedDB.open('ferry'));
      const out = {};
      for (const name of db.objectStoreNames) {
        const store = db.transaction(name).objectStore(name);
        const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
        out[name] = { keyPath: store.keyPath, keys, values: await Promise.all(values.map(encode)) };
      }
      return out;
    })()`);
    await receiver.context().close();

    const { client } = webkit;
    await client.navigateTo(`${inject('baseUrl')}/#received`);
    // The app opens (and so creates) its database before it says nothing is kept.
    await waitFor(client, `return document.querySelector('.empty-note')?.textContent;`);
    const refusal = await run<string>(
      client,
      `${CODEC}
      const db = await request(indexedDB.open('ferry'));
      const tx = db.transaction('blocks', 'readwrite');
      const put = tx.objectStore('blocks').put(new Blob([new Uint8Array(300000)]), ['probe', 0]);
      const outcome = await request(put).then(() => 'stored', (e) => e.name + ': ' + e.message);
      db.close();
      return outcome;`,
    );
    expect(refusal).toBe(
      'UnknownError: Error preparing Blob/File data to be stored in object store',
    );
    await run(
      client,
      `${CODEC}
      const dump = JSON.parse(args[0]);
      const db = await request(indexedDB.open('ferry'));
      const tx = db.transaction(Object.keys(dump), 'readwrite');
      for (const [name, { keyPath, keys, values }] of Object.entries(dump)) {
        const store = tx.objectStore(name);
        values.forEach((v, i) => (keyPath === null ? store.put(decode(v), keys[i]) : store.put(decode(v))));
      }
      await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
      db.close();`,
      // One string: WebKit's driver failed ("unknown error") on the same value passed as an object.
      JSON.stringify(dump),
    );
    await client.refresh();
    const item = await waitFor<{ title: string; text: string }>(
      client,
      `const i = document.querySelector('.received-item');
      return i && { title: i.querySelector('.received-title').textContent, text: i.textContent };`,
    );
    expect(item.title).toBe('trip (2 files)');
    expect(item.text).toContain('Complete and verified.');
    // This engine gives no storage estimate (it used to read "keeps 0 B; 0 B more is available"),
    // and WebKit's 7-day deletion of what an uninstalled site keeps is said, with what to do.
    expect(
      await run(
        client,
        `return [typeof navigator.storage?.estimate, document.querySelector('.storage-line').textContent];`,
      ),
    ).toEqual([
      'undefined',
      'This browser does not say how much space Ferry may use. Safari deletes it after 7 days without a visit to Ferry, unless Ferry is added to the Home Screen (or to the Dock on a Mac): save what you want to keep.',
    ]);
    // No folder picker in this engine: Save to folder is not offered.
    expect(
      await run(
        client,
        `return [...document.querySelectorAll('button')].map((b) => b.textContent);`,
      ),
    ).not.toContain('Save to folder');

    // The zip is built from WebKit's stored Blobs; the Blob handed to the download is read back.
    const zip64 = await run<string>(
      client,
      `${CODEC}
      const made = new Promise((resolve) => {
        const original = URL.createObjectURL;
        URL.createObjectURL = (blob) => { resolve(blob); return original.call(URL, blob); };
      });
      [...document.querySelectorAll('.received-item button')].find((b) => b.textContent === 'Download zip').click();
      return b64(new Uint8Array(await (await made).arrayBuffer()));`,
    );
    const unzipped = unzipSync(new Uint8Array(Buffer.from(zip64, 'base64')));
    for (const [path, data] of Object.entries(originals))
      expect(sha256(unzipped[path] ?? new Uint8Array([1])), path).toBe(sha256(data));
  });
});
