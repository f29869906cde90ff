// Symbol and SymbolYear, and the Query fields that find them.
import { DEFAULT_PAGE_SIZE } from '../resolvers/limits.js';
import * as catalog from '../resolvers/catalog.js';
import { searchSymbols } from '../resolvers/reference.js';
import { symbolsByTickers } from '../resolvers/ticker-list.js';
import type { SymbolRef, SymbolYearRef } from '../resolvers/catalog.js';
import { builder } from './builder.js';
import { checkFirst, connectionType } from './connection.js';
import { badInput } from './errors.js';
import { Fundamentals } from './fundamentals.js';
import { ResolutionEnum } from './resolution.js';
import { TickFile } from './tick-file.js';

export const SymbolYear = builder.objectRef<SymbolYearRef>('SymbolYear').implement({
  description: 'One year of one symbol: its tick files and fundamentals.',
  fields: (t) => ({
    symbol: t.string({ description: 'Ticker.', resolve: (y) => y.ticker }),
    year: t.int({ description: 'Calendar year.', resolve: (y) => y.year }),
    tickFiles: t.field({
      type: [TickFile],
      description: 'Every daily and minute tick file of the year.',
      resolve: (y) => catalog.tickFiles(y),
    }),
    tickFile: t.field({
      type: TickFile,
      nullable: true,
      description: 'One tick file of the year; null when the lake holds none.',
      args: {
        resolution: t.arg({ type: ResolutionEnum, defaultValue: 'DAILY', description: 'Daily or minute file.' }),
        month: t.arg.int({ description: 'For MINUTE: which month (1–12); the first month held when omitted.' }),
      },
      resolve: (y, args) => catalog.tickFile(y, args.resolution ?? 'DAILY', args.month),
    }),
    fundamentals: t.field({
      type: [Fundamentals],
      description: "The year's quarterly fundamentals, by quarter.",
      args: { quarter: t.arg.int({ description: 'Only this quarter, 1–4.' }) },
      resolve: (y, args) => catalog.fundamentalsOfYear(y, args.quarter),
    }),
  }),
});

export const SymbolObject = builder.objectRef<SymbolRef>('Symbol').implement({
  description: 'A ticker the lake holds any data for.',
  fields: (t) => ({
    ticker: t.exposeString('ticker', { description: "The ticker as the lake's keys spell it, e.g. AAPL or BRK.B." }),
    years: t.field({
      type: [SymbolYear],
      description: 'Years with any daily, minute or fundamental data, ascending.',
      resolve: (s, _a, ctx) => catalog.years(ctx, s),
    }),
    year: t.field({
      type: SymbolYear,
      nullable: true,
      description: 'One year; null when the lake holds nothing for it.',
      args: { year: t.arg.int({ required: true, description: 'Calendar year, e.g. 2024.' }) },
      resolve: (s, args, ctx) => catalog.year(ctx, s, args.year),
    }),
    fundamentals: t.field({
      type: [Fundamentals],
      description: 'Quarterly fundamentals, by year then quarter.',
      args: {
        year: t.arg.int({ description: 'Only this year.' }),
        quarter: t.arg.int({ description: 'Only this quarter, 1–4.' }),
      },
      resolve: (s, args, ctx) => catalog.fundamentalsOfSymbol(ctx, s, args),
    }),
  }),
});

const SymbolConnection = connectionType('Symbol', SymbolObject);

builder.objectField(SymbolConnection, 'totalCount', (t) =>
  t.int({
    description:
      'Symbols matching `prefix` in the whole lake, not just this page (from the catalog index when it is on); with `tickers`, the tickers asked for that the lake holds.',
    resolve: (c) => (c as { totalCount?: () => Promise<number> }).totalCount?.() ?? 0,
  }),
);

builder.objectField(SymbolConnection, 'unknownTickers', (t) =>
  t.stringList({
    description:
      'With `tickers`: the tickers asked for that the lake holds nothing for, normalized (upper case), in the order given. Empty otherwise.',
    resolve: (c) => (c as { unknownTickers?: string[] }).unknownTickers ?? [],
  }),
);

builder.queryFields((t) => ({
  symbols: t.field({
    type: SymbolConnection,
    description:
      'Symbols in S3 key order (so BRK.B precedes BRK: "." sorts before "/"). `first` is capped by LAKEQL_MAX_PAGE_SIZE. ' +
      'With `tickers`: exactly those symbols, in the order given, each read with its bars in one request (`symbols(tickers: ["AAPL", "MSFT"]) { nodes { ticker bars { nodes { close } } } }`); ' +
      "tickers the lake holds nothing for are left out of `nodes` and listed in `unknownTickers`. The query cost counts each ticker's fields, bars pages included.",
    extensions: { cost: { listArgument: 'tickers' } },
    args: {
      tickers: t.arg.stringList({
        description:
          'Exactly these tickers (case-insensitive), in this order; at most LAKEQL_MAX_SYMBOLS (default 100). A malformed, empty or repeated ticker, or too many, is a BAD_USER_INPUT error naming it. ' +
          'Instead of `prefix` and `query`; `first`/`after` page through the list.',
      }),
      prefix: t.arg.string({ description: 'Only tickers starting with this (case-insensitive).' }),
      query: t.arg.string({
        description:
          'Search: tickers starting with it, or names (from data/reference/symbols.json) with a word starting with each of its words, case-insensitive ("apple" finds AAPL). Instead of `prefix`.',
      }),
      first: t.arg.int({ defaultValue: DEFAULT_PAGE_SIZE, description: 'Symbols per page, 1–LAKEQL_MAX_PAGE_SIZE.' }),
      after: t.arg.string({ description: 'endCursor of the previous page.' }),
    },
    resolve: (_r, args, ctx) => {
      const first = checkFirst(args.first ?? DEFAULT_PAGE_SIZE, ctx.services.config.maxPageSize);
      if (args.tickers) {
        if (args.prefix != null || args.query != null)
          throw badInput('tickers cannot be combined with prefix or query', { argument: 'tickers' });
        return symbolsByTickers(ctx, { tickers: args.tickers, first, after: args.after });
      }
      if (args.query?.trim()) return searchSymbols(ctx, { query: args.query.slice(0, 200), first, after: args.after });
      return catalog.symbols(ctx, { ...args, first });
    },
  }),
  symbol: t.field({
    type: SymbolObject,
    nullable: true,
    description: 'Null when the lake holds nothing for the ticker; a malformed ticker is a BAD_USER_INPUT error.',
    args: { ticker: t.arg.string({ required: true, description: 'Ticker, e.g. AAPL.' }) },
    resolve: (_r, args, ctx) => catalog.symbol(ctx, args.ticker),
  }),
}));
