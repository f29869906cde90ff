// symbols(tickers:): exactly the symbols asked for, in the order given, with the ones the lake does not hold named in unknownTickers.
import { isEmptyIndex } from '../lake/catalog.js';
import { InvalidInputError } from '../lake/errors.js';
import { parseTickerList } from '../lake/bars/many.js';
import { decodeSymbolCursor, symbolCursor, type SymbolRef } from './catalog.js';
import type { Context } from './context.js';

export interface TickerListPage {
  edges: { cursor: string; node: SymbolRef }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number>;
  unknownTickers: string[];
}

/**
 * Each ticker's catalog entry comes through the request's symbolIndex loader (one batch: from the
 * catalog index when it is on, else one listing per ticker), so the bars fields below reuse it.
 * `first`/`after` page through the known tickers in the order given; a cursor names a ticker of the list.
 */
export async function symbolsByTickers(
  ctx: Context,
  args: { tickers: readonly string[]; first: number; after?: string | null },
): Promise<TickerListPage> {
  const tickers = parseTickerList(args.tickers, ctx.services.config.maxSymbols, 'tickers');
  const indexes = await ctx.loaders.symbolIndex.loadMany(tickers);
  const known: string[] = [];
  const unknownTickers: string[] = [];
  tickers.forEach((ticker, i) => {
    const index = indexes[i];
    if (index instanceof Error) throw index;
    (isEmptyIndex(index) ? unknownTickers : known).push(ticker);
  });
  let start = 0;
  if (args.after) {
    const ticker = decodeSymbolCursor(args.after);
    start = known.indexOf(ticker) + 1;
    if (start === 0) throw new InvalidInputError(`after names ${ticker}, which is not among the tickers asked for`);
  }
  const page = known.slice(start, start + args.first);
  const edges = page.map((ticker) => ({ cursor: symbolCursor(ticker), node: { ticker } }));
  return {
    edges,
    pageInfo: { hasNextPage: start + args.first < known.length, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: async () => known.length,
    unknownTickers,
  };
}
