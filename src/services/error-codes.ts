// The stable `extensions.code` (GraphQL) and JSON `code` (HTTP routes) each typed lake error answers with.
import type { LakeErrorCode } from '../lake/errors.js';

/** The codes clients can rely on, in `errors[].extensions.code`. */
export const ERROR_CODES: Record<LakeErrorCode, string> = {
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  PERMISSION_DENIED: 'FORBIDDEN',
  UNAUTHENTICATED: 'STORE_UNAUTHENTICATED',
  INVALID_KEY: 'BAD_USER_INPUT',
  INVALID_INPUT: 'BAD_USER_INPUT',
  INVALID_DATA: 'INVALID_DATA',
  CANCELLED: 'CANCELLED',
  STORE_ERROR: 'STORE_UNAVAILABLE',
};
