// SPDX-License-Identifier: MIT
import { createContext, createSignal, onCleanup, useContext } from 'solid-js';
import { filesFromDrop } from '../../adapters/dropped-files';
import { HashPool } from '../../adapters/hash-pool';
import { takeSharedFiles } from '../../adapters/share-inbox';
import { registerServiceWorker } from '../../adapters/sw-bridge';
import { createReceiveStore, type ReceiveStore } from './receive-store';
import { createReceivedStore, type ReceivedStore } from './received-store';
import { createScannerStore, type ScannerStore } from './scanner-store';
import { createSendStore, type SendStore } from './send-store';

/** The screens, chosen by the URL fragment (`#receive`, `#t=…` for a ticket, `#received`, else Send). */
export type Route = 'send' | 'receive' | 'received';

/** Every store the UI reads, created once for the app. */
export interface AppStores {
  send: SendStore;
  receive: ReceiveStore;
  received: ReceivedStore;
  scanner: ScannerStore;
  route: () => Route;
  online: () => boolean;
  /** Set when a new version waits; calling it reloads into that version. */
  update: () => (() => void) | null;
  /** Why files shared from another app could not be taken, as a sentence. */
  shareProblem: () => string | null;
}

function routeOf(hash: string): Route {
  if (hash.startsWith('#received')) return 'received';
  return hash.startsWith('#t=') || hash.startsWith('#receive') ? 'receive' : 'send';
}

/** Creates the stores and wires them to the browser (URL, network state, service worker). */
export function createAppStores(): AppStores {
  const pool = new HashPool();
  const send = createSendStore(pool);
  const receive = createReceiveStore(pool);
  const received = createReceivedStore();
  // A scanned link opens like a clicked one: the URL changes, so Back and reload behave.
  const scanner = createScannerStore((link) => {
    const sameOrigin = link.startsWith(`${window.location.origin}/`);
    if (sameOrigin) window.location.hash = new URL(link).hash;
    else receive[1].open(link);
  });
  const [route, setRoute] = createSignal<Route>(routeOf(window.location.hash));
  const [online, setOnline] = createSignal(navigator.onLine);
  const [update, setUpdate] = createSignal<(() => void) | null>(null);

  const onHash = () => {
    setRoute(routeOf(window.location.hash));
    if (window.location.hash.startsWith('#t=')) receive[1].open(window.location.href);
  };
  onHash();
  const onOnline = () => setOnline(navigator.onLine);
  // Closing the page ends sharing for everyone holding the link, and cuts a transfer short.
  const onBeforeUnload = (e: BeforeUnloadEvent) => {
    const phase = receive[0].transfer?.phase;
    const busy =
      send[0].share !== null ||
      phase === 'preparing' ||
      phase === 'receiving' ||
      phase === 'reconnecting';
    if (!busy) return;
    e.preventDefault();
    e.returnValue = '';
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  // Files dropped anywhere on any screen are sent (the browser would otherwise open them in place of Ferry).
  const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
  const onDragOver = (e: DragEvent) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    e.dataTransfer!.dropEffect = 'copy';
  };
  const onDrop = (e: DragEvent) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    // Read now: a drop's items are gone once this handler returns.
    const files = filesFromDrop(e.dataTransfer!);
    if (route() !== 'send') window.location.hash = '#send';
    files.then(
      (picked) => send[1].add(picked),
      () => {},
    );
  };
  window.addEventListener('dragover', onDragOver);
  window.addEventListener('drop', onDrop);
  window.addEventListener('hashchange', onHash);
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOnline);
  onCleanup(() => {
    window.removeEventListener('hashchange', onHash);
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOnline);
    window.removeEventListener('beforeunload', onBeforeUnload);
    window.removeEventListener('dragover', onDragOver);
    window.removeEventListener('drop', onDrop);
    pool.close();
  });
  registerServiceWorker((activate) => setUpdate(() => activate));
  // Files shared to Ferry from another app (through the service worker) start a send.
  const [shareProblem, setShareProblem] = createSignal<string | null>(null);
  takeSharedFiles(new URL(window.location.href)).then(
    (arrival) => {
      if (!arrival) return;
      setShareProblem(arrival.problem);
      send[1].add(arrival.files.map((file) => ({ file, relativePath: file.name })));
    },
    (err: unknown) =>
      setShareProblem(`The shared files could not be taken: ${(err as Error).message}`),
  );
  return { send, receive, received, scanner, route, online, update, shareProblem };
}

/** Context that carries the stores to components. */
export const StoresContext = createContext<AppStores>();

/** The app's stores; components call this instead of touching adapters. */
export function useStores(): AppStores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('useStores must be used inside <StoresContext.Provider>');
  return stores;
}
