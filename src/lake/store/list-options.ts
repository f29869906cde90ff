// Listing arguments checked and defaulted once, so every backend rejects the same bad input before any I/O.
import { InvalidInputError, InvalidKeyError } from '../errors.js';
import { compareKeys, MAX_KEY_BYTES } from './keys.js';
import type { ListOptions, ListPage } from './types.js';

/** S3's page ceiling; also our default, since smaller pages only add round trips. */
export const MAX_LIST_KEYS = 1000;

export interface NormalizedListOptions {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  continuationToken?: string;
  startAfter?: string;
  endBefore?: string;
}

export function normalizeListOptions(options: ListOptions = {}): NormalizedListOptions {
  const prefix = options.prefix ?? '';
  assertValidListPrefix(prefix);
  const maxKeys = options.maxKeys ?? MAX_LIST_KEYS;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1)
    throw new InvalidInputError(`maxKeys must be a positive integer, got ${maxKeys}`);
  if (options.continuationToken !== undefined && options.continuationToken === '')
    throw new InvalidInputError('continuationToken is empty');
  return {
    prefix,
    // S3 treats an empty delimiter as none; so do we, rather than rolling every key up to itself.
    delimiter: options.delimiter === '' ? undefined : options.delimiter,
    maxKeys: Math.min(maxKeys, MAX_LIST_KEYS),
    continuationToken: options.continuationToken,
    startAfter: options.startAfter === '' ? undefined : options.startAfter,
    endBefore: options.endBefore,
  };
}

/**
 * Applies `endBefore` to a page a backend listed without it: entries at or past the bound go,
 * and so does the continuation token once any did, because everything after them is past it too.
 */
export function clipPage(page: ListPage, endBefore: string | undefined): ListPage {
  if (endBefore === undefined) return page;
  const objects = page.objects.filter((o) => compareKeys(o.key, endBefore) < 0);
  const commonPrefixes = page.commonPrefixes.filter((p) => compareKeys(p, endBefore) < 0);
  const clipped = objects.length < page.objects.length || commonPrefixes.length < page.commonPrefixes.length;
  return { objects, commonPrefixes, nextContinuationToken: clipped ? undefined : page.nextContinuationToken };
}

/**
 * A listing prefix may end mid-segment ("data/ticks/da", even "a/." matches "a/.hidden"), so
 * only its complete segments follow the key rules; what no valid key can start with is refused.
 */
export function assertValidListPrefix(prefix: string): void {
  if (prefix === '') return;
  if (Buffer.byteLength(prefix, 'utf8') > MAX_KEY_BYTES)
    throw new InvalidKeyError(`prefix is longer than ${MAX_KEY_BYTES} bytes`, { key: prefix });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(prefix))
    throw new InvalidKeyError('prefix contains a control character or backslash', { key: prefix });
  if (prefix.startsWith('/')) throw new InvalidKeyError('prefix starts with "/"', { key: prefix });
  const complete = prefix.split('/').slice(0, -1);
  for (const segment of complete) {
    if (segment === '' || segment === '.' || segment === '..')
      throw new InvalidKeyError(`prefix has an empty, "." or ".." segment`, { key: prefix });
  }
}
