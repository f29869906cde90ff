// Corporate actions: Split, CashDividend, Symbol.corporateActions and the putCorporateActions mutation.
import type { CashDividend, Split } from '../lake/actions/parse.js';
import * as resolvers from '../resolvers/corporate-actions.js';
import type { CorporateActionRef, CorporateActionsRef } from '../resolvers/corporate-actions.js';
import { builder } from './builder.js';
import { SymbolObject } from './symbol.js';
import { StoredObjectRef, WriteMode } from './uploads.js';

const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

const SplitObject = builder.objectRef<Split>('Split').implement({
  description: 'A stock split effective at the open of exDate: `from` shares became `to` (10-for-1: from 1, to 10; a 1-for-10 reverse split: from 10, to 1).',
  fields: (t) => ({
    exDate: t.field({ type: 'Date', resolve: (s) => new Date(s.exDate) }),
    from: t.float({ resolve: (s) => s.from }),
    to: t.float({ resolve: (s) => s.to }),
    ratio: t.float({ description: 'to / from: what earlier prices are divided by and earlier volumes multiplied by.', resolve: (s) => s.to / s.from }),
  }),
});

const CashDividendObject = builder.objectRef<CashDividend>('CashDividend').implement({
  description: 'A cash dividend per share as held on the ex-date. Dates the document lacks are null.',
  fields: (t) => ({
    exDate: t.field({ type: 'Date', resolve: (d) => new Date(d.exDate) }),
    amount: t.float({ resolve: (d) => d.amount }),
    currency: t.string({ nullable: true, resolve: (d) => d.currency ?? null }),
    declarationDate: t.field({ type: 'Date', nullable: true, resolve: (d) => date(d.declarationDate) }),
    recordDate: t.field({ type: 'Date', nullable: true, resolve: (d) => date(d.recordDate) }),
    payDate: t.field({ type: 'Date', nullable: true, resolve: (d) => date(d.payDate) }),
  }),
});

const CorporateAction = builder.unionType('CorporateAction', {
  types: [SplitObject, CashDividendObject],
  resolveType: (event) => ((event as CorporateActionRef).kind === 'split' ? SplitObject : CashDividendObject),
});

const CorporateActionsObject = builder.objectRef<CorporateActionsRef>('CorporateActions').implement({
  description: 'Splits and cash dividends from data/corporate-actions/{SYMBOL}/{YEAR}/actions.json, each list by ex-date.',
  fields: (t) => ({
    splits: t.field({ type: [SplitObject], resolve: (a) => a.splits }),
    dividends: t.field({ type: [CashDividendObject], resolve: (a) => a.dividends }),
    events: t.field({
      type: [CorporateAction],
      description: 'Splits and dividends in one list by ex-date (a split before a dividend of the same date).',
      resolve: (a) => resolvers.events(a) as never,
    }),
  }),
});

builder.objectField(SymbolObject, 'corporateActions', (t) =>
  t.field({
    type: CorporateActionsObject,
    description:
      'Splits and cash dividends with an ex-date in [from, to] (inclusive; unbounded when omitted). A malformed document is an INVALID_DATA error naming its key.',
    args: { from: t.arg({ type: 'Date' }), to: t.arg({ type: 'Date' }) },
    resolve: (s, args, ctx) => resolvers.corporateActions(ctx, s, args),
  }),
);

const SplitInput = builder.inputType('SplitInput', {
  fields: (t) => ({
    exDate: t.field({ type: 'Date', required: true }),
    from: t.float({ required: true, description: 'Shares before, > 0.' }),
    to: t.float({ required: true, description: 'Shares after, > 0.' }),
  }),
});

const CashDividendInput = builder.inputType('CashDividendInput', {
  fields: (t) => ({
    exDate: t.field({ type: 'Date', required: true }),
    amount: t.float({ required: true, description: 'Per share, > 0.' }),
    currency: t.string({ description: 'ISO 4217 code, e.g. USD.' }),
    declarationDate: t.field({ type: 'Date' }),
    recordDate: t.field({ type: 'Date' }),
    payDate: t.field({ type: 'Date' }),
  }),
});

const CorporateActionsInput = builder.inputType('CorporateActionsInput', {
  fields: (t) => ({
    splits: t.field({ type: [SplitInput] }),
    dividends: t.field({ type: [CashDividendInput] }),
  }),
});

const CorporateActionsWritten = builder.objectRef<Awaited<ReturnType<typeof resolvers.putCorporateActions>>>('CorporateActionsWritten').implement({
  fields: (t) => ({
    object: t.field({ type: StoredObjectRef, resolve: (w) => w }),
    actions: t.field({ type: CorporateActionsObject, description: 'The year\'s document after the write.', resolve: (w) => w.actions }),
  }),
});

builder.mutationFields((t) => ({
  putCorporateActions: t.field({
    type: CorporateActionsWritten,
    description:
      'Writes data/corporate-actions/{TICKER}/{YEAR}/actions.json (metadata symbol, year, data-type=corporate-actions). Every ex-date must lie in `year`, ' +
      'with at most one split and one dividend per date (BAD_USER_INPUT otherwise). MERGE (default) keeps the stored events and replaces those of the same ' +
      'kind and ex-date; a stored document that cannot be read fails the write with INVALID_DATA. REPLACE writes exactly the events given.',
    args: {
      ticker: t.arg.string({ required: true }),
      year: t.arg.int({ required: true }),
      input: t.arg({ type: CorporateActionsInput, required: true }),
      mode: t.arg({ type: WriteMode, defaultValue: 'MERGE' }),
    },
    resolve: (_r, a, ctx) => resolvers.putCorporateActions(ctx, { ticker: a.ticker, year: a.year, input: a.input, mode: a.mode ?? 'MERGE' }),
  }),
}));
