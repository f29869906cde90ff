// Names for symbols: Symbol.name/exchange/type/currency from the lake's reference file, and symbols(query:) over tickers and names.
import { listSymbolPage, type SymbolPageEntry } from '../lake/catalog.js';
import { matchesQuery, type SymbolReference } from '../lake/reference.js';
import { decodeSymbolCursor, symbolCursor, type SymbolRef } from './catalog.js';
import type { Context } from './context.js';

/** Symbols listed per request while searching; the whole catalog is walked page by page. */
const LIST_PAGE = 1000;

export async function reference(ctx: Context, ticker: string): Promise<SymbolReference | undefined> {
  return (await ctx.services.reference.get()).get(ticker);
}

/**
 * Symbols whose ticker starts with `query`, or whose name has a word starting with each word of
 * `query` ("apple" finds AAPL, "united health" finds UNH), in the same key order and with the same
 * cursors as the unfiltered list.
 */
export async function searchSymbols(ctx: Context, args: { query: string; first: number; after?: string | null }) {
  const names = await ctx.services.reference.get();
  const after = args.after ? decodeSymbolCursor(args.after) : undefined;
  const matches: SymbolPageEntry[] = [];
  let from = after;
  let more = true;
  while (more && matches.length <= args.first) {
    const page = await listSymbolPage(ctx.services.store, { first: LIST_PAGE, after: from });
    for (const entry of page.symbols)
      if (matchesQuery(args.query, entry.ticker, names.get(entry.ticker)?.name ?? null)) matches.push(entry);
    more = page.hasNextPage;
    from = page.symbols.at(-1)?.ticker;
  }
  const shown = matches.slice(0, args.first);
  ctx.loaders.registerPage(shown);
  const edges = shown.map(({ ticker }) => ({ cursor: symbolCursor(ticker), node: { ticker } satisfies SymbolRef }));
  return { edges, pageInfo: { hasNextPage: matches.length > args.first, endCursor: edges.at(-1)?.cursor ?? null } };
}
