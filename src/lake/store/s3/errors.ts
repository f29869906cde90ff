// The S3 boundary for failures: every SDK or socket error becomes one of the lake's error classes here.
import {
  AlreadyExistsError,
  CancelledError,
  InvalidInputError,
  isLakeError,
  type LakeError,
  type LakeErrorOptions,
  NotFoundError,
  NotSupportedError,
  PermissionDeniedError,
  PreconditionFailedError,
  StoreError,
  UnauthenticatedError,
} from '../../errors.js';

const STORE = 's3';

const UNAUTHENTICATED = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidToken',
  'InvalidSecurity',
  'AuthorizationHeaderMalformed',
  'CredentialsProviderError',
  'MissingAuthenticationToken',
]);
const INVALID_INPUT = new Set([
  'InvalidRange',
  'EntityTooSmall',
  'EntityTooLarge',
  'InvalidPart',
  'InvalidPartOrder',
  'InvalidArgument',
  'InvalidRequest',
  'KeyTooLongError',
  'MalformedXML',
  'InvalidBucketName',
  'IncompleteBody',
  'InvalidDigest',
  'BadDigest',
  'MetadataTooLarge',
]);
const RETRYABLE = new Set([
  'SlowDown',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'Throttling',
  'ThrottlingException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

interface SdkErrorLike {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

export interface S3ErrorContext {
  operation: string;
  key?: string;
  bucket: string;
  /** A 412 answers `If-None-Match: *`, so it means the key exists. */
  createOnly?: boolean;
}

/** The S3 error code (or socket errno) of a failure, and the HTTP status when there was a response. */
export function describeS3Error(error: unknown): { code?: string; status?: number } {
  const e = (error ?? {}) as SdkErrorLike;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  // Socket errors carry an errno in `code`; S3 errors carry theirs as `name` (and `Code` from the body).
  const errno = typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) ? e.code : undefined;
  let code = errno ?? e.Code ?? e.name;
  if (code === 'Error' || code === 'UnknownError' || code === undefined) {
    code = /socket hang up/i.test(e.message ?? '') ? 'ECONNRESET' : status !== undefined ? String(status) : code;
  }
  return { code, status };
}

export function translateS3Error(error: unknown, context: S3ErrorContext): LakeError {
  if (isLakeError(error)) return error;
  const { code, status } = describeS3Error(error);
  const { key, operation } = context;
  const options: LakeErrorOptions = { key, store: STORE, backendCode: code, cause: error };
  const what = `S3 ${operation}${key === undefined ? '' : ` "${key}"`} in bucket ${context.bucket}`;
  const detail = `${what}: ${code ?? 'error'}${status === undefined ? '' : ` (HTTP ${status})`}`;

  if (code === 'AbortError' || (error as Error | undefined)?.name === 'AbortError')
    return new CancelledError(`${what} cancelled`, options);
  if (code === 'NoSuchBucket') return new NotFoundError(`bucket ${context.bucket} does not exist`, options);
  if (code === 'NoSuchUpload') return new NotFoundError(`${what}: no such multipart upload`, options);
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404)
    return new NotFoundError(`${what}: no such object`, options);
  if (code === 'PreconditionFailed' || status === 412) {
    return context.createOnly
      ? new AlreadyExistsError(`${what}: object already exists`, options)
      : new PreconditionFailedError(`${what}: precondition failed`, options);
  }
  // S3 answers 409 when another conditional write to the key is in flight; for a create that one wins.
  if ((code === 'ConditionalRequestConflict' || status === 409) && context.createOnly)
    return new AlreadyExistsError(`${what}: a concurrent create won`, options);
  if (code !== undefined && UNAUTHENTICATED.has(code))
    return new UnauthenticatedError(`${detail}: check the AWS credentials`, options);
  if (code === 'AccessDenied' || code === 'Forbidden' || code === 'AllAccessDisabled' || status === 403)
    return new PermissionDeniedError(`${detail}: access denied`, options);
  if (code !== undefined && INVALID_INPUT.has(code)) return new InvalidInputError(detail, options);
  if (code === 'NotImplemented' || status === 501)
    return new NotSupportedError(`${detail}: not supported by this server`, options);
  const retryable =
    (code !== undefined && RETRYABLE.has(code)) || (status !== undefined && (status >= 500 || status === 429));
  return new StoreError(`${detail}${errorMessage(error)}`, { ...options, retryable });
}

function errorMessage(error: unknown): string {
  const message = (error as SdkErrorLike | undefined)?.message;
  return message && message !== 'UnknownError' ? `: ${message}` : '';
}
