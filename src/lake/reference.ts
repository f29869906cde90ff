// Reference data: data/reference/symbols.json gives symbols their names, exchanges and types; read tolerantly, cached by ETag.
import { InvalidDataError, isLakeError } from './errors.js';
import { getBytes } from './store/helpers.js';
import type { ObjectStore } from './store/types.js';

export const REFERENCE_KEY = 'data/reference/symbols.json';
/** A larger reference file is refused: parsing it would hold the event loop for more than a few tens of ms. */
export const MAX_REFERENCE_BYTES = 8 * 1024 * 1024;

export interface SymbolReference {
  ticker: string;
  name: string | null;
  exchange: string | null;
  type: string | null;
  currency: string | null;
}

/** Field spellings of our own files, Polygon's /v3/reference/tickers and Alpaca's /v2/assets exports. */
const FIELDS: Record<Exclude<keyof SymbolReference, 'ticker'> | 'ticker', string[]> = {
  ticker: ['ticker', 'symbol', 'Ticker', 'Symbol', 'TICKER', 'SYMBOL'],
  name: ['name', 'Name', 'company_name', 'companyName', 'security_name', 'securityName', 'description'],
  exchange: ['exchange', 'Exchange', 'primary_exchange', 'primaryExchange', 'exchange_mic', 'mic'],
  type: ['type', 'Type', 'asset_type', 'assetType', 'class', 'asset_class', 'assetClass'],
  currency: ['currency', 'Currency', 'currency_name', 'currencyName'],
};

function pick(record: Record<string, unknown>, names: string[]): string | null {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 500);
  }
  return null;
}

/**
 * Accepts an array of records, `{ results: [...] }` (Polygon), `{ symbols | data | assets: [...] }`,
 * or an object keyed by ticker. A record without a ticker is skipped; a document of none of these
 * shapes is INVALID_DATA naming the key.
 */
export function parseReference(text: string, key = REFERENCE_KEY): Map<string, SymbolReference> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new InvalidDataError(`${key}: not JSON (${(cause as Error).message})`, { key, cause });
  }
  let records: [string | undefined, unknown][];
  if (Array.isArray(document)) records = document.map((r) => [undefined, r]);
  else if (document && typeof document === 'object') {
    const list = ['results', 'symbols', 'data', 'assets', 'tickers']
      .map((k) => (document as Record<string, unknown>)[k])
      .find(Array.isArray) as unknown[] | undefined;
    records = list ? list.map((r) => [undefined, r]) : Object.entries(document);
  } else {
    throw new InvalidDataError(
      `${key}: expected an array of symbols or an object of them, found ${document === null ? 'null' : typeof document}`,
      { key },
    );
  }
  const result = new Map<string, SymbolReference>();
  for (const [keyedTicker, record] of records) {
    if (!record || typeof record !== 'object' || Array.isArray(record)) continue;
    const r = record as Record<string, unknown>;
    const ticker = (pick(r, FIELDS.ticker) ?? keyedTicker ?? '').toUpperCase();
    if (!/^[A-Z0-9][A-Z0-9.-]{0,14}$/.test(ticker)) continue;
    result.set(ticker, {
      ticker,
      name: pick(r, FIELDS.name),
      exchange: pick(r, FIELDS.exchange),
      type: pick(r, FIELDS.type),
      currency: pick(r, FIELDS.currency),
    });
  }
  return result;
}

/** True when every word of `query` starts some word of `name`, or the query starts the ticker (both case-insensitive). */
export function matchesQuery(query: string, ticker: string, name: string | null): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  if (ticker.toLowerCase().startsWith(q)) return true;
  if (!name) return false;
  const words = name
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return q.split(/\s+/).every((part) => words.some((word) => word.startsWith(part)));
}

/**
 * The lake's reference data, read again only when the object's ETag changes (a HEAD per check).
 * A lake without the file has no names: that is not an error.
 */
export class ReferenceData {
  private cached: { etag: string | undefined; size: number; data: Map<string, SymbolReference> } | undefined;
  private loading: Promise<Map<string, SymbolReference>> | undefined;

  constructor(private readonly store: ObjectStore) {}

  /** Every symbol's reference; concurrent callers share one read. */
  get(): Promise<Map<string, SymbolReference>> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<Map<string, SymbolReference>> {
    let head;
    try {
      head = await this.store.head(REFERENCE_KEY);
    } catch (error) {
      if (isLakeError(error) && error.code === 'NOT_FOUND')
        return (this.cached = { etag: undefined, size: 0, data: new Map() }).data;
      throw error;
    }
    if (
      this.cached &&
      this.cached.etag !== undefined &&
      this.cached.etag === head.etag &&
      this.cached.size === head.size
    )
      return this.cached.data;
    if (head.size > MAX_REFERENCE_BYTES)
      throw new InvalidDataError(
        `${REFERENCE_KEY}: ${head.size} bytes is more than the ${MAX_REFERENCE_BYTES} lakeql reads`,
        { key: REFERENCE_KEY },
      );
    const bytes = await getBytes(this.store, REFERENCE_KEY, head.etag ? { ifMatch: head.etag } : undefined);
    const data = parseReference(Buffer.from(bytes).toString('utf8'));
    this.cached = { etag: head.etag, size: head.size, data };
    return data;
  }
}
