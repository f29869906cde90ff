// Path rules every object key obeys, enforced by every backend before it touches storage.
import { InvalidKeyError } from '../errors.js';

/** S3's own ceiling on key length, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/**
 * A valid key is 1–1024 UTF-8 bytes of `/`-separated segments, none empty, `.` or `..`,
 * with no leading `/`, no backslash and no control characters (NUL included).
 * These rules are what keeps the directory backend inside its root, and they keep
 * S3 keys portable to it, so they apply to both.
 */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError('key is empty', { key });
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
    throw new InvalidKeyError(`key is longer than ${MAX_KEY_BYTES} bytes`, { key });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(key))
    throw new InvalidKeyError('key contains a control character or backslash', { key });
  if (key.startsWith('/')) throw new InvalidKeyError('key starts with "/"', { key });
  for (const segment of key.split('/')) {
    if (segment === '') throw new InvalidKeyError('key has an empty segment', { key });
    if (segment === '.' || segment === '..') throw new InvalidKeyError(`key has a "${segment}" segment`, { key });
  }
}

/** A prefix may be empty or end in "/"; otherwise it obeys the key rules. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

/** Compare two keys the way S3 orders them: by UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
