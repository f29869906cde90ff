// Coverage resolvers: one symbol-year's report, and the lake's symbols with gaps as a forward-only connection.
import { listSymbolPage } from '../lake/catalog.js';
import { hasGaps, type CoverageReport } from '../lake/coverage/coverage.js';
import { symbolYearCoverage } from '../lake/coverage/symbol-year.js';
import { assertYear, type Resolution } from '../lake/layout.js';
import { forEachBounded } from '../lake/parallel.js';
import type { SymbolYearRef } from './catalog.js';
import { decodeSymbolCursor, symbolCursor } from './catalog.js';
import type { Context } from './context.js';

export interface CoverageRef extends CoverageReport {
  symbol: string;
  year: number;
}

export async function ofSymbolYear(
  ctx: Context,
  parent: SymbolYearRef,
  resolution: Resolution,
): Promise<CoverageRef | null> {
  const report = await symbolYearCoverage(ctx.services.bars, { index: parent.index, year: parent.year, resolution });
  return report && { ...report, symbol: parent.ticker, year: parent.year };
}

/** Symbols whose files are read at once while scanning for gaps: bounds decoded memory and store requests in flight. */
const SCAN_CONCURRENCY = 8;

/**
 * Walks the symbols in key order from `after`, reading the year's files of each symbol that has
 * any, until `first` symbols with gaps (plus one, to answer hasNextPage) are found or the lake
 * ends. Symbols without a file of that resolution in that year are not listed: they have no
 * coverage to judge. The cost is a read of every file scanned; the bar reader's cache makes a
 * second pass (the next page, a bars query) cheap.
 */
export async function lakeCoverage(
  ctx: Context,
  args: { year: number; resolution: Resolution; first: number; after?: string | null },
) {
  assertYear(args.year);
  const { maxPageSize } = ctx.services.config;
  const found: CoverageRef[] = [];
  let after = args.after ? decodeSymbolCursor(args.after) : undefined;
  let more = true;
  while (more && found.length <= args.first) {
    const page = await listSymbolPage(ctx.services.store, { first: maxPageSize, after });
    ctx.loaders.registerPage(page.symbols);
    const tickers = page.symbols.map((s) => s.ticker);
    // Loaded together, the page's indexes cost one ranged listing per dataset.
    const indexes = await Promise.all(tickers.map((t) => ctx.loaders.symbolIndex.load(t)));
    const reports: (CoverageRef | null)[] = new Array(tickers.length).fill(null);
    await forEachBounded(tickers.keys(), SCAN_CONCURRENCY, async (i) => {
      reports[i] = await ofSymbolYear(ctx, { ticker: tickers[i], year: args.year, index: indexes[i] }, args.resolution);
    });
    for (const report of reports) if (report && hasGaps(report)) found.push(report);
    more = page.hasNextPage;
    after = tickers.at(-1);
  }
  const edges = found.slice(0, args.first).map((node) => ({ cursor: symbolCursor(node.symbol), node }));
  return { edges, pageInfo: { hasNextPage: found.length > args.first, endCursor: edges.at(-1)?.cursor ?? null } };
}
