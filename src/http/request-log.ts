// Yoga plugin: gives every request an id (x-request-id in and out) and writes one structured line per response.
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { redactedPath, requestScope, type Logger } from '../log.js';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's id is kept only when it is safe to echo in a header and to write in a log line. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Probes and scrapes come every few seconds; at info they would drown the lines people read. */
const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

export interface RequestLogOptions {
  now?: () => number;
  newId?: () => string;
}

interface Pending {
  id: string;
  start: number;
  path: string;
  operation?: string;
}

/**
 * Must be the first of our plugins: onRequest hooks after one that answers early never run. Yoga's
 * own endpoints (its /health) answer before any plugin of ours, so onResponse also copes with a
 * request it never saw. The line is written when the response head is ready, so for streams
 * (SSE, downloads) `ms` is the time to the first byte.
 */
export function requestLogPlugin(logger: Logger, options: RequestLogOptions = {}): Plugin {
  const now = options.now ?? (() => performance.now());
  const newId = options.newId ?? randomUUID;
  const pending = new WeakMap<Request, Pending>();
  return {
    onRequest({ request, url, requestHandler, setRequestHandler }) {
      const id = idOf(request, newId);
      pending.set(request, { id, start: now(), path: redactedPath(url) });
      // Resolvers, the store and yoga's error logging run inside the handler: their lines get the id.
      setRequestHandler((req, context) => requestScope.run({ requestId: id }, () => requestHandler(req, context)));
    },
    onExecute({ args }) {
      const entry = pending.get((args.contextValue as { request?: Request }).request as Request);
      if (entry) entry.operation = args.operationName ?? undefined;
    },
    onSubscribe({ args }) {
      const entry = pending.get((args.contextValue as { request?: Request }).request as Request);
      if (entry) entry.operation = args.operationName ?? undefined;
    },
    onResponse({ request, response, setResponse }) {
      const entry = pending.get(request) ?? {
        id: idOf(request, newId),
        start: NaN,
        path: redactedPath(new URL(request.url)),
      };
      pending.delete(request);
      setResponse(withHeader(response, REQUEST_ID_HEADER, entry.id));
      const line = {
        requestId: entry.id,
        method: request.method,
        path: entry.path,
        status: response.status,
        ...(Number.isNaN(entry.start) ? {} : { ms: Math.round((now() - entry.start) * 10) / 10 }),
        ...(entry.operation ? { operation: entry.operation } : {}),
      };
      const level =
        response.status >= 500 ? 'error' : QUIET_PATHS.has(new URL(request.url).pathname) ? 'debug' : 'info';
      logger[level](line, 'request');
    },
  };
}

function idOf(request: Request, newId: () => string): string {
  const incoming = request.headers.get(REQUEST_ID_HEADER);
  return incoming !== null && SAFE_ID.test(incoming) ? incoming : newId();
}

/** Headers of some responses (redirects, fetched ones) are immutable: copy those instead of failing. */
function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value);
    return response;
  } catch {
    const headers = new Headers(response.headers);
    headers.set(name, value);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}
