// Serves the built web console (console/dist) at / and /assets/*; GraphiQL stays at /graphql.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'graphql-yoga';

/** console/dist beside src/ (running from source) or beside dist/ (compiled): both are two levels up. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/** Vite names assets by content hash; nothing else is served, so no path can reach outside the folder. */
const ASSET = /^\/assets\/[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * The page talks only to its own origin; download links are navigations, so S3 presigned URLs need
 * no connect-src. lightweight-charts sets inline styles on its canvases, hence 'unsafe-inline' for styles.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface ConsoleOptions {
  /** The built console; CONSOLE_DIST unless given. */
  directory?: string;
}

/**
 * Put before the security plugins: the page and its scripts hold no data (the page asks for an API
 * key when the gateway wants one), and a browser cannot send a key with a plain navigation.
 */
export function consolePlugin(options: ConsoleOptions = {}): Plugin {
  const directory = options.directory ?? CONSOLE_DIST;
  return {
    onRequest({ request, url, endResponse }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const page = url.pathname === '/' || url.pathname === '/index.html';
      if (!page && !ASSET.test(url.pathname) && url.pathname !== '/favicon.svg') return;
      const file = page ? 'index.html' : url.pathname.slice(1);
      return readFile(path.join(directory, file)).then(
        (bytes) => endResponse(respond(request, bytes, file, page)),
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
          // Not built (no vite in this install): the old behaviour, straight to GraphiQL.
          endResponse(
            page
              ? new Response(null, { status: 302, headers: { location: '/graphql' } })
              : new Response('not found', { status: 404 }),
          );
        },
      );
    },
  };
}

function respond(request: Request, bytes: Buffer, file: string, page: boolean): Response {
  const headers = new Headers({
    'content-type': page ? 'text/html; charset=utf-8' : (TYPES[path.extname(file)] ?? 'application/octet-stream'),
    'content-length': String(bytes.byteLength),
    // The page must be re-checked so a new build's asset names are picked up; hashed assets never change.
    'cache-control': page ? 'no-cache' : 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  if (page) headers.set('content-security-policy', CSP);
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(bytes), { status: 200, headers });
}
