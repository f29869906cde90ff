// Response cache for read-only operations: keyed by document, variables, the caller's scopes and the lake version; a bump retires every entry.
import { createHash } from 'node:crypto';
import { createInMemoryCache, useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import type { Plugin } from 'graphql-yoga';
import type { LakeVersion } from '../lake/lake-version.js';
import { principalClass } from './http-cache.js';

export interface ResponseCacheOptions {
  lakeVersion: LakeVersion;
  /** LAKEQL_CATALOG_MAX_AGE, seconds: an entry lives no longer than an answer may lag the lake; 0 turns the cache off. */
  maxAge: number;
  /** Entries kept (least recently used go first; LAKEQL_RESPONSE_CACHE_ENTRIES, 0 turns the cache off); an entry is one answer. */
  maxEntries: number;
  /** Tests pass their own to look inside. */
  cache?: Cache;
}

/**
 * Fields whose answers change without the lake changing: jobs move on their own, signed URLs
 * expire. A TTL of 0 on any field in an answer keeps the whole answer out of the cache.
 */
const NEVER_CACHED = { 'Query.job': 0, 'Query.jobs': 0, 'TickFile.downloadUrl': 0 };

/**
 * Sits after the persisted-documents plugin (it keys on the resolved text) and after auth (the
 * session is the principal's scopes, so callers whose scopes differ never share an entry; the
 * scope check itself ran when the entry was made, and an answer with errors is never stored).
 * The lake version is part of the key instead of a purge on change: a bump makes every older
 * entry unreachable at once, on every instance whose version moved, and the LRU drops them.
 * Mutations pass through untouched: their effect on the lake is what bumps the version.
 */
export function responseCachePlugin(options: ResponseCacheOptions): Plugin | undefined {
  if (options.maxAge === 0 || options.maxEntries === 0) return undefined;
  const { lakeVersion } = options;
  // Multipart requests carry file streams in their variables (and are mutations anyway): not hashed, not cached.
  // Operations over graphql-ws (their context has the socket) skip yoga's HTTP hooks the cache keys on.
  const enabled = (request: Request, context?: unknown) =>
    !/^multipart\//i.test(request.headers.get('content-type') ?? '') &&
    !(context as { socket?: unknown } | undefined)?.socket;
  return useResponseCache({
    enabled,
    // The plugin builds a key for every request before asking `enabled`; a disabled one gets none.
    // Variables in the order sent: another order is only a miss, never a wrong hit. Hashed with node:crypto at
    // once rather than the plugin's hashSHA256 (WebCrypto, a thread-pool job per request): under load that job
    // was a fifth of the main thread's time on `{ lake { kind } }` (bench:load --cpu-prof).
    buildResponseCacheKey: (p) =>
      enabled(p.request)
        ? createHash('sha256')
            .update(
              [p.documentString, p.operationName ?? '', JSON.stringify(p.variableValues ?? {}), p.sessionId ?? ''].join(
                '|',
              ),
            )
            .digest('hex')
        : '',
    cache: options.cache ?? createInMemoryCache({ max: options.maxEntries }),
    session: (_request, context) => `${principalClass(context as object)}@${lakeVersion.current()}`,
    ttl: options.maxAge * 1000,
    ttlPerSchemaCoordinate: NEVER_CACHED,
    invalidateViaMutation: false,
    includeExtensionMetadata: false,
    // The yoga plugin would add its own ETag (the cache key); ours (src/http/http-cache.ts) covers answers that were never cached too.
    shouldCacheResult: ({ result }) => !result.errors?.length,
  });
}
