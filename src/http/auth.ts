// Yoga plugin: authenticates every request (HTTP headers, or graphql-ws connectionParams), rate-limits it, and checks scopes before execution.
import type { Plugin } from 'graphql-yoga';
import { credentialsFromConnectionParams, credentialsFromHeaders, type Authenticator } from '../auth/authenticator.js';
import { anonymous, AuthError, missingScopes, type Principal, type Scope } from '../auth/principal.js';
import { requiredScopes } from '../auth/required-scopes.js';
import { errorResponse, gatewayError } from './error-response.js';
import type { RequestLimiter } from './rate-limit.js';

/** Where a request's principal is kept: on yoga's server context, which becomes the GraphQL context. */
export const PRINCIPAL = Symbol.for('lakeql.principal');

/** Served to anyone: probes must work without a key, and `/` only redirects to GraphiQL. */
const OPEN_PATHS = new Set(['/health', '/ready', '/']);

export interface AuthPluginOptions {
  authenticator: Authenticator;
  /** Null when LAKEQL_RATE_LIMIT is off. */
  rateLimiter: RequestLimiter | null;
  /**
   * Routes whose URLs carry their own signature (lakeql's /files downloads and /uploads PUTs, the
   * directory lake's stand-ins for S3 presigned URLs). Only a caller holding `read` or `write` got
   * such a URL, and it grants one key for a limited time; asking for a header as well would break
   * what presigned URLs are for (a browser, `pandas.read_parquet(url)`, curl). Rate-limited per address.
   */
  signedPaths?: readonly string[];
}

export function principalOf(context: object): Principal | undefined {
  return (context as { [PRINCIPAL]?: Principal })[PRINCIPAL];
}

/**
 * HTTP requests are authenticated in onRequest, before the body is read: an unknown caller costs
 * a header check, nothing more. GraphiQL's HTML and CORS preflights are answered by yoga before
 * this runs. graphql-ws operations never pass through onRequest; they are authenticated while
 * their context is built, from connectionParams. Scopes are checked in onExecute/onSubscribe,
 * after parsing and validation, before any resolver (and so any store request) runs.
 */
export function authPlugin({ authenticator, rateLimiter, signedPaths = [] }: AuthPluginOptions): Plugin {
  let graphqlEndpoint = '/graphql';
  const rateLimited = async (principal: Principal): Promise<number | undefined> => {
    if (!rateLimiter) return undefined;
    const decision = await rateLimiter.take(principal.id);
    return decision.allowed ? undefined : decision.retryAfterS;
  };
  /**
   * The refusal as a result, not a throw: graphql-ws closes the whole socket (4500) when execute
   * or subscribe rejects, while a result reaches the client as this operation's error.
   */
  const authorize = (context: object, needed: Set<Scope>) => {
    const principal = principalOf(context);
    if (!principal) return gatewayError(401, 'UNAUTHENTICATED', 'credentials required');
    const missing = missingScopes(principal, needed);
    if (missing.length === 0) return undefined;
    return gatewayError(
      403,
      'FORBIDDEN',
      `this operation needs the ${missing.join(' and ')} scope, which these credentials do not have`,
      { missingScopes: missing },
    );
  };

  return {
    onYogaInit({ yoga }) {
      graphqlEndpoint = yoga.graphqlEndpoint;
    },
    onRequest({ request, url, serverContext, endResponse }) {
      if (OPEN_PATHS.has(url.pathname) || request.method === 'OPTIONS') return;
      const address = clientAddress(serverContext);
      if (signedPaths.some((prefix) => url.pathname.startsWith(prefix))) {
        return rateLimited(anonymous(address)).then((retryAfter) => {
          if (retryAfter !== undefined)
            endResponse(
              errorResponse(429, 'RATE_LIMITED', `rate limit exceeded: try again in ${retryAfter} s`, {
                'retry-after': String(retryAfter),
              }),
            );
        });
      }
      return authenticator.authenticate(credentialsFromHeaders(request.headers), address).then(
        async (principal) => {
          const retryAfter = await rateLimited(principal);
          if (retryAfter !== undefined) {
            return endResponse(
              errorResponse(429, 'RATE_LIMITED', `rate limit exceeded: try again in ${retryAfter} s`, {
                'retry-after': String(retryAfter),
              }),
            );
          }
          (serverContext as Record<symbol, unknown>)[PRINCIPAL] = principal;
          // Routes beside GraphQL (/files, /v1/bars) only read.
          const graphql = url.pathname === graphqlEndpoint || url.pathname.startsWith(`${graphqlEndpoint}/`);
          if (!graphql && !principal.scopes.has('read')) {
            endResponse(
              errorResponse(403, 'FORBIDDEN', 'this route needs the read scope, which these credentials do not have'),
            );
          }
        },
        (error: unknown) => {
          if (!(error instanceof AuthError)) throw error;
          endResponse(
            errorResponse(401, 'UNAUTHENTICATED', error.message, { 'www-authenticate': 'Bearer realm="lakeql"' }),
          );
        },
      );
    },
    async onContextBuilding({ context, extendContext }) {
      let principal = principalOf(context);
      if (!principal) {
        // Not an HTTP request through onRequest: a graphql-ws operation (or an in-process caller).
        const { connectionParams, request } = context as { connectionParams?: unknown; request?: Request };
        let credentials = credentialsFromConnectionParams(connectionParams);
        // Clients that can set headers on the WebSocket upgrade may send them there instead.
        if (!credentials.authorization && !credentials.apiKey && request?.headers)
          credentials = credentialsFromHeaders(request.headers);
        try {
          principal = await authenticator.authenticate(credentials, clientAddress(context));
        } catch (error) {
          if (error instanceof AuthError) throw gatewayError(401, 'UNAUTHENTICATED', error.message);
          throw error;
        }
        // Over HTTP the request was counted in onRequest; a graphql-ws operation is counted here.
        const retryAfter = await rateLimited(principal);
        if (retryAfter !== undefined) {
          throw gatewayError(
            429,
            'RATE_LIMITED',
            `rate limit exceeded: try again in ${retryAfter} s`,
            { retryAfterSeconds: retryAfter },
            { 'retry-after': String(retryAfter) },
          );
        }
        (context as Record<symbol, unknown>)[PRINCIPAL] = principal;
      }
      extendContext({ principal } as never);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const refused = authorize(args.contextValue, requiredScopes(args.document, args.operationName));
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = authorize(args.contextValue, requiredScopes(args.document, args.operationName));
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}

/** The peer address from node:http (`req.socket`) or graphql-ws (`extra.request.socket`); no proxy headers are trusted. */
function clientAddress(context: object): string {
  const c = context as {
    req?: { socket?: { remoteAddress?: string } };
    extra?: { request?: { socket?: { remoteAddress?: string } } };
  };
  return c.req?.socket?.remoteAddress ?? c.extra?.request?.socket?.remoteAddress ?? 'unknown';
}
