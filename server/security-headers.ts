// SPDX-License-Identifier: MIT
// Headers every response carries, and the Content-Security-Policy the built app runs under.
import { CSP_REPORT_PATH } from './csp-reports';

/** No sniffing, no referrer (tickets live in URL fragments), no framing, no cross-origin opener. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
};

/** One year, as HSTS preload lists ask; no includeSubDomains: other hosts of the domain are not ours to pin. */
export const HSTS = 'max-age=31536000';

/**
 * The policy for the app, checked against what `npm run build` emits (and by
 * test/e2e/csp.test.ts, which moves files under it): no inline script or
 * style anywhere (Solid sets `style` through the CSSOM, which CSP allows);
 * `'wasm-unsafe-eval'` because hash-wasm compiles BLAKE3 from bytes and zxing
 * compiles its reader; workers (hashing, QR, the service worker) are files
 * from this origin. `connect-src` reaches further than `'self'`: a ticket can
 * name a relay on another origin, whose `/config.json` the receiver fetches
 * and whose `/signal` it opens, and any host may be a relay. Over TLS only
 * https:/wss: are allowed; over plain HTTP (a LAN, or TLS ended at a proxy,
 * where the browser's mixed-content rule still refuses http: from an https
 * page) http:/ws: too. Browsers report what it blocks to /csp-report (counted in /metrics).
 */
export function contentSecurityPolicy(tls: boolean): string {
  const connect = tls ? "'self' https: wss:" : "'self' https: wss: http: ws:";
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    // Download zip streams through a hidden same-origin frame the service worker answers.
    "frame-src 'self'",
    `connect-src ${connect}`,
    "img-src 'self'",
    "style-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    `report-uri ${CSP_REPORT_PATH}`,
  ].join('; ');
}

/** Headers for every response of a server serving plain HTTP or TLS (HSTS only over TLS). */
export function responseHeaders(tls: boolean): Record<string, string> {
  return {
    ...SECURITY_HEADERS,
    'Content-Security-Policy': contentSecurityPolicy(tls),
    ...(tls ? { 'Strict-Transport-Security': HSTS } : {}),
  };
}
