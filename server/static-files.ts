// SPDX-License-Identifier: MIT
// The built app, served by sirv, with Ferry's caching and content types, and
// every file read guarded: a read that fails ends that response, not the process.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import sirv from 'sirv';
import { log } from './log';

/** Content types with their charset (sirv's own table leaves it out of text types but HTML). */
const TEXT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Cache policy: content-hashed assets forever, everything else revalidated (so updates arrive). */
export function cacheControl(urlPath: string): string {
  return urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/** A path with a segment starting with a dot (`/.env`, `/.git/config`): never served. */
function isDotPath(pathname: string): boolean {
  return /(^|\/)\./.test(pathname);
}

/**
 * Serves the built app from `root`: files as they are, and `index.html` for
 * any other GET that accepts HTML (the app routes on the client); calls
 * `notFound` when nothing fits. sirv runs in its per-request mode ("dev"),
 * which looks each file up when asked, as the server did before: a deploy
 * that rebuilds `root` is served at once, with its real sizes, where the
 * startup snapshot of its other mode would keep stale ones. Range requests
 * are not served (the app needs none, and sirv trusts their syntax).
 */
export function createStaticHandler(
  root: string,
  notFound: (res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const serve = sirv(root, {
    dev: true,
    etag: true,
    extensions: ['html'],
    setHeaders(res, pathname) {
      res.setHeader('Cache-Control', cacheControl(pathname));
      const type = TEXT_TYPES[extname(pathname)];
      if (type) res.setHeader('Content-Type', type);
    },
  });

  return (req, res) => {
    delete req.headers.range;
    const pathname = (req.url ?? '/').split('?')[0]!;
    if (isDotPath(pathname)) return notFound(res);
    guardReads(res, pathname);
    try {
      serve(req, res, () => {
        const wantsHtml = (req.headers.accept ?? '').includes('text/html') && !extname(pathname);
        if (!wantsHtml) return notFound(res);
        req.url = '/index.html';
        serve(req, res, () => notFound(res));
      });
    } catch (err) {
      // sirv stats synchronously: a file removed between its existence check and its stat throws here.
      failed(res, pathname, err);
    }
  };
}

/**
 * sirv pipes a file stream into `res` without listening for its errors, and
 * an unheard stream error ends the process. `pipe` announces the stream on its
 * destination, before any read: listen there. The stream is also destroyed
 * when the response closes early (a client gone mid-file), or its descriptor
 * would stay open.
 */
function guardReads(res: ServerResponse, pathname: string): void {
  res.once('pipe', (source: Readable) => {
    source.once('error', (err) => failed(res, pathname, err));
    res.once('close', () => source.destroy());
  });
}

/** Answers 500 when nothing was sent yet; otherwise cuts the response, so the client sees it incomplete. */
function failed(res: ServerResponse, pathname: string, err: unknown): void {
  log('error', 'static file failed', {
    path: pathname.slice(0, 200),
    error: (err as NodeJS.ErrnoException).code ?? String(err),
  });
  if (!res.headersSent) {
    res.writeHead(500, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
    });
    res.end('Could not read that file.\n');
  } else {
    res.destroy();
  }
}
