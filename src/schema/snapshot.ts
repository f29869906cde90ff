// The market overview: Query.snapshot, each symbol's last daily bar at or before a date with its change against the previous close.
import type { SnapshotRow } from '../lake/bars/snapshot.js';
import { DEFAULT_PAGE_SIZE } from '../resolvers/limits.js';
import * as resolvers from '../resolvers/snapshot.js';
import type { SnapshotPage } from '../resolvers/snapshot.js';
import { builder } from './builder.js';
import { checkFirst, PageInfo } from './connection.js';

const SnapshotRowObject = builder.objectRef<SnapshotRow>('SnapshotRow').implement({
  description:
    'One symbol in the market overview: its last daily bar at or before the date asked for, and the change against the trading day before it in the lake.',
  fields: (t) => ({
    ticker: t.exposeString('ticker', { description: 'The symbol, as the lake spells it.' }),
    date: t.field({
      type: 'Date',
      description: 'Trading date (New York) of the bar.',
      resolve: (r) => new Date(r.time),
    }),
    open: t.float({
      nullable: true,
      description: "Opening price of that day, in the file's currency (US dollars for US equities).",
      resolve: (r) => r.open,
    }),
    high: t.float({ nullable: true, description: 'Highest price of that day.', resolve: (r) => r.high }),
    low: t.float({ nullable: true, description: 'Lowest price of that day.', resolve: (r) => r.low }),
    close: t.float({
      description: 'Closing price of that day: the "last price" of the overview.',
      resolve: (r) => r.close,
    }),
    volume: t.float({ nullable: true, description: 'Shares traded that day.', resolve: (r) => r.volume }),
    previousClose: t.float({
      nullable: true,
      description: "Close of the previous trading day in the lake; null for a symbol's first bar.",
      resolve: (r) => r.previousClose,
    }),
    change: t.float({
      nullable: true,
      description: 'close − previousClose, in price units.',
      resolve: (r) => r.change,
    }),
    changePercent: t.float({
      nullable: true,
      description: 'change ÷ previousClose × 100 (2.5 means +2.5 %).',
      resolve: (r) => r.changePercent,
    }),
  }),
});

const SnapshotEdge = builder.objectRef<{ cursor: string; node: SnapshotRow }>('SnapshotEdge').implement({
  description: 'A row of the overview and the cursor that pages after it.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass as `after` for the rows that follow, in the same order.' }),
    node: t.field({ type: SnapshotRowObject, description: 'The row.', resolve: (e) => e.node }),
  }),
});

const SnapshotConnection = builder.objectRef<SnapshotPage>('SnapshotConnection').implement({
  description: 'A page of the market overview (a Relay connection).',
  fields: (t) => ({
    edges: t.field({ type: [SnapshotEdge], description: 'Rows with their cursors.', resolve: (c) => c.edges }),
    nodes: t.field({
      type: [SnapshotRowObject],
      description: 'The rows alone.',
      resolve: (c) => c.edges.map((e) => e.node),
    }),
    pageInfo: t.field({
      type: PageInfo,
      description: 'Whether more rows follow, and the cursor to ask for them.',
      resolve: (c) => c.pageInfo,
    }),
    totalCount: t.exposeInt('totalCount', {
      description: 'Rows in the whole overview: symbols with a bar at or before the date.',
    }),
    unknownTickers: t.exposeStringList('unknownTickers', {
      description: 'Tickers asked for that have no daily bars in the lake, in the order given.',
    }),
  }),
});

const SnapshotOrderField = builder.enumType('SnapshotOrderField', {
  description: 'What the overview is sorted by; ties (and nulls, always last) fall back to the ticker.',
  values: {
    TICKER: { description: 'Alphabetical by ticker.' },
    CHANGE_PERCENT: { description: 'Change against the previous close, in percent.' },
    CHANGE: { description: 'Change against the previous close, in price units.' },
    VOLUME: { description: 'Shares traded on the day.' },
    CLOSE: { description: 'Closing price.' },
  },
});

const OrderDirection = builder.enumType('OrderDirection', {
  description: 'Sort direction.',
  values: { ASC: { description: 'Smallest first.' }, DESC: { description: 'Largest first.' } },
});

const SnapshotOrder = builder.inputType('SnapshotOrder', {
  description: 'Sort order of the market overview.',
  fields: (t) => ({
    field: t.field({ type: SnapshotOrderField, required: true, description: 'What to sort by.' }),
    direction: t.field({ type: OrderDirection, defaultValue: 'ASC', description: 'ASC (default) or DESC.' }),
  }),
});

builder.queryFields((t) => ({
  snapshot: t.field({
    type: SnapshotConnection,
    description:
      'The market overview: per symbol, the last daily bar at or before `date` with previous close, change and change %. ' +
      "Each symbol costs its file's footer and last row group (the one before it when the bar opens a group), read concurrently and cached.",
    args: {
      date: t.arg({
        type: 'Date',
        description: 'As of this trading date (New York); default: the newest bar of each symbol.',
      }),
      tickers: t.arg.stringList({
        description: `Only these symbols (at most ${resolvers.MAX_SNAPSHOT_TICKERS}); default: every symbol with daily bars. Unknown ones are listed in unknownTickers.`,
      }),
      orderBy: t.arg({ type: SnapshotOrder, description: 'Default: by ticker, ascending.' }),
      first: t.arg.int({
        defaultValue: DEFAULT_PAGE_SIZE,
        description: 'Rows per page, at most LAKEQL_MAX_PAGE_SIZE.',
      }),
      after: t.arg.string({ description: 'The endCursor of the previous page.' }),
    },
    resolve: (_r, args, ctx) =>
      resolvers.snapshot(ctx, {
        date: args.date,
        tickers: args.tickers,
        orderBy: { field: args.orderBy?.field ?? 'TICKER', direction: args.orderBy?.direction ?? 'ASC' },
        first: checkFirst(args.first ?? DEFAULT_PAGE_SIZE, ctx.services.config.maxPageSize),
        after: args.after,
      }),
  }),
}));
