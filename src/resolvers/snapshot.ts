// Query.snapshot: the last daily bar of many symbols at or before a date, ordered and paged; unknown tickers are named, not dropped.
import { InvalidInputError } from '../lake/errors.js';
import { SNAPSHOT_PARALLELISM, snapshotFilesBySymbol, snapshotOf, type SnapshotRow } from '../lake/bars/snapshot.js';
import { normalizeTicker } from '../lake/layout.js';
import { forEachBounded } from '../lake/parallel.js';
import type { Context } from './context.js';

export type SnapshotField = 'TICKER' | 'CHANGE' | 'CHANGE_PERCENT' | 'VOLUME' | 'CLOSE';
export interface SnapshotOrder {
  field: SnapshotField;
  direction: 'ASC' | 'DESC';
}

/** Most tickers one request may name (the whole lake, when none are named, has no such cap). */
export const MAX_SNAPSHOT_TICKERS = 1000;

export interface SnapshotPage {
  edges: { cursor: string; node: SnapshotRow }[];
  pageInfo: { hasNextPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
  unknownTickers: string[];
}

const KEY: Record<SnapshotField, (r: SnapshotRow) => number | string | null> = {
  TICKER: (r) => r.ticker,
  CHANGE: (r) => r.change,
  CHANGE_PERCENT: (r) => r.changePercent,
  VOLUME: (r) => r.volume,
  CLOSE: (r) => r.close,
};

/** Orders by the field (nulls last in either direction), then by ticker, so the order is total and cursors are stable. */
function compare(order: SnapshotOrder): (a: SnapshotRow, b: SnapshotRow) => number {
  const key = KEY[order.field];
  const sign = order.direction === 'DESC' ? -1 : 1;
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * sign;
    }
    return a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0;
  };
}

/** A cursor names the row it follows (its ticker): the next page starts after that row in the same order. */
const encode = (ticker: string) => Buffer.from(`snapshot:${ticker}`).toString('base64url');
function decode(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString();
  if (!text.startsWith('snapshot:') || text.length > 40)
    throw new InvalidInputError('after is not a cursor of snapshot');
  return text.slice('snapshot:'.length);
}

export async function snapshot(
  ctx: Context,
  args: {
    date?: Date | null;
    tickers?: readonly string[] | null;
    orderBy: SnapshotOrder;
    first: number;
    after?: string | null;
  },
): Promise<SnapshotPage> {
  const { store, bars } = ctx.services;
  if (args.tickers && args.tickers.length > MAX_SNAPSHOT_TICKERS)
    throw new InvalidInputError(`at most ${MAX_SNAPSHOT_TICKERS} tickers, got ${args.tickers.length}`);
  const asOf = args.date ? args.date.getTime() : undefined;
  const files = await snapshotFilesBySymbol(store, ctx.services.catalog);
  const wanted = args.tickers ? [...new Set(args.tickers.map(normalizeTicker))] : [...files.keys()];
  const unknownTickers = wanted.filter((t) => !files.has(t));
  const known = wanted.filter((t) => files.has(t));
  const rows: (SnapshotRow | null)[] = new Array(known.length).fill(null);
  await forEachBounded(
    known.map((ticker, i) => ({ ticker, i })),
    SNAPSHOT_PARALLELISM,
    async ({ ticker, i }) => {
      rows[i] = await snapshotOf(bars, ticker, files.get(ticker)!, asOf);
    },
  );
  const ordered = rows.filter((r): r is SnapshotRow => r !== null).sort(compare(args.orderBy));
  let start = 0;
  if (args.after) {
    const ticker = decode(args.after);
    start = ordered.findIndex((r) => r.ticker === ticker) + 1;
    if (start === 0) throw new InvalidInputError(`after names ${ticker}, which this snapshot does not hold`);
  }
  const page = ordered.slice(start, start + args.first);
  return {
    edges: page.map((node) => ({ cursor: encode(node.ticker), node })),
    pageInfo: {
      hasNextPage: start + args.first < ordered.length,
      startCursor: page.length ? encode(page[0].ticker) : null,
      endCursor: page.length ? encode(page.at(-1)!.ticker) : null,
    },
    totalCount: ordered.length,
    unknownTickers,
  };
}
