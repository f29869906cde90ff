// Bar resolvers: pages of bars for a symbol or one of its years, and what a tick file's footer says.
import { DEFAULT_BARS_PAGE, barsPage, checkFirst, decodeBarCursor, type Bar, type BarPage } from '../lake/bars/page.js';
import { backwardPage, checkLast, hasBarBefore } from '../lake/bars/backward.js';
import { InvalidInputError } from '../lake/errors.js';
import { DAY_MS, newYorkDay } from '../lake/calendar/new-york.js';
import { checkRange } from '../lake/bars/query.js';
import type { Adjustment } from '../lake/bars/adjust-factors.js';
import { loadAdjustment } from '../lake/bars/adjust-load.js';
import type { Timeframe } from '../lake/bars/timeframe.js';
import { checkEvery } from '../lake/bars/interval.js';
import type { BarSession } from '../lake/bars/session.js';
import type { SymbolIndex } from '../lake/catalog.js';
import type { ParquetInfo } from '../lake/parquet/time-stats.js';
import { boundedPage } from './bars-parallel.js';
import type { SymbolRef, SymbolYearRef, TickFileRef } from './catalog.js';
import type { Context } from './context.js';

export interface BarsArgs {
  from?: Date | null;
  to?: Date | null;
  timeframe: Timeframe;
  every?: number | null;
  session?: BarSession | null;
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  adjustment?: Adjustment | null;
  asOf?: Date | null;
}

/**
 * The page is computed once, when the first of edges/nodes/pageInfo asks for it, so a query that
 * selects none of them reads nothing, and a file that fails fails those fields only.
 */
export interface BarConnectionRef {
  page(): Promise<BarPage & { hasPreviousPage: boolean | (() => Promise<boolean>) }>;
}

export function symbolBars(ctx: Context, parent: SymbolRef, args: BarsArgs): BarConnectionRef {
  return connection(ctx, () => ctx.loaders.symbolIndex.load(parent.ticker), args, {});
}

/** Bars of one calendar year: the range is cut to the year, so a week or quarter crossing it is aggregated from this year's rows only. */
export function yearBars(ctx: Context, parent: SymbolYearRef, args: BarsArgs): BarConnectionRef {
  return connection(ctx, async () => parent.index, args, {
    from: Date.UTC(parent.year, 0, 1),
    to: Date.UTC(parent.year, 11, 31),
  });
}

function connection(
  ctx: Context,
  index: () => Promise<SymbolIndex>,
  args: BarsArgs,
  clamp: { from?: number; to?: number },
): BarConnectionRef {
  let from = args.from?.getTime();
  let to = args.to?.getTime();
  // Bad arguments fail the bars field itself, before any page is attempted.
  checkRange({ from, to });
  if (args.first != null && args.last != null)
    throw new InvalidInputError('give first (with after) or last (with before), not both: a page is read from one end');
  const backward = args.last != null;
  if (backward) checkLast(args.last!);
  else checkFirst(args.first ?? DEFAULT_BARS_PAGE);
  const every = checkEvery(args.timeframe, args.every ?? 1);
  if (args.after != null) decodeBarCursor(args.after, args.timeframe, every);
  if (args.before != null) decodeBarCursor(args.before, args.timeframe, every);
  if (clamp.from !== undefined) from = Math.max(from ?? -Infinity, clamp.from);
  if (clamp.to !== undefined) to = Math.min(to ?? Infinity, clamp.to);
  const timeframe = args.timeframe;
  const session = args.session ?? undefined;
  const after = args.after ?? undefined;
  const before = args.before ?? undefined;
  let promise: ReturnType<BarConnectionRef['page']> | undefined;
  return {
    page() {
      promise ??= boundedPage(ctx, async () => {
        if (from !== undefined && to !== undefined && from > to)
          return { bars: [], cursors: [], hasNextPage: false, hasPreviousPage: false };
        const symbol = await index();
        const adjustment = await loadAdjustment(ctx.services.bars, ctx.services.store, symbol, {
          adjustment: args.adjustment ?? 'RAW',
          asOf: args.asOf?.getTime(),
        });
        const query = { timeframe, every, session, from, to, adjustment };
        if (backward) return backwardPage(ctx.services.bars, symbol, { ...query, last: args.last!, before, after });
        const page = await barsPage(ctx.services.bars, symbol, {
          ...query,
          first: args.first ?? DEFAULT_BARS_PAGE,
          after,
          before,
        });
        // Only a page that starts after a cursor can have bars before it; asked for only when selected.
        const cursor = after === undefined ? undefined : decodeBarCursor(after, timeframe, every);
        const hasPreviousPage =
          cursor === undefined ? false : () => hasBarBefore(ctx.services.bars, symbol, query, cursor + 1);
        return { ...page, hasPreviousPage };
      });
      return promise;
    },
  };
}

/** The newest bar of the symbol's whole history (null when it has none): a backward page of one. */
export async function latestBar(
  ctx: Context,
  parent: SymbolRef,
  args: Pick<BarsArgs, 'timeframe' | 'adjustment' | 'asOf'>,
): Promise<Bar | null> {
  const page = await connection(
    ctx,
    () => ctx.loaders.symbolIndex.load(parent.ticker),
    { ...args, last: 1 },
    {},
  ).page();
  return page.bars[0] ?? null;
}

export function fileInfo(ctx: Context, file: TickFileRef): Promise<ParquetInfo> {
  return ctx.services.bars.info({
    key: file.object.key,
    size: file.object.size,
    etag: file.object.etag,
    lastModified: file.object.lastModified,
  });
}

/** The trading date of a footer's min or max time: the UTC date for daily files, the New York date for minute files. */
export async function fileDate(ctx: Context, file: TickFileRef, which: 'first' | 'last'): Promise<Date | null> {
  const info = await fileInfo(ctx, file);
  const time = which === 'first' ? info.minTime : info.maxTime;
  if (time === undefined) return null;
  return new Date(file.resolution === 'MINUTE' ? newYorkDay(time) : time - (((time % DAY_MS) + DAY_MS) % DAY_MS));
}
