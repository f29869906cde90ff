// Bars: Timeframe, Bar, BarConnection, the bars fields of Symbol and SymbolYear, and TickFile's footer fields.
import { DEFAULT_BARS_PAGE, MAX_BARS_PAGE, type Bar } from '../lake/bars/page.js';
import { MAX_EVERY } from '../lake/bars/interval.js';
import type { ADJUSTMENTS } from '../lake/bars/adjust-factors.js';
import * as bars from '../resolvers/bars.js';
import type { BarConnectionRef } from '../resolvers/bars.js';
import { EVERY_DOC, SESSION_DOC, TradingSessionEnum } from './bar-interval.js';
import { builder } from './builder.js';
import { PageInfo } from './connection.js';
import { SymbolObject, SymbolYear } from './symbol.js';
import { TickFile } from './tick-file.js';

export const TimeframeEnum = builder.enumType('Timeframe', {
  description:
    'Bar width. Coarser bars aggregate finer ones: first open, max high, min low, last close, summed volume and trades, volume-weighted vwap. ' +
    "Weeks run Monday to Sunday; months, quarters and years are calendar periods; each bar is labelled by its period's first calendar date. " +
    'Minute bars are dated in the exchange time zone, America/New_York.',
  values: {
    MINUTE: { description: 'One bar per minute (or `every` minutes), from the minute files.' },
    HOUR: {
      description:
        'One bar per New York clock hour (or `every` hours), aggregated from the minute files and labelled on the hour.',
    },
    DAY: {
      description:
        "One bar per trading day: the daily file, or that year's minute bars aggregated by New York date when the year has no daily file.",
    },
    WEEK: { description: 'One bar per week, Monday to Sunday, labelled by its Monday.' },
    MONTH: { description: 'One bar per calendar month, labelled by its first day.' },
    QUARTER: { description: 'One bar per calendar quarter, labelled by its first day.' },
    YEAR: { description: 'One bar per calendar year, labelled by 1 January.' },
  },
});

export const AdjustmentEnum = builder.enumType('Adjustment', {
  description:
    "Which corporate actions bars are adjusted for, as Alpaca and CRSP define it. Bars dated before a split's ex-date get prices ÷ (to/from) and volume × (to/from); " +
    "bars dated before a cash dividend's ex-date get prices × (1 − amount / raw close of the last bar before the ex-date). Factors of several events multiply. " +
    'vwap is adjusted like prices, trades never. Values are doubles, not rounded to cents. Coarser timeframes are built from the adjusted daily or minute bars.',
  values: {
    RAW: { description: 'As stored.' },
    SPLIT: { description: 'For splits only.' },
    DIVIDEND: { description: 'For cash dividends only.' },
    ALL: { description: 'For splits and cash dividends.' },
  } satisfies Record<(typeof ADJUSTMENTS)[number], { description: string }>,
});

const ADJUSTMENT_ARGS_DOC = {
  adjustment:
    "Corporate actions to adjust for (see Adjustment); every event in the lake's corporate-actions documents counts, whatever the bars' range.",
  asOf: 'Adjust only for events with an ex-date on or before this date, as a series looked on that day; default: every event.',
};

const BarObject = builder.objectRef<Bar>('Bar').implement({
  description: 'One OHLCV bar. A value the file lacks, or holds as null, is null.',
  fields: (t) => ({
    time: t.field({
      type: 'DateTime',
      description: 'Start of the bar: its first instant for MINUTE and HOUR, else UTC midnight of `date`.',
      resolve: (b) => new Date(b.time),
    }),
    date: t.field({
      type: 'Date',
      description: "Trading date (New York) of the bar's first day.",
      resolve: (b) => new Date(b.date),
    }),
    open: t.float({
      nullable: true,
      description: "Price of the bar's first trade, in the file's currency (US dollars for US equities).",
      resolve: (b) => b.open,
    }),
    high: t.float({
      nullable: true,
      description: "Highest trade price in the bar, in the file's currency (US dollars for US equities).",
      resolve: (b) => b.high,
    }),
    low: t.float({
      nullable: true,
      description: "Lowest trade price in the bar, in the file's currency (US dollars for US equities).",
      resolve: (b) => b.low,
    }),
    close: t.float({
      nullable: true,
      description: "Price of the bar's last trade, in the file's currency (US dollars for US equities).",
      resolve: (b) => b.close,
    }),
    volume: t.float({
      nullable: true,
      description: "Shares; a Float because sums exceed Int's 32 bits and some writers store floats.",
      resolve: (b) => b.volume,
    }),
    vwap: t.float({
      nullable: true,
      description: "Volume-weighted average price, in the file's currency (US dollars for US equities).",
      resolve: (b) => b.vwap,
    }),
    trades: t.float({
      nullable: true,
      description: 'Number of trades, when the file records it.',
      resolve: (b) => b.trades,
    }),
  }),
});

const BarEdge = builder.objectRef<{ cursor: string; node: Bar }>('BarEdge').implement({
  description: 'A bar and its cursor.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', {
      description: 'Pass as `after` to start the next page after this bar, or as `before` to page back from it.',
    }),
    node: t.field({ type: BarObject, description: 'The bar.', resolve: (e) => e.node }),
  }),
});

const BarConnection = builder.objectRef<BarConnectionRef>('BarConnection').implement({
  description:
    'A page of bars in time order (also when read backward with `last`). edges, nodes and pageInfo are null, with an INVALID_DATA error naming the file (extensions.key), ' +
    'when a file the page needs cannot be read; the rest of the query still answers.',
  fields: (t) => ({
    edges: t.field({
      type: [BarEdge],
      nullable: true,
      description: "The page's bars with their cursors.",
      resolve: async (c) => {
        const page = await c.page();
        return page.bars.map((node, i) => ({ cursor: page.cursors[i], node }));
      },
    }),
    nodes: t.field({
      type: [BarObject],
      nullable: true,
      description: "The page's bars, without cursors.",
      resolve: async (c) => (await c.page()).bars,
    }),
    pageInfo: t.field({
      type: PageInfo,
      nullable: true,
      description: 'Whether bars follow (hasNextPage, endCursor) or precede (hasPreviousPage, startCursor) this page.',
      resolve: async (c) => {
        const page = await c.page();
        return {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: page.hasPreviousPage,
          startCursor: page.cursors[0] ?? null,
          endCursor: page.cursors.at(-1) ?? null,
        };
      },
    }),
  }),
});

/**
 * How the cost estimate (src/http/cost.ts) counts a bars page: at its own limit, not
 * LAKEQL_MAX_PAGE_SIZE, and each bar weighted by timeframe. A minute bar is a row decoded from a
 * month's minute file; coarser bars come from one small daily file a year.
 */
const BARS_COST = {
  maxPageSize: MAX_BARS_PAGE,
  defaultPageSize: DEFAULT_BARS_PAGE,
  weightArgument: 'timeframe',
  weights: { MINUTE: 1, HOUR: 60, DAY: 0.5, WEEK: 0.5, MONTH: 0.5, QUARTER: 0.5, YEAR: 0.5 },
  // A bar folds `every` minute rows (60 per hour), but what a page costs is mostly the bars and
  // fields it serves: decoding is bounded by the month files its range spans, at ~4 M rows/s. So a
  // wider bar counts as the minute rows it folds up to 4, and a default page (1,000) of hourly
  // bars with every field stays far under the default limit; first: 10000 of them does not.
  multiplierArgument: 'every',
  multiplierMax: MAX_EVERY.MINUTE,
  maxItemWeight: 4,
};

const PAGING =
  `At most ${MAX_BARS_PAGE} bars a page (default: the first ${DEFAULT_BARS_PAGE}); a cursor names a bar's start, so it stays valid as files change. ` +
  '`first`/`after` page forward from the start of the range; `last`/`before` page backward from its end, reading only the last files and row groups the page needs ' +
  '(the page itself is still in time order). Cursors serve both directions; `first` with `last` is a BAD_USER_INPUT error.';

/** What the paging arguments of both bars fields say (Relay cursor connections, both directions). */
const PAGING_ARGS_DOC = {
  first: `The first bars of the range (after \`after\`), 1–${MAX_BARS_PAGE}; ${DEFAULT_BARS_PAGE} when neither first nor last is given.`,
  after:
    'Only bars after this cursor (endCursor of the previous page). Cursors are times: valid whatever the adjustment.',
  last: `The last bars of the range (before \`before\`), 1–${MAX_BARS_PAGE}, read from its end.`,
  before: 'Only bars before this cursor (startCursor of the following page).',
};

/** The arguments of Symbol.bars and SymbolYear.bars (range, bar shape, paging, adjustment); each call makes its own refs. */
function barsArgs() {
  return builder.args((t) => ({
    from: t.field({ type: 'Date', description: 'First trading date, inclusive.' }),
    to: t.field({ type: 'Date', description: 'Last trading date, inclusive.' }),
    timeframe: t.field({ type: TimeframeEnum, required: true, defaultValue: 'DAY', description: 'Bar width.' }),
    every: t.int({ defaultValue: 1, description: EVERY_DOC }),
    session: t.field({ type: TradingSessionEnum, required: true, defaultValue: 'EXTENDED', description: SESSION_DOC }),
    first: t.int({ description: PAGING_ARGS_DOC.first }),
    after: t.string({ description: PAGING_ARGS_DOC.after }),
    last: t.int({ description: PAGING_ARGS_DOC.last }),
    before: t.string({ description: PAGING_ARGS_DOC.before }),
    adjustment: t.field({
      type: AdjustmentEnum,
      required: true,
      defaultValue: 'RAW',
      description: ADJUSTMENT_ARGS_DOC.adjustment,
    }),
    asOf: t.field({ type: 'Date', description: ADJUSTMENT_ARGS_DOC.asOf }),
  }));
}

builder.objectField(SymbolObject, 'bars', (t) =>
  t.field({
    type: BarConnection,
    description: `Bars over the whole history, or [from, to]; only the files the range needs are read. ${PAGING}`,
    args: barsArgs(),
    extensions: { cost: BARS_COST },
    resolve: (s, args, ctx) => bars.symbolBars(ctx, s, args),
  }),
);

builder.objectField(SymbolObject, 'latestBar', (t) =>
  t.field({
    type: BarObject,
    nullable: true,
    description:
      "The newest bar of the whole history (null when there is none): `bars(last: 1)`, reading only the last file's footer and last row group.",
    args: {
      timeframe: t.arg({
        type: TimeframeEnum,
        required: true,
        defaultValue: 'DAY',
        description: 'Bar width: the newest week is the current, possibly unfinished, one.',
      }),
      adjustment: t.arg({
        type: AdjustmentEnum,
        required: true,
        defaultValue: 'RAW',
        description: ADJUSTMENT_ARGS_DOC.adjustment,
      }),
      asOf: t.arg({ type: 'Date', description: ADJUSTMENT_ARGS_DOC.asOf }),
    },
    resolve: (s, args, ctx) => bars.latestBar(ctx, s, args),
  }),
);

builder.objectField(SymbolYear, 'bars', (t) =>
  t.field({
    type: BarConnection,
    description: `Bars of this calendar year only: a week crossing the year is cut at it. ${PAGING}`,
    args: barsArgs(),
    extensions: { cost: BARS_COST },
    resolve: (y, args, ctx) => bars.yearBars(ctx, y, args),
  }),
);

const ParquetColumn = builder.objectRef<{ name: string; type: string }>('ParquetColumn').implement({
  description:
    'A column of a Parquet file as its footer declares it, e.g. `close DOUBLE`, `date DATE`, `ts TIMESTAMP(MICROS,UTC)`.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Column name, e.g. `close`.' }),
    type: t.exposeString('type', { description: 'Physical or logical type as the footer declares it, e.g. `DOUBLE`.' }),
  }),
});

builder.objectFields(TickFile, (t) => ({
  rowCount: t.field({
    type: 'SafeInt',
    nullable: true,
    description:
      'Rows, from the Parquet footer (range reads only). Null with an INVALID_DATA error when the file is not Parquet.',
    resolve: async (f, _a, ctx) => (await bars.fileInfo(ctx, f)).rowCount,
  }),
  columns: t.field({
    type: [ParquetColumn],
    nullable: true,
    description:
      'Columns from the Parquet footer (range reads only). Null with an INVALID_DATA error when the file is not Parquet.',
    resolve: async (f, _a, ctx) => (await bars.fileInfo(ctx, f)).columns,
  }),
  firstDate: t.field({
    type: 'Date',
    nullable: true,
    description: "Earliest trading date, from the time column's statistics; null when the writer kept none.",
    resolve: (f, _a, ctx) => bars.fileDate(ctx, f, 'first'),
  }),
  lastDate: t.field({
    type: 'Date',
    nullable: true,
    description: "Latest trading date, from the time column's statistics; null when the writer kept none.",
    resolve: (f, _a, ctx) => bars.fileDate(ctx, f, 'last'),
  }),
}));
