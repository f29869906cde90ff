// errno → lake errors for the directory backend, in one place.
import {
  AlreadyExistsError,
  CancelledError,
  InvalidKeyError,
  isLakeError,
  type LakeError,
  NotFoundError,
  NotSupportedError,
  PermissionDeniedError,
  StoreError,
} from '../../errors.js';

const STORE = 'local';
const RETRYABLE_ERRNO = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR', 'ETIMEDOUT']);

export function translateFsError(error: unknown, key?: string, action = 'access'): LakeError {
  if (isLakeError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const options = { key, store: STORE, backendCode: code, cause: error };
  const subject = key === undefined ? '' : ` "${key}"`;
  if ((error as Error | undefined)?.name === 'AbortError')
    return new CancelledError(`${action}${subject} cancelled`, options);
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EISDIR':
      return new NotFoundError(`no object${subject}`, options);
    case 'EEXIST':
      return new AlreadyExistsError(`object${subject} already exists`, options);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new PermissionDeniedError(`permission denied to ${action}${subject}`, options);
    case 'ENAMETOOLONG':
      return new InvalidKeyError(`key${subject} has a segment too long for this file system`, options);
    default:
      return new StoreError(`cannot ${action}${subject}: ${(error as Error | undefined)?.message ?? String(error)}`, {
        ...options,
        retryable: code !== undefined && RETRYABLE_ERRNO.has(code),
      });
  }
}

/** The one thing S3 allows that a directory tree cannot: both "a" and "a/b". */
export function conflictError(key: string, cause: unknown): NotSupportedError {
  return new NotSupportedError(
    `the directory backend cannot hold both an object and a "directory" of objects at "${key}" or one of its parents`,
    {
      key,
      store: STORE,
      backendCode: (cause as NodeJS.ErrnoException).code,
      cause,
    },
  );
}
