import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import solid from 'vite-plugin-solid';

export default defineConfig({
  resolve: {
    // simple-peer's package entry needs Node globals; its browser bundle does not.
    alias: [{ find: /^simple-peer$/, replacement: 'simple-peer/simplepeer.min.js' }],
  },
  // Fault hooks and bench counters: off in what `npm run build` ships; test and bench builds turn them on.
  define: { __FERRY_TEST_HOOKS__: 'false' },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  plugins: [
    solid(),
    VitePWA({
      injectRegister: false, // src/adapters/sw-bridge.ts registers through workbox-window
      registerType: 'prompt',
      includeAssets: ['icon.svg', 'icons/*.png'],
      manifest: {
        id: '/',
        name: 'Ferry — send files browser to browser',
        short_name: 'Ferry',
        description:
          'Send files and folders directly between two devices. Verified, resumable, no upload to a cloud.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        // Files shared from another app arrive at the Send screen (public/share-target-sw.js).
        share_target: {
          action: '/share-target',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: { files: [{ name: 'files', accept: ['*/*'] }] },
        },
        background_color: '#0f172a',
        theme_color: '#0f172a',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          {
            src: '/icons/icon-maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        clientsClaim: true,
        cleanupOutdatedCaches: true,
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,wasm}'],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [
          /^\/healthz/,
          /^\/signal/,
          /^\/config\.json/,
          /^\/metrics/,
          /^\/__ferry-download\//,
        ],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        // Shares from other apps, and zips streamed to disk (src/adapters/stream-download.ts).
        importScripts: ['/share-target-sw.js', '/download-sw.js'],
      },
    }),
  ],
});
