// Loads a symbol's bars page by page (newest MAX_BARS kept), and remembers what it loaded until that symbol changes.
import { BarsQuery, type Adjustment, type Bar, type Timeframe } from './documents.js';
import { request, type ResultOf } from './graphql.js';

/** Bars per request: well under the schema's 10,000 cap and the gateway's cost limit. */
const PAGE = 5000;
/** A whole minute history is large; the chart keeps the most recent this many bars. */
const MAX_BARS = 60_000;

export interface BarRange {
  from: string | null;
  to: string | null;
  adjustment: Adjustment /** Timeframes per bar (5 with MINUTE: 5-minute bars); default 1. */;
  every?: number;
}

const cache = new Map<string, Bar[]>();
const keyOf = (ticker: string, timeframe: Timeframe, range: BarRange) =>
  `${ticker}|${timeframe}*${range.every ?? 1}|${range.from ?? ''}|${range.to ?? ''}|${range.adjustment}`;

/** Every page of `ticker`'s bars in `range`; null when the lake has no such symbol. */
export async function loadBars(
  ticker: string,
  timeframe: Timeframe,
  range: BarRange,
  signal?: AbortSignal,
): Promise<Bar[] | null> {
  const key = keyOf(ticker, timeframe, range);
  const hit = cache.get(key);
  if (hit) return hit;
  const bars: Bar[] = [];
  let after: string | null = null;
  do {
    const result: ResultOf<typeof BarsQuery> = await request(
      BarsQuery,
      { ticker, timeframe, first: PAGE, after, ...range },
      signal,
    );
    if (!result.symbol) return null;
    const page = result.symbol.bars;
    if (!page.nodes || !page.pageInfo) throw new Error(`the bars of ${ticker} could not be read`);
    bars.push(...page.nodes);
    if (bars.length > MAX_BARS) bars.splice(0, bars.length - MAX_BARS);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after && !signal?.aborted);
  if (!signal?.aborted) cache.set(key, bars);
  return bars;
}

/** After an upload: the symbol's bars are read again next time. */
export function forgetBars(ticker: string): void {
  for (const key of cache.keys()) if (key.startsWith(`${ticker}|`)) cache.delete(key);
}
