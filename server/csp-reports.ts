// SPDX-License-Identifier: MIT
// Reports browsers send when the Content-Security-Policy blocks something
// (`report-uri`), from pages, workers and the service worker alike: counted
// by directive, so a build that needs a wider policy shows up in /metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerMetrics } from './metrics';

/** Where browsers POST violation reports. */
export const CSP_REPORT_PATH = '/csp-report';

/** A report is a few hundred bytes; anything far larger is not one. */
const MAX_REPORT_BYTES = 16 * 1024;

/** Directives a report may name; anything else counts as "other", so no client picks a label. */
const DIRECTIVES = new Set([
  'default-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'worker-src',
  'connect-src',
  'img-src',
  'manifest-src',
  'media-src',
  'font-src',
  'frame-src',
  'child-src',
  'object-src',
  'base-uri',
  'form-action',
  'frame-ancestors',
]);

/** The directive a report names, from the fixed set or "other". */
export function reportDirective(body: string): string {
  try {
    const report = (JSON.parse(body) as { 'csp-report'?: Record<string, unknown> })['csp-report'];
    const named = report?.['effective-directive'] ?? report?.['violated-directive'];
    const directive = typeof named === 'string' ? named.split(' ')[0]! : '';
    return DIRECTIVES.has(directive) ? directive : 'other';
  } catch {
    return 'other';
  }
}

/** Reads one report (at most 16 KiB), counts it, answers 204; nothing of it is logged or kept. */
export function receiveCspReport(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: ServerMetrics,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_REPORT_BYTES) {
      res.writeHead(413, { Connection: 'close' });
      res.end();
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_REPORT_BYTES) return;
    metrics.cspViolation(reportDirective(Buffer.concat(chunks).toString('utf8')));
    res.writeHead(204);
    res.end();
  });
  req.on('error', () => res.destroy());
}
