// Maps the lake's typed errors to GraphQL errors with a stable `extensions.code`; everything else stays masked.
import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { LakeError } from '../lake/errors.js';
import { ERROR_CODES } from '../services/error-codes.js';

/** A user-facing error raised by the schema layer itself (argument checks). */
export function badInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return createGraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extensions } });
}

interface GraphQLErrorLike extends Error {
  originalError?: unknown;
  extensions?: Record<string, unknown>;
  path?: readonly (string | number)[];
  nodes?: GraphQLError['nodes'];
}

/**
 * Duck-typed, not `instanceof`: graphql ships CommonJS and ESM builds, and a process (or a test
 * runner) that loads both has two GraphQLError classes.
 */
function isGraphQLErrorLike(error: unknown): error is GraphQLErrorLike {
  return error instanceof Error && error.name === 'GraphQLError';
}

/** Yoga's maskError hook: lake errors keep their message and gain a code; anything unexpected is masked. */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const wrapper = isGraphQLErrorLike(error) ? error : undefined;
  const original = wrapper?.originalError ?? error;
  const location = { path: wrapper?.path, nodes: wrapper?.nodes };
  if (original instanceof LakeError) {
    const extensions: Record<string, unknown> = { code: ERROR_CODES[original.code] };
    if (original.key) extensions.key = original.key;
    if (original.backendCode) extensions.backendCode = original.backendCode;
    return createGraphQLError(original.message, { extensions, ...location });
  }
  // GraphQL errors raised on purpose (validation, badInput, plugins) carry a code or have no cause.
  if (isGraphQLErrorLike(original) && (original.extensions?.code || !original.originalError)) return original;
  return createGraphQLError(message, {
    extensions: {
      code: 'INTERNAL_SERVER_ERROR',
      ...(isDev && original instanceof Error ? { detail: original.message } : {}),
    },
    ...location,
  });
}
