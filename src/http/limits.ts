// Yoga plugins bounding what one request may cost: body size (413), query cost, execution time (504).
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { estimateCost } from './cost.js';
import { errorResponse, gatewayError } from './error-response.js';
import { clockOf, realTimer, type SetTimer } from './request-clock.js';

export interface BodyLimits {
  /** Any request body but a multipart upload (LAKEQL_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** A multipart/form-data body: LAKEQL_MAX_UPLOAD_BYTES plus room for the operations and map parts. */
  maxMultipartBytes: number;
  /** Paths whose handlers bound bodies themselves (signed PUT URLs carry their exact length). */
  exempt?: readonly string[];
}

/**
 * The rest of a refused body is never read, so the connection cannot carry another request:
 * saying so keeps a client from reusing it and meeting a reset.
 */
const CLOSE = { connection: 'close' };

/**
 * Checked in onRequest, before anything reads the body. A Content-Length above the cap is
 * answered at once; a body without one (chunked) is counted as it streams and fails the parse
 * with the same 413 the moment it passes the cap, so it is never held whole in memory.
 * The counted request is handed to the handler rather than swapped in with setRequest, so
 * plugins that key on the original Request object (the request log) still find it.
 */
export function bodyLimitPlugin(limits: BodyLimits): Plugin {
  return {
    onRequest({ request, url, requestHandler, setRequestHandler, endResponse, fetchAPI }) {
      if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
      if (limits.exempt?.some((prefix) => url.pathname.startsWith(prefix))) return;
      const multipart = (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
      const limit = multipart ? limits.maxMultipartBytes : limits.maxBodyBytes;
      const setting = multipart ? 'LAKEQL_MAX_UPLOAD_BYTES' : 'LAKEQL_MAX_BODY_BYTES';
      const message = `request body larger than ${limit} bytes (${setting})`;
      const length = request.headers.get('content-length');
      if (length !== null) {
        // Only one plain non-negative integer is a Content-Length; "1, 1" or "-1" is a smuggling attempt.
        if (!/^\d+$/.test(length.trim()))
          return endResponse(errorResponse(400, 'BAD_REQUEST', 'Content-Length is not a number'));
        if (Number(length) > limit)
          return endResponse(errorResponse(413, 'PAYLOAD_TOO_LARGE', message, CLOSE, { limit }));
        return;
      }
      if (!request.body) return;
      setRequestHandler((req, context) => {
        if (!req.body) return requestHandler(req, context);
        let seen = 0;
        // The same TransformStream family as the body's ReadableStream: native and ponyfill streams do not mix.
        const Transform = req.body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
        const counted = req.body.pipeThrough(
          new Transform<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              seen += chunk.byteLength;
              if (seen > limit) controller.error(gatewayError(413, 'PAYLOAD_TOO_LARGE', message, { limit }, CLOSE));
              else controller.enqueue(chunk);
            },
          }),
        );
        const init = { method: req.method, headers: req.headers, signal: req.signal, body: counted, duplex: 'half' };
        return requestHandler(new fetchAPI.Request(req.url, init as RequestInit), context);
      });
    },
  };
}

export interface CostLimitOptions {
  maxCost: number;
  /** LAKEQL_MAX_PAGE_SIZE: larger `first` values count as this (the field itself rejects them). */
  maxPageSize: number;
}

/** Rejects an operation whose estimated cost (see cost.ts) is above LAKEQL_MAX_COST, before any resolver runs. */
export function costLimitPlugin({ maxCost, maxPageSize }: CostLimitOptions): Plugin {
  // Parsed documents are cached and reused by yoga, so an operation without variables is costed once.
  const fixed = new WeakMap<object, Map<string, number>>();
  const check = (
    args: { schema: Parameters<typeof estimateCost>[0] } & Omit<Parameters<typeof estimateCost>[1], 'maxPageSize'> & {
        variableValues?: unknown;
      },
  ) => {
    const constant = !args.document.definitions.some(
      (d) => d.kind === 'OperationDefinition' && (d.variableDefinitions?.length ?? 0) > 0,
    );
    const name = args.operationName ?? '';
    const cached = constant ? fixed.get(args.document)?.get(name) : undefined;
    const cost =
      cached ??
      estimateCost(args.schema, {
        document: args.document,
        operationName: args.operationName,
        variables: args.variableValues as Record<string, unknown> | null | undefined,
        maxPageSize,
      });
    if (constant && cached === undefined) {
      if (!fixed.has(args.document)) fixed.set(args.document, new Map());
      fixed.get(args.document)!.set(name, cost);
    }
    if (cost <= maxCost) return undefined;
    return gatewayError(
      400,
      'QUERY_LIMIT_EXCEEDED',
      `query cost ${cost} is above the limit of ${maxCost} (LAKEQL_MAX_COST): ask for fewer fields or smaller pages`,
      { limit: 'cost', cost, maxCost },
    );
  };
  // A result rather than a throw, so graphql-ws answers this operation instead of closing the socket.
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      const refused = check(args);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
    onSubscribe: ({ args, setResultAndStopExecution }) => {
      const refused = check(args);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}

export interface TimeoutOptions {
  timeoutMs: number;
  /** Injectable timer (tests); returns a cancel function. */
  setTimer?: SetTimer;
}

/**
 * Queries and mutations get LAKEQL_REQUEST_TIMEOUT_MS to produce their result; then the client
 * gets a TIMEOUT error (HTTP 504) and the execution's signal is aborted so no further resolvers
 * start. Subscriptions are long-lived by design and exempt. A multipart request brings its own
 * clock (src/http/request-clock.ts), started when its body began to arrive and stopped only while
 * an upload's bytes flow to a resolver: its size and the client's speed bound that part instead.
 */
export function timeoutPlugin({ timeoutMs, setTimer = realTimer }: TimeoutOptions): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (getOperationAST(args.document, args.operationName)?.operation === 'subscription') return;
      const clock = clockOf(args.contextValue as object);
      setExecuteFn((execArgs) => {
        const controller = new AbortController();
        // Forwarded by hand: AbortSignal.any costs more per request than the rest of this plugin (Node 20).
        const outer = (execArgs as { signal?: AbortSignal }).signal;
        const forward = () => controller.abort(outer?.reason);
        outer?.addEventListener('abort', forward, { once: true });
        return new Promise((resolve, reject) => {
          const expire = () => {
            const spent = clock ? `${timeoutMs} ms without upload bytes flowing` : `${timeoutMs} ms`;
            const error = gatewayError(
              504,
              'TIMEOUT',
              `the request took longer than ${spent} (LAKEQL_REQUEST_TIMEOUT_MS)`,
              { timeoutMs },
            );
            controller.abort(error);
            resolve({ errors: [error] });
          };
          const cancel = clock ? clock.onExpire(expire) : setTimer(expire, timeoutMs);
          Promise.resolve()
            .then(() => executeFn({ ...execArgs, signal: controller.signal } as typeof execArgs))
            .then(resolve, reject)
            .finally(() => {
              cancel();
              outer?.removeEventListener('abort', forward);
            });
        });
      });
    },
  };
}
