// Conveniences built once on top of ObjectStore, so no backend or caller re-implements them.
import { NotFoundError, StoreError } from '../errors.js';
import { readAll } from './body.js';
import type { GetOptions, ListOptions, ListPage, ObjectMeta, ObjectStore } from './types.js';

/** The object's bytes (or the range asked for) in memory: for JSON and Parquet footers, not for unbounded objects. */
export async function getBytes(store: ObjectStore, key: string, options?: GetOptions): Promise<Uint8Array> {
  const { body } = await store.get(key, options);
  try {
    return await readAll(body);
  } finally {
    body.destroy();
  }
}

/** True when the key exists; every error but NotFound propagates (a denied HEAD is not "absent"). */
export async function exists(store: ObjectStore, key: string): Promise<boolean> {
  try {
    await store.head(key);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/** Every page of a listing, following continuation tokens. */
export async function* listPages(
  store: ObjectStore,
  options: Omit<ListOptions, 'continuationToken'> = {},
): AsyncGenerator<ListPage> {
  let continuationToken: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await store.list({ ...options, continuationToken });
    yield page;
    continuationToken = page.nextContinuationToken;
    // A server that hands out the same token twice would otherwise loop forever.
    if (continuationToken !== undefined) {
      if (seen.has(continuationToken))
        throw new StoreError(`store ${store.kind} repeated a continuation token`, { store: store.kind });
      seen.add(continuationToken);
    }
  } while (continuationToken !== undefined);
}

/** Every object of a listing in key order, page after page (common prefixes, if a delimiter is given, are dropped). */
export async function* listAll(
  store: ObjectStore,
  options: Omit<ListOptions, 'continuationToken'> = {},
): AsyncGenerator<ObjectMeta> {
  for await (const page of listPages(store, options)) yield* page.objects;
}

/** The "subdirectories" directly under a prefix: `listCommonPrefixes(store, 'data/ticks/daily/')` → ['data/ticks/daily/AAPL/', ...]. */
export async function listCommonPrefixes(store: ObjectStore, prefix: string, delimiter = '/'): Promise<string[]> {
  const prefixes: string[] = [];
  for await (const page of listPages(store, { prefix, delimiter })) prefixes.push(...page.commonPrefixes);
  return prefixes;
}
