// The lake's one error vocabulary: every backend translates its own failures (S3 codes, errno) into these at its boundary.

export type LakeErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PRECONDITION_FAILED'
  | 'NOT_SUPPORTED'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'INVALID_KEY'
  | 'INVALID_INPUT'
  | 'INVALID_DATA'
  | 'CANCELLED'
  | 'STORE_ERROR';

export interface LakeErrorOptions {
  /** The object key the error is about, relative to the store it was raised by. */
  key?: string;
  /** Which store raised it ("s3", "local", ...). */
  store?: string;
  /** The backend's own code, e.g. the S3 error code "NoSuchBucket" or errno "EACCES". */
  backendCode?: string;
  /** True when trying again may succeed (throttling, 5xx, resets, timeouts). */
  retryable?: boolean;
  cause?: unknown;
}

export class LakeError extends Error {
  readonly code: LakeErrorCode;
  readonly key?: string;
  readonly store?: string;
  readonly backendCode?: string;
  readonly retryable: boolean;

  constructor(code: LakeErrorCode, message: string, options: LakeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.key = options.key;
    this.store = options.store;
    this.backendCode = options.backendCode;
    this.retryable = options.retryable ?? false;
  }
}

export class NotFoundError extends LakeError {
  constructor(message: string, options?: LakeErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}
export class AlreadyExistsError extends LakeError {
  constructor(message: string, options?: LakeErrorOptions) {
    super('ALREADY_EXISTS', message, options);
  }
}
export class PreconditionFailedError extends LakeError {
  constructor(message: string, options?: LakeErrorOptions) {
    super('PRECONDITION_FAILED', message, options);
  }
}
export class NotSupportedError extends LakeError {
  constructor(message: string, options?: LakeErrorOptions) {
    super('NOT_SUPPORTED', message, options);
  }
}
export class PermissionDeniedError extends LakeError {
  constructor(message: string, options?: LakeErrorOptions) {
    super('PERMISSION_DENIED', message, options);
  }
}
export class UnauthenticatedError extends LakeError {
  constructor(message: string, options?: LakeErrorOptions) {
    super('UNAUTHENTICATED', message, options);
  }
}
/** A key or path that breaks the layout or path rules (`..`, empty segments, bad ticker, year out of range). */
export class InvalidKeyError extends LakeError {
  constructor(message: string, options?: LakeErrorOptions) {
    super('INVALID_KEY', message, options);
  }
}
/** Arguments that are well-formed keys but make no sense (negative page size, from after to, ...). */
export class InvalidInputError extends LakeError {
  constructor(message: string, options?: LakeErrorOptions) {
    super('INVALID_INPUT', message, options);
  }
}
/** An object whose bytes cannot be understood (corrupt Parquet, JSON that does not parse, missing columns). */
export class InvalidDataError extends LakeError {
  constructor(message: string, options?: LakeErrorOptions) {
    super('INVALID_DATA', message, options);
  }
}
export class CancelledError extends LakeError {
  constructor(message = 'cancelled', options?: LakeErrorOptions) {
    super('CANCELLED', message, options);
  }
}
/** Anything else the store reported; `retryable` says whether a retry may help. */
export class StoreError extends LakeError {
  constructor(message: string, options?: LakeErrorOptions) {
    super('STORE_ERROR', message, options);
  }
}

export function isLakeError(error: unknown): error is LakeError {
  return error instanceof LakeError;
}
