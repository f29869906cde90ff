// graphql-ws on the same HTTP server and path as yoga: operations run through yoga's envelop, so plugins and masking apply.
import type { Server } from 'node:http';
import { type execute, GraphQLError, type subscribe, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { credentialsFromConnectionParams, credentialsFromHeaders, type Authenticator } from '../auth/authenticator.js';
import { AuthError, type Principal } from '../auth/principal.js';

type Enveloped = ReturnType<YogaServerInstance<Record<string, never>, never>['getEnveloped']>;

export interface WebSocketOptions {
  /** The same authenticator as HTTP requests use. */
  authenticator: Authenticator;
  /** Largest message in bytes (LAKEQL_MAX_BODY_BYTES); ws's own default is 100 MiB. */
  maxPayload: number;
  /** Open connections per principal (LAKEQL_MAX_WS_CONNECTIONS). */
  maxConnections: number;
  /** How long a socket may stay open without a connection_init (graphql-ws closes it with 4408). */
  initTimeoutMs?: number;
  /** Where a client's protocol mistake (a frame over maxPayload, a bad opcode) is reported: a warning, not a fault. */
  warn?: (message: string) => void;
  /** Where a socket error that is not the client's doing is reported. */
  error?: (message: string) => void;
}

/** graphql-ws close codes beside its own 4403 Forbidden and 4408 init timeout. */
export const WS_UNAUTHORIZED = 4401;
export const WS_TOO_MANY_CONNECTIONS = 4429;

/**
 * Upgrades on yoga's endpoint become graphql-ws connections; anything else is left to other
 * upgrade handlers. Credentials are checked once, at connection_init (connectionParams, else the
 * upgrade request's headers), before the ack: no credentials close the socket with 4401, wrong
 * ones with 4403, and a principal over its connection cap with 4429. Each operation is then
 * authenticated and rate-limited again while its context is built (src/http/auth.ts), so a key
 * revoked meanwhile stops working. The yoga context gets a fetch Request made from the upgrade
 * request (plus an `authorization` from connectionParams, as browsers cannot set headers on a
 * WebSocket). Returns a closer that ends every connection.
 */
export function attachWebSocket(
  server: Server,
  yoga: YogaServerInstance<Record<string, never>, never>,
  options: WebSocketOptions,
): () => Promise<void> {
  const { authenticator, maxPayload, maxConnections, initTimeoutMs = 3000 } = options;
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload });
  const open = new Map<string, number>();
  const principals = new WeakMap<object, Principal>();
  const disposable = useServer(
    {
      connectionInitWaitTimeout: initTimeoutMs,
      onConnect: async (ctx) => {
        let credentials = credentialsFromConnectionParams(ctx.connectionParams);
        if (!credentials.authorization && !credentials.apiKey)
          credentials = credentialsFromHeaders(headersOf(ctx.extra.request.headers));
        const address = ctx.extra.request.socket?.remoteAddress ?? 'unknown';
        let principal: Principal;
        try {
          principal = await authenticator.authenticate(credentials, address);
        } catch (error) {
          if (!(error instanceof AuthError)) throw error;
          if (!credentials.authorization && !credentials.apiKey)
            ctx.extra.socket.close(WS_UNAUTHORIZED, 'Unauthorized');
          return false;
        }
        const count = open.get(principal.id) ?? 0;
        if (count >= maxConnections) {
          ctx.extra.socket.close(WS_TOO_MANY_CONNECTIONS, `Too many connections (at most ${maxConnections})`);
          return false;
        }
        open.set(principal.id, count + 1);
        principals.set(ctx, principal);
        return true;
      },
      onClose: (ctx) => {
        const principal = principals.get(ctx);
        if (!principal) return;
        principals.delete(ctx);
        const left = (open.get(principal.id) ?? 1) - 1;
        if (left <= 0) open.delete(principal.id);
        else open.set(principal.id, left);
      },
      execute: (args) => (args.rootValue as { execute: typeof execute }).execute(args as ExecutionArgs),
      subscribe: (args) => (args.rootValue as { subscribe: typeof subscribe }).subscribe(args as ExecutionArgs),
      onSubscribe: async (ctx, _id, payload) => {
        const upgrade = ctx.extra.request;
        const headers = headersOf(upgrade.headers);
        const auth = (ctx.connectionParams as { authorization?: unknown } | undefined)?.authorization;
        if (typeof auth === 'string' && !headers.has('authorization')) headers.set('authorization', auth);
        continueTrace(headers, payload.extensions, ctx.connectionParams, ctx.connectionParams?.headers);
        // POST, not the upgrade's GET: an operation over graphql-ws is a message, and yoga's guard
        // against mutations in GET requests (405) reads this method.
        const request = new Request(
          `http://${upgrade.headers.host ?? 'localhost'}${upgrade.url ?? yoga.graphqlEndpoint}`,
          { method: 'POST', headers },
        );
        const enveloped: Enveloped = yoga.getEnveloped({
          ...ctx,
          req: upgrade,
          socket: ctx.extra.socket,
          params: payload,
          request,
        } as never);
        let document;
        try {
          document = enveloped.parse(payload.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        let contextValue;
        try {
          contextValue = await enveloped.contextFactory();
        } catch (error) {
          // Refusals while building the context (UNAUTHENTICATED, RATE_LIMITED) go to the client as an
          // error message for this operation; thrown, graphql-ws would close the socket with 4500.
          if (error instanceof Error && 'extensions' in error) return [error as GraphQLError];
          throw error;
        }
        return {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue,
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
      },
    },
    wss,
  );
  // graphql-ws reports every socket 'error' on stderr as an internal error, with a stack trace. Most are the
  // client's doing (ws has already answered them with a close frame, e.g. 1009 for a message over maxPayload),
  // so its listener, registered in its own 'connection' handler just before this one, is replaced.
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      if (typeof error.code === 'string' && error.code.startsWith('WS_ERR_')) {
        options.warn?.(`graphql-ws: closed a connection whose client broke the protocol: ${error.message}`);
        return;
      }
      options.error?.(`graphql-ws: socket error: ${error.message}`);
      socket.close(1011, 'Internal server error');
    });
  });
  return async () => {
    await disposable.dispose();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
}

/**
 * The W3C trace context an operation continues, set on its request as HTTP would carry it (the
 * tracing plugin, src/http/tracing.ts, reads it there): the operation's own `extensions`, else the
 * connection_init payload, at its top or in its `headers` as clients put credentials (browsers
 * cannot set headers on a WebSocket), else the upgrade request's headers. Names are matched in any
 * case, as header names are. The first of those that names a `traceparent` decides, with its own `tracestate` or none:
 * a malformed one is dropped, and the operation starts a trace of its own rather than fall back to a
 * context the client did not mean for it. A value a header cannot hold (not a string, a line break,
 * a character beyond Latin-1) counts as malformed; the propagator judges the rest.
 */
function continueTrace(headers: Headers, ...sources: unknown[]): void {
  const source = sources
    .map((s) =>
      typeof s === 'object' && s !== null
        ? Object.fromEntries(Object.entries(s).map(([name, value]) => [name.toLowerCase(), value as unknown]))
        : {},
    )
    .find((s) => 'traceparent' in s);
  if (!source) return;
  headers.delete('traceparent');
  headers.delete('tracestate');
  const { traceparent, tracestate } = source;
  if (typeof traceparent !== 'string') return;
  try {
    headers.set('traceparent', traceparent);
  } catch {
    return;
  }
  if (typeof tracestate !== 'string') return;
  try {
    headers.set('tracestate', tracestate);
  } catch {
    // A tracestate is optional: the trace goes on without it.
  }
}

function headersOf(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  return headers;
}
