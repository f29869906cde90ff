// Yoga plugin for GraphQL multipart requests (the spec graphql-upload defined): files stream to their resolvers as they arrive.
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { principalOf } from './auth.js';
import { errorResponse } from './error-response.js';
import { attachClock, RequestClock, realTimer, type SetTimer } from './request-clock.js';
import { holdRequest } from './request-work.js';
import { UploadSession } from './upload-session.js';

export interface UploadPluginOptions {
  /** LAKEQL_REQUEST_TIMEOUT_MS: the request's budget, not counting time its upload bytes flow. */
  timeoutMs: number;
  /** LAKEQL_MAX_TOKENS: `operations.query` is parsed here once to check where files may go. */
  maxTokens: number;
  /** Where a file waits while a resolver reads a later one; the OS temp directory (TMPDIR) unless given. */
  spillDir?: string;
  /** The scalar File arguments have. */
  fileScalar?: string;
  /** Test seams: the clock and timer the request timeout runs on. */
  now?: () => number;
  setTimer?: SetTimer;
}

/**
 * Yoga's built-in parser collects every file in memory before execution starts; this one resolves
 * the operation as soon as `operations` and `map` have arrived (the spec asks clients to send
 * them first) and hands each file over as a stream fed by the request body (upload-session.ts).
 */
export function uploadPlugin(options: UploadPluginOptions): Plugin {
  let schema: GraphQLSchema | undefined;
  const sessions = new WeakMap<object, UploadSession>();
  const setTimer = options.setTimer ?? realTimer;
  return {
    onSchemaChange({ schema: changed }) {
      schema = changed;
    },
    onRequestParse({ request, serverContext, setRequestParser, endResponse }) {
      if (request.method !== 'POST' || !/^multipart\/form-data/i.test(request.headers.get('content-type') ?? ''))
        return;
      // Files go only to mutations, which need the write scope: a key without it is refused before its body is read.
      const principal = principalOf(serverContext as object);
      if (principal && !principal.scopes.has('write')) {
        // Node reads and drops the unread body itself, so the connection stays usable (closing it while the client still sends would reset it).
        return endResponse(
          errorResponse(
            403,
            'FORBIDDEN',
            'multipart requests carry files for mutations, which need the write scope these credentials do not have',
            {},
            { missingScopes: ['write'] },
          ),
        );
      }
      const nodeRequest = (serverContext as { req?: IncomingMessage }).req;
      setRequestParser((req) => {
        const clock = new RequestClock(options.timeoutMs, options.now, setTimer);
        attachClock(serverContext as object, clock);
        const session = new UploadSession(req, {
          clock,
          setTimer,
          schema: () => schema,
          fileScalar: options.fileScalar ?? 'File',
          maxTokens: options.maxTokens,
          spillDir: options.spillDir ?? tmpdir(),
          abortConnection: () => nodeRequest?.destroy(),
          onClientGone: (listener) =>
            nodeRequest?.once('close', () => {
              if (!nodeRequest.complete) listener();
            }),
        });
        sessions.set(serverContext as object, session);
        holdRequest(nodeRequest, session.closed());
        return session.parse();
      });
    },
    async onResponse({ serverContext, response, setResponse, fetchAPI }) {
      const session = sessions.get(serverContext as object);
      if (!session) return;
      await session.finish();
      // The answer waits (up to half the request timeout) for the client to finish sending: answering while
      // it still sends leaves a connection that only a close can straighten out. Half, so the answer goes
      // out before the session gives up on a stalled body and cuts the connection (a full timeout of silence).
      if (await session.bodyReadWithin(options.timeoutMs / 2)) return;
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('connection', 'close');
      setResponse(
        new fetchAPI.Response(response.body, { status: response.status, statusText: response.statusText, headers }),
      );
    },
  };
}
