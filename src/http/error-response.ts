// Errors the gateway raises around execution (auth, limits): one shape, a stable code, the right HTTP status.
import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';

/** Codes in `errors[].extensions.code` for requests turned away before or instead of execution. */
export type GatewayErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'BAD_REQUEST'
  | 'TIMEOUT'
  | 'QUERY_LIMIT_EXCEEDED'
  | 'SHUTTING_DOWN';

/**
 * For hooks that answer with a GraphQL error inside yoga's pipeline: yoga takes the HTTP status
 * and headers from `extensions.http` and strips that part from the body.
 */
export function gatewayError(
  status: number,
  code: GatewayErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
  headers?: Record<string, string>,
): GraphQLError {
  return createGraphQLError(message, {
    extensions: { code, ...extensions, http: { status, ...(headers ? { headers } : {}) } },
  });
}

/** For onRequest hooks, which run before yoga's pipeline: the same body a GraphQL client would get. */
export function errorResponse(
  status: number,
  code: GatewayErrorCode,
  message: string,
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}
