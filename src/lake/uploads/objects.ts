// Single-object writes started from GraphQL: a streamed tick file, fundamentals JSON, and an object uploaded by URL.
import type { Readable } from 'node:stream';
import { InvalidDataError, InvalidInputError, isLakeError, NotFoundError } from '../errors.js';
import {
  fundamentalsKey,
  fundamentalsMetadata,
  JSON_CONTENT_TYPE,
  PARQUET_CONTENT_TYPE,
  parseKey,
  ticksKey,
  ticksMetadata,
} from '../layout.js';
import { getBytes } from '../store/helpers.js';
import type { StreamingUploader } from '../store/streaming.js';
import type { ObjectStore } from '../store/types.js';
import { parseCorporateActions } from '../actions/parse.js';
import { ParquetTap, validateStoredTickFile, type TickTarget } from './validate.js';

/** What a write reports back: enough to find and verify the object. */
export interface StoredObject {
  key: string;
  size: number;
  etag?: string;
  contentType: string;
  metadata: Record<string, string>;
}

export function tickTarget(args: {
  resolution: TickTarget['resolution'];
  symbol: string;
  year: number;
  month?: number | null;
}): { key: string; target: TickTarget } {
  const month = args.month ?? undefined;
  if (args.resolution === 'DAILY' && month !== undefined)
    throw new InvalidInputError('daily tick files are per year: leave month out');
  const key = ticksKey(args.resolution, args.symbol, args.year, month);
  const parsed = parseKey(key)!;
  return { key, target: { resolution: args.resolution, symbol: parsed.symbol, year: args.year, month } };
}

export interface TickStreamOptions {
  partSize: number;
  queueSize: number;
  signal?: AbortSignal;
  /** Bytes sent to the store so far (see StreamUploadOptions.onProgress). */
  onProgress?: (sent: number) => void;
  /** The exact size announced beforehand (an upload job's total); any other size fails before commit. */
  size?: number;
}

/**
 * Streams a tick file into the store while a tap keeps its head and footer; the checks run after
 * the last byte and before the object becomes visible, so an invalid file leaves nothing behind.
 * Memory: the uploader's parts plus the footer the tap keeps (at most MAX_FOOTER_BYTES).
 */
export async function uploadTickStream(
  uploader: StreamingUploader,
  args: { resolution: TickTarget['resolution']; symbol: string; year: number; month?: number | null },
  stream: Readable,
  options: TickStreamOptions,
): Promise<StoredObject> {
  const { key, target } = tickTarget(args);
  const tap = new ParquetTap(options.size);
  stream.on('error', (error) => tap.destroy(error));
  stream.pipe(tap);
  const metadata = ticksMetadata(target.resolution, target.symbol, target.year, target.month);
  try {
    const result = await uploader.uploadStream(key, tap, {
      contentType: PARQUET_CONTENT_TYPE,
      metadata,
      partSize: options.partSize,
      queueSize: options.queueSize,
      signal: options.signal,
      onProgress: options.onProgress,
      beforeCommit: () => tap.validate(key, target),
    });
    return { key, size: result.size, etag: result.etag, contentType: PARQUET_CONTENT_TYPE, metadata };
  } finally {
    stream.unpipe(tap);
    if (!stream.destroyed) stream.resume(); // drain whatever is left so the request completes
  }
}

export async function putFundamentals(
  store: ObjectStore,
  args: { symbol: string; year: number; quarter: number; data: unknown },
): Promise<StoredObject> {
  const key = fundamentalsKey(args.symbol, args.year, args.quarter);
  if (args.data === null || typeof args.data !== 'object' || Array.isArray(args.data))
    throw new InvalidInputError('fundamentals data must be a JSON object');
  const body = JSON.stringify(args.data, null, 2);
  const metadata = fundamentalsMetadata(args.symbol, args.year, args.quarter);
  const { etag } = await store.put(key, body, { contentType: JSON_CONTENT_TYPE, metadata });
  return { key, size: Buffer.byteLength(body), etag, contentType: JSON_CONTENT_TYPE, metadata };
}

/**
 * After a client PUT to an upload URL: checks the object like an upload through lakeql (a tick
 * file's footer by range reads, a fundamentals document parsed) and deletes it when it fails.
 * The caller has verified that this lake granted an upload of `grant.contentLength` bytes at
 * the key; an object of another size is not that upload (another writer's, or a later one) and
 * is left alone.
 */
export async function completeUpload(
  store: ObjectStore,
  key: string,
  grant: { contentLength: number },
): Promise<StoredObject> {
  const parsed = parseKey(key);
  if (!parsed)
    throw new InvalidInputError(
      `"${key}" is not a tick file, fundamentals or corporate-actions key of the lake's layout`,
    );
  const head = await store.head(key);
  if (head.size !== grant.contentLength)
    throw new NotFoundError(
      `no upload of ${grant.contentLength} bytes at ${key}: its object is not the one this upload URL granted`,
      { key },
    );
  try {
    if (parsed.kind === 'ticks') {
      await validateStoredTickFile(store, key, head.size, head.etag, {
        ...parsed,
        month: parsed.resolution === 'MINUTE' ? parsed.month : undefined,
      });
    } else {
      const text = Buffer.from(await getBytes(store, key, { ifMatch: head.etag })).toString('utf8');
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        throw new InvalidDataError(`${key}: not valid JSON`, { key });
      }
      if (parsed.kind === 'corporate-actions') parseCorporateActions(data, key, parsed.symbol);
      else if (data === null || typeof data !== 'object' || Array.isArray(data))
        throw new InvalidDataError(`${key}: not a JSON object`, { key });
    }
  } catch (error) {
    if (isLakeError(error) && error.code === 'INVALID_DATA') await store.delete(key);
    throw error;
  }
  return {
    key,
    size: head.size,
    etag: head.etag,
    contentType: head.contentType ?? (parsed.kind === 'ticks' ? PARQUET_CONTENT_TYPE : JSON_CONTENT_TYPE),
    metadata: head.metadata,
  };
}
