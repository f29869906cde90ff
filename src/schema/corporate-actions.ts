// Corporate actions: Split, CashDividend, Symbol.corporateActions and the putCorporateActions mutation.
import type { CashDividend, Split } from '../lake/actions/parse.js';
import * as resolvers from '../resolvers/corporate-actions.js';
import type { CorporateActionRef, CorporateActionsRef } from '../resolvers/corporate-actions.js';
import { builder } from './builder.js';
import { SymbolObject } from './symbol.js';
import { StoredObjectRef, WriteMode } from './uploads.js';

const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

const SplitObject = builder.objectRef<Split>('Split').implement({
  description:
    'A stock split effective at the open of exDate: `from` shares became `to` (10-for-1: from 1, to 10; a 1-for-10 reverse split: from 10, to 1).',
  fields: (t) => ({
    exDate: t.field({
      type: 'Date',
      description: 'First trading date (New York) on which the shares trade split.',
      resolve: (s) => new Date(s.exDate),
    }),
    from: t.float({ description: 'Shares before the split (1 in a 10-for-1).', resolve: (s) => s.from }),
    to: t.float({ description: 'Shares after the split (10 in a 10-for-1).', resolve: (s) => s.to }),
    ratio: t.float({
      description: 'to / from: what earlier prices are divided by and earlier volumes multiplied by.',
      resolve: (s) => s.to / s.from,
    }),
  }),
});

const CashDividendObject = builder.objectRef<CashDividend>('CashDividend').implement({
  description: 'A cash dividend per share as held on the ex-date. Dates the document lacks are null.',
  fields: (t) => ({
    exDate: t.field({
      type: 'Date',
      description: 'First trading date (New York) on which the shares trade without the dividend.',
      resolve: (d) => new Date(d.exDate),
    }),
    amount: t.float({
      description: 'Cash per share, in `currency` (US dollars for US equities when the document names none).',
      resolve: (d) => d.amount,
    }),
    currency: t.string({
      nullable: true,
      description: 'ISO 4217 code of the amount, when the document names it.',
      resolve: (d) => d.currency ?? null,
    }),
    declarationDate: t.field({
      type: 'Date',
      nullable: true,
      description: 'When the dividend was declared.',
      resolve: (d) => date(d.declarationDate),
    }),
    recordDate: t.field({
      type: 'Date',
      nullable: true,
      description: 'Holders of record on this date receive it.',
      resolve: (d) => date(d.recordDate),
    }),
    payDate: t.field({
      type: 'Date',
      nullable: true,
      description: 'When it is paid.',
      resolve: (d) => date(d.payDate),
    }),
  }),
});

const CorporateAction = builder.unionType('CorporateAction', {
  description: 'A split or a cash dividend.',
  types: [SplitObject, CashDividendObject],
  resolveType: (event) => ((event as CorporateActionRef).kind === 'split' ? SplitObject : CashDividendObject),
});

const CorporateActionsObject = builder.objectRef<CorporateActionsRef>('CorporateActions').implement({
  description:
    'Splits and cash dividends from data/corporate-actions/{SYMBOL}/{YEAR}/actions.json, each list by ex-date.',
  fields: (t) => ({
    splits: t.field({ type: [SplitObject], description: 'Splits by ex-date.', resolve: (a) => a.splits }),
    dividends: t.field({
      type: [CashDividendObject],
      description: 'Cash dividends by ex-date.',
      resolve: (a) => a.dividends,
    }),
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
    args: {
      from: t.arg({ type: 'Date', description: 'Earliest ex-date, inclusive.' }),
      to: t.arg({ type: 'Date', description: 'Latest ex-date, inclusive.' }),
    },
    resolve: (s, args, ctx) => resolvers.corporateActions(ctx, s, args),
  }),
);

const SplitInput = builder.inputType('SplitInput', {
  description: 'A split to write: `from` shares become `to` at the open of exDate.',
  fields: (t) => ({
    exDate: t.field({ type: 'Date', required: true, description: 'Ex-date, inside the year written.' }),
    from: t.float({ required: true, description: 'Shares before, > 0.' }),
    to: t.float({ required: true, description: 'Shares after, > 0.' }),
  }),
});

const CashDividendInput = builder.inputType('CashDividendInput', {
  description: 'A cash dividend to write.',
  fields: (t) => ({
    exDate: t.field({ type: 'Date', required: true, description: 'Ex-date, inside the year written.' }),
    amount: t.float({ required: true, description: 'Per share, > 0.' }),
    currency: t.string({ description: 'ISO 4217 code, e.g. USD.' }),
    declarationDate: t.field({ type: 'Date', description: 'When it was declared, if known.' }),
    recordDate: t.field({ type: 'Date', description: 'Record date, if known.' }),
    payDate: t.field({ type: 'Date', description: 'Payment date, if known.' }),
  }),
});

const CorporateActionsInput = builder.inputType('CorporateActionsInput', {
  description: "One year's splits and dividends to write.",
  fields: (t) => ({
    splits: t.field({ type: [SplitInput], description: 'Splits of the year.' }),
    dividends: t.field({ type: [CashDividendInput], description: 'Cash dividends of the year.' }),
  }),
});

const CorporateActionsWritten = builder
  .objectRef<Awaited<ReturnType<typeof resolvers.putCorporateActions>>>('CorporateActionsWritten')
  .implement({
    description: 'What putCorporateActions wrote.',
    fields: (t) => ({
      object: t.field({
        type: StoredObjectRef,
        description: 'The document as stored (key, size, ETag).',
        resolve: (w) => w,
      }),
      actions: t.field({
        type: CorporateActionsObject,
        description: "The year's document after the write.",
        resolve: (w) => w.actions,
      }),
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
      ticker: t.arg.string({ required: true, description: 'The symbol, e.g. NVDA.' }),
      year: t.arg.int({
        required: true,
        description: 'The year whose document is written; every ex-date must lie in it.',
      }),
      input: t.arg({ type: CorporateActionsInput, required: true, description: 'The events to write.' }),
      mode: t.arg({
        type: WriteMode,
        defaultValue: 'MERGE',
        description: 'MERGE with the stored events (default) or REPLACE them.',
      }),
    },
    resolve: (_r, a, ctx) =>
      resolvers.putCorporateActions(ctx, { ticker: a.ticker, year: a.year, input: a.input, mode: a.mode ?? 'MERGE' }),
  }),
}));
