// GraphiQL served entirely by lakeql: the page, its script, styles and editor workers come from @graphql-yoga/graphiql in node_modules, never a CDN.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

/** Where the assets live under our origin; the package version is in the path, so they can be cached forever. */
export const GRAPHIQL_ASSETS = '/graphiql/';

/**
 * The published names (yoga's own page asks a CDN for these same files; `graphql.worker..bundle.js`
 * is the package's real file name). Nothing outside this table is served.
 */
const FILES: Record<string, { file: string; type: string }> = {
  'graphiql.css': { file: 'graphiql.css', type: 'text/css; charset=utf-8' },
  'graphiql.js': { file: 'yoga-graphiql.umd.js', type: 'text/javascript; charset=utf-8' },
  'editor.worker.js': { file: 'monacoeditorwork/editor.worker.bundle.js', type: 'text/javascript; charset=utf-8' },
  'json.worker.js': { file: 'monacoeditorwork/json.worker.bundle.js', type: 'text/javascript; charset=utf-8' },
  'graphql.worker.js': { file: 'monacoeditorwork/graphql.worker..bundle.js', type: 'text/javascript; charset=utf-8' },
  'boot.js': { file: '', type: 'text/javascript; charset=utf-8' },
};

/**
 * Starts the editor once the page's options are read. Workers load from our origin, so Monaco gets
 * their URLs directly (yoga's CDN page had to fetch them and wrap them in blob: URLs).
 */
const BOOT = `(function () {
  var base = document.currentScript.getAttribute('data-base');
  var workers = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };
  self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (_id, label) { return base + (workers[label] || workers.editorWorkerService); } };
  var opts = JSON.parse(document.getElementById('graphiql-options').textContent);
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), opts);
})();
`;

/**
 * The editor needs inline styles (Monaco, React) and same-origin workers; scripts come only from us.
 * Nothing on the page may talk to another origin.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function packageDir(): { dir: string; version: string } | undefined {
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('@graphql-yoga/graphiql/package.json');
    const { version } = require(manifest) as { version: string };
    return { dir: path.join(path.dirname(manifest), 'dist'), version };
  } catch {
    return undefined;
  }
}

/** JSON inside <script type=application/json>: `<` escaped so no value can close the element. */
function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface OfflineGraphiQL {
  /** For createYoga's `renderGraphiQL`: the page, pointing at our own assets. */
  render(options: GraphiQLOptions): string;
  /** Serves the assets under GRAPHIQL_ASSETS; put it before the security plugins (the files hold no data). */
  plugin: Plugin;
}

export function offlineGraphiQL(): OfflineGraphiQL {
  const found = packageDir();
  const base = `${GRAPHIQL_ASSETS}${found?.version ?? 'missing'}/`;
  // Read and compressed on first request only: 5 MB of script costs nothing at start-up or when unused.
  const cache = new Map<string, Promise<{ raw: Buffer; gzip: Buffer }>>();
  const load = (name: string) => {
    let entry = cache.get(name);
    if (!entry) {
      const spec = FILES[name]!;
      entry = (spec.file ? readFile(path.join(found!.dir, spec.file)) : Promise.resolve(Buffer.from(BOOT))).then(
        (raw) => ({ raw, gzip: gzipSync(raw) }),
      );
      entry.catch(() => cache.delete(name));
      cache.set(name, entry);
    }
    return entry;
  };

  return {
    render(options) {
      const title = escapeHtml(options.title ?? 'GraphiQL');
      // The editor opens on `query` (yoga's `defaultQuery` only fills new tabs in this GraphiQL).
      const opts = { query: options.defaultQuery, ...options };
      return `<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content="width=device-width, initial-scale=1"><title>${title}</title><link rel=icon href=/favicon.svg><link rel=stylesheet href="${base}graphiql.css"></head><body id=body class=no-focus-outline><noscript>You need to enable JavaScript to run GraphiQL.</noscript><div id=root>Loading ${title}…</div><script type=application/json id=graphiql-options>${embedJson(opts)}</script><script src="${base}graphiql.js"></script><script src="${base}boot.js" data-base="${base}"></script></body></html>`;
    },
    plugin: {
      onRequest({ request, url, endResponse }) {
        if (!url.pathname.startsWith(GRAPHIQL_ASSETS)) return;
        const name = url.pathname.startsWith(base) ? url.pathname.slice(base.length) : '';
        if (!found || !Object.hasOwn(FILES, name) || (request.method !== 'GET' && request.method !== 'HEAD')) {
          return endResponse(
            new Response('not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } }),
          );
        }
        const gzip = /\bgzip\b/.test(request.headers.get('accept-encoding') ?? '');
        return load(name).then(
          (bytes) => {
            const body = gzip ? bytes.gzip : bytes.raw;
            const headers = new Headers({
              'content-type': FILES[name]!.type,
              'content-length': String(body.byteLength),
              'cache-control': 'public, max-age=31536000, immutable',
              'x-content-type-options': 'nosniff',
              vary: 'accept-encoding',
            });
            if (gzip) headers.set('content-encoding', 'gzip');
            endResponse(new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { headers }));
          },
          () => endResponse(new Response('not found', { status: 404 })),
        );
      },
      // Yoga answers the page itself (text/html, nothing else): the page's policy is added on the way out.
      onResponse({ request, response }) {
        if (
          request.method === 'GET' &&
          response.headers.get('content-type') === 'text/html' &&
          response.status === 200
        ) {
          response.headers.set('content-security-policy', CSP);
          response.headers.set('cache-control', 'no-cache');
        }
      },
    },
  };
}
