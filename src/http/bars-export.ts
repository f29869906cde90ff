// GET /v1/bars/{SYMBOL}?from=&to=&timeframe=&every=&session=&adjustment=&asOf=&format= : bulk bars as Arrow, Parquet, CSV, JSON or NDJSON, streamed (many symbols: bars-export-many.ts).
import type { Plugin } from 'graphql-yoga';
import type { CatalogIndex } from '../lake/catalog-index/catalog-index.js';
import { isEmptyIndex, lookUpSymbol } from '../lake/catalog.js';
import { InvalidInputError, LakeError, NotFoundError, type LakeErrorCode } from '../lake/errors.js';
import { checkFiles, filesFor, streamBars, type BarQuery } from '../lake/bars/query.js';
import type { BarFileReader } from '../lake/bars/reader.js';
import { ADJUSTMENTS, isAdjustment, type Adjustment } from '../lake/bars/adjust-factors.js';
import { loadAdjustment } from '../lake/bars/adjust-load.js';
import type { BarBatch } from '../lake/bars/resample.js';
import { isTimeframe, TIMEFRAMES } from '../lake/bars/timeframe.js';
import { normalizeTicker } from '../lake/layout.js';
import type { ObjectStore } from '../lake/store/types.js';
import { ERROR_CODES } from '../services/error-codes.js';
import { exportManyBars, MANY_BARS_PATH } from './bars-export-many.js';
import { intervalParams } from './bar-interval-params.js';
import { encode, FORMATS, type Format } from './bars-formats.js';
import {
  cacheHeaders,
  entityTag,
  matchesIfNoneMatch,
  notModified,
  withHeaders,
  type HttpCacheOptions,
} from './http-cache.js';

export const BARS_PATH = '/v1/bars/';

const STATUS: Record<LakeErrorCode, number> = {
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  // The file was replaced between listing and reading: asking again reads the new version.
  PRECONDITION_FAILED: 409,
  NOT_SUPPORTED: 501,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 502,
  INVALID_KEY: 400,
  INVALID_INPUT: 400,
  // The request is fine; a file in the lake is not. Not a 5xx: retrying cannot help.
  INVALID_DATA: 422,
  CANCELLED: 503,
  STORE_ERROR: 503,
};

const ACCEPT: Record<string, Format> = {
  'application/vnd.apache.arrow.stream': 'arrow',
  'application/vnd.apache.parquet': 'parquet',
  'application/x-parquet': 'parquet',
  'text/csv': 'csv',
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'text/*': 'csv',
  'application/*': 'json',
  '*/*': 'json',
};

/**
 * Same arguments, checks and error codes as `Symbol.bars` (without paging: the whole range
 * streams). Every file the range needs has its footer and columns checked before the first byte,
 * so a bad file is a 422 JSON error naming it; a page that fails to decode mid-stream can only
 * abort the response.
 */
export interface BarsExportServices {
  store: ObjectStore;
  bars: BarFileReader;
  catalog: CatalogIndex;
  config: { maxSymbols: number };
}

export function barsExportPlugin(services: BarsExportServices, caching?: HttpCacheOptions): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      const many = url.pathname === MANY_BARS_PATH;
      if (!many && !url.pathname.startsWith(BARS_PATH)) return;
      if (request.method !== 'GET') return endResponse(errorResponse(405, 'METHOD_NOT_ALLOWED', 'use GET'));
      // Every caller allowed here holds `read` and gets the same bytes, so the tag needs no principal;
      // Accept picks the format. Computed before any store request, so a match costs none.
      const etag =
        caching && caching.maxAge > 0
          ? entityTag([caching.lakeVersion.current(), url.pathname, url.search, request.headers.get('accept') ?? ''])
          : undefined;
      const headers = etag ? cacheHeaders(caching!, etag, 'Accept') : { 'cache-control': 'no-cache' };
      if (etag && matchesIfNoneMatch(request.headers.get('if-none-match'), etag))
        return endResponse(notModified(headers));
      return (many ? exportManyBars(services, request, url) : exportBars(services, request, url)).then(
        (response) => endResponse(response.status === 200 ? withHeaders(response, headers) : response),
        (error: unknown) => endResponse(lakeErrorResponse(error)),
      );
    },
  };
}

/** The arguments every bars export takes, checked: the query (without adjustment factors, loaded per symbol), the adjustment and asOf. */
export function barParams(params: URLSearchParams): {
  query: BarQuery;
  adjustment: Adjustment;
  asOf: number | undefined;
} {
  const timeframe = (params.get('timeframe') ?? 'DAY').toUpperCase();
  if (!isTimeframe(timeframe))
    throw new InvalidInputError(`timeframe must be one of ${TIMEFRAMES.join(', ')}, got "${timeframe.slice(0, 40)}"`);
  const adjustment = (params.get('adjustment') || 'RAW').toUpperCase();
  if (!isAdjustment(adjustment))
    throw new InvalidInputError(
      `adjustment must be one of ${ADJUSTMENTS.map((a) => a.toLowerCase()).join(', ')}, got "${adjustment.slice(0, 40)}"`,
    );
  const asOf = dateParam(params, 'asOf');
  const { every, session } = intervalParams(params, timeframe);
  return {
    query: { timeframe, every, session, from: dateParam(params, 'from'), to: dateParam(params, 'to') },
    adjustment,
    asOf,
  };
}

/** `?format=` or Accept, or the 406 answer when neither names a format lakeql writes. */
export function formatOf(request: Request, params: URLSearchParams): Format | Response {
  return (
    chooseFormat(params.get('format'), request.headers.get('accept')) ??
    errorResponse(
      406,
      'NOT_ACCEPTABLE',
      `Accept names no format lakeql writes; use one of: ${Object.values(FORMATS)
        .map((t) => t.split(';')[0])
        .join(', ')} (or ?format=)`,
    )
  );
}

/** `inline; filename="…"` naming what was asked for, with the extension of the format. */
export function contentDisposition(name: string, format: Format): string {
  return `inline; filename="${name}.${format === 'ndjson' ? 'ndjson' : format === 'arrow' ? 'arrows' : format}"`;
}

async function exportBars(services: BarsExportServices, request: Request, url: URL): Promise<Response> {
  let raw: string;
  try {
    raw = decodeURIComponent(url.pathname.slice(BARS_PATH.length));
  } catch {
    throw new InvalidInputError('the symbol in the path is not valid percent-encoding');
  }
  const ticker = normalizeTicker(raw);
  const params = url.searchParams;
  const { query, adjustment, asOf } = barParams(params);
  const timeframe = query.timeframe;
  const format = formatOf(request, params);
  if (format instanceof Response) return format;

  const index = await lookUpSymbol(services.catalog, services.store, ticker);
  if (isEmptyIndex(index)) throw new NotFoundError(`the lake holds nothing for ${ticker}`);
  await checkFiles(services.bars, filesFor(index, query));
  query.adjustment = await loadAdjustment(services.bars, services.store, index, { adjustment, asOf });
  const batches = streamBars(services.bars, index, query)[Symbol.asyncIterator]();
  // The first batch is read before answering, so errors in the first file still get a proper status.
  let first: IteratorResult<BarBatch> | undefined = await batches.next();
  const next = async () => {
    const result = first ?? (await batches.next());
    first = undefined;
    return result.done ? undefined : result.value;
  };
  const body = encode(format, next, () => void batches.return?.(undefined));
  const name = `${ticker}-${timeframe}${(query.every ?? 1) > 1 ? `x${query.every}` : ''}${query.session === 'REGULAR' ? '-regular' : ''}${adjustment === 'RAW' ? '' : `-${adjustment.toLowerCase()}${asOf !== undefined ? `-as-of-${params.get('asOf')}` : ''}`}${query.from !== undefined ? `-from-${params.get('from')}` : ''}${query.to !== undefined ? `-to-${params.get('to')}` : ''}`;
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': FORMATS[format],
      'content-disposition': contentDisposition(name, format),
    },
  });
}

export function dateParam(params: URLSearchParams, name: 'from' | 'to' | 'asOf'): number | undefined {
  const text = params.get(name);
  if (text === null || text === '') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new InvalidInputError(`${name} must be a date YYYY-MM-DD, got "${text.slice(0, 40)}"`);
  }
  return ms;
}

/** `format=` wins; otherwise the Accept entry with the highest q that names a format (ties: the order given). */
export function chooseFormat(param: string | null, accept: string | null): Format | undefined {
  if (param !== null) {
    const format = param.toLowerCase();
    if (format in FORMATS) return format as Format;
    throw new InvalidInputError(
      `format must be one of ${Object.keys(FORMATS).join(', ')}, got "${param.slice(0, 40)}"`,
    );
  }
  if (!accept) return 'json';
  const ranked = accept
    .split(',')
    .map((entry, order) => {
      const [type, ...rest] = entry
        .trim()
        .split(';')
        .map((s) => s.trim().toLowerCase());
      const q = rest.find((p) => p.startsWith('q='));
      return { type, q: q ? Number(q.slice(2)) : 1, order };
    })
    .filter((e) => e.q > 0 && e.type in ACCEPT)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return ranked.length ? ACCEPT[ranked[0].type] : undefined;
}

export function lakeErrorResponse(error: unknown): Response {
  if (error instanceof LakeError)
    return errorResponse(STATUS[error.code], ERROR_CODES[error.code], error.message, error.key);
  return errorResponse(500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
}

/** The body a GraphQL client gets for the same failure: `{ errors: [{ message, extensions: { code, key? } }] }`. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  key?: string,
  details?: Record<string, unknown>,
): Response {
  return new Response(
    JSON.stringify({ errors: [{ message, extensions: { ...details, code, ...(key ? { key } : {}) } }] }),
    {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    },
  );
}
