// HTTP caching for read-only GETs: ETags from the request and the lake version, Cache-Control from the freshness bound, 304 before any work.
import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { LakeVersion } from '../lake/lake-version.js';
import { principalOf } from './auth.js';

export interface HttpCacheOptions {
  lakeVersion: LakeVersion;
  /** LAKEQL_CATALOG_MAX_AGE: how long an answer may lag the lake; 0 turns ETags and max-age off. */
  maxAge: number;
  /** Auth on: answers are `private` (a shared cache must not hand one caller's answer to another). */
  authOn: boolean;
}

/**
 * Answers that change without the lake changing, so the lake version cannot vouch for them:
 * jobs move on their own, and signed URLs expire. Matched on the document's text, so a comment
 * or alias with such a name only costs caching, never correctness.
 */
const VOLATILE = /\b(?:jobs?|downloadUrl|uploadUrl|createUploadUrl)\b/;

export function isVolatileDocument(text: string): boolean {
  return VOLATILE.test(text);
}

/**
 * Who the caller is, as far as an answer can differ: its scopes. Two callers with the same
 * scopes get the same answer to the same request (no field depends on who asks), so they may
 * share ETags and cached answers; callers whose scopes differ never do.
 */
export function principalClass(serverContext: object): string {
  const principal = principalOf(serverContext);
  if (!principal) return 'none';
  return [...principal.scopes].sort().join('+') || 'no-scopes';
}

/** A strong ETag: the first 128 bits of SHA-256 over the parts, which include the lake version. */
export function entityTag(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return `"${hash.digest('base64url').slice(0, 22)}"`;
}

/** RFC 9110 §13.1.2: a list of tags or `*`; weak comparison, so a W/ prefix added by a proxy still matches. */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === bare;
  });
}

export function cacheHeaders(options: HttpCacheOptions, etag: string, vary: string): Record<string, string> {
  return {
    etag,
    'cache-control': `${options.authOn ? 'private' : 'public'}, max-age=${options.maxAge}`,
    vary: options.authOn ? `${vary}, Authorization, X-API-Key` : vary,
  };
}

export function notModified(headers: Record<string, string>): Response {
  return new Response(null, { status: 304, headers });
}

/** Headers of some responses are immutable: copy those instead of failing. */
export function withHeaders(response: Response, headers: Record<string, string>): Response {
  return editHeaders(response, (h) => {
    for (const [name, value] of Object.entries(headers)) h.set(name, value);
  });
}

function withoutHeaders(response: Response, names: string[]): Response {
  if (!names.some((name) => response.headers.has(name))) return response;
  return editHeaders(response, (h) => {
    for (const name of names) h.delete(name);
  });
}

/**
 * In place when the headers are mutable (a new Response per request was a tenth of `{ lake }`'s
 * main-thread time under load), else on a copy: immutable headers throw at the first edit.
 */
function editHeaders(response: Response, edit: (headers: Headers) => void): Response {
  try {
    edit(response.headers);
    return response;
  } catch {
    const copy = new Headers(response.headers);
    edit(copy);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: copy });
  }
}

interface Pending {
  etag?: string;
  /** Not to be labelled fresh: a volatile document, an error, a stream. */
  uncacheable: boolean;
}

/**
 * GraphQL over GET (`?query=` or `?documentId=`): the ETag is computed in onRequest from the
 * query string, Accept, the origin (answers hold URLs), the caller's scopes and the lake
 * version, before the body or document is looked at, so a matching If-None-Match costs no
 * parse, no resolver and no store request. It must come after auth (the principal) and before
 * everything that does work. The tag goes on the answer only if it turns out cacheable: a
 * query, no errors, nothing volatile. Everything else at the endpoint is `no-store`.
 */
export function httpCachePlugin(options: HttpCacheOptions): Plugin {
  let endpoint = '/graphql';
  const pending = new WeakMap<Request, Pending>();
  return {
    onYogaInit({ yoga }) {
      endpoint = yoga.graphqlEndpoint;
    },
    onRequest({ request, url, serverContext, endResponse }) {
      if (url.pathname !== endpoint) return;
      const accept = request.headers.get('accept') ?? '';
      if (request.method !== 'GET' || options.maxAge === 0 || accept.includes('text/event-stream')) {
        pending.set(request, { uncacheable: true });
        return;
      }
      const params = [...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const etag = entityTag([
        options.lakeVersion.current(),
        principalClass(serverContext),
        url.origin,
        accept,
        JSON.stringify(params),
      ]);
      pending.set(request, { etag, uncacheable: false });
      if (matchesIfNoneMatch(request.headers.get('if-none-match'), etag))
        endResponse(notModified(cacheHeaders(options, etag, 'Accept')));
    },
    onParams({ request, params }) {
      const entry = pending.get(request);
      if (entry && isVolatileDocument(params.query ?? '')) entry.uncacheable = true;
    },
    onResultProcess({ request, result }) {
      const entry = pending.get(request);
      if (!entry) return;
      const single = result as { errors?: unknown[] } | AsyncIterable<unknown> | unknown[];
      if (
        Array.isArray(single) ||
        Symbol.asyncIterator in (single as object) ||
        (single as { errors?: unknown[] }).errors?.length
      )
        entry.uncacheable = true;
    },
    onResponse({ request, response, setResponse }) {
      const entry = pending.get(request);
      if (!entry) return;
      pending.delete(request);
      if (response.status === 304) return;
      // The response cache plugin labels what it stores with its own key as ETag; one scheme only, ours.
      const own = withoutHeaders(response, ['etag', 'last-modified']);
      if (entry.etag && !entry.uncacheable && response.status === 200)
        setResponse(withHeaders(own, cacheHeaders(options, entry.etag, 'Accept')));
      else setResponse(own.headers.has('cache-control') ? own : withHeaders(own, { 'cache-control': 'no-store' }));
    },
  };
}
