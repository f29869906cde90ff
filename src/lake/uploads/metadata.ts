// Content type and user metadata for an object, as the seed's writers set them for keys in the lake's layout.
import {
  corporateActionsMetadata,
  fundamentalsMetadata,
  JSON_CONTENT_TYPE,
  PARQUET_CONTENT_TYPE,
  parseKey,
  ticksMetadata,
} from '../layout.js';

export interface ObjectAttributes {
  contentType: string;
  metadata: Record<string, string>;
}

/**
 * Keys in the layout get the seed's `symbol` / `year` / `data-type` metadata (and month or quarter);
 * any other key gets none, as the seed's upload_directory_parallel sends none, and a content type
 * from its extension.
 */
export function attributesFor(key: string): ObjectAttributes {
  const parsed = parseKey(key);
  if (parsed?.kind === 'ticks') {
    const metadata =
      parsed.resolution === 'DAILY'
        ? ticksMetadata('DAILY', parsed.symbol, parsed.year)
        : ticksMetadata('MINUTE', parsed.symbol, parsed.year, parsed.month);
    return { contentType: PARQUET_CONTENT_TYPE, metadata };
  }
  if (parsed?.kind === 'fundamentals') {
    return {
      contentType: JSON_CONTENT_TYPE,
      metadata: fundamentalsMetadata(parsed.symbol, parsed.year, parsed.quarter),
    };
  }
  if (parsed?.kind === 'corporate-actions') {
    return { contentType: JSON_CONTENT_TYPE, metadata: corporateActionsMetadata(parsed.symbol, parsed.year) };
  }
  const ext = /\.([a-z0-9]+)$/i.exec(key)?.[1]?.toLowerCase();
  const contentType =
    ext === 'parquet'
      ? PARQUET_CONTENT_TYPE
      : ext === 'json'
        ? JSON_CONTENT_TYPE
        : ext === 'csv'
          ? 'text/csv'
          : 'application/octet-stream';
  return { contentType, metadata: {} };
}
