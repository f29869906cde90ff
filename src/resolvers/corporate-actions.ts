// Corporate-actions resolvers: a symbol's splits and dividends over a date range, and the write of one year's document.
import type { CashDividend, CorporateActions, Split } from '../lake/actions/parse.js';
import { putCorporateActions as put, readSymbolActions, type ActionsWriteMode } from '../lake/actions/store.js';
import { checkRange } from '../lake/bars/query.js';
import type { Context } from './context.js';
import type { SymbolRef } from './catalog.js';

export type CorporateActionRef = ({ kind: 'split' } & Split) | ({ kind: 'dividend' } & CashDividend);

export interface CorporateActionsRef {
  splits: Split[];
  dividends: CashDividend[];
}

export async function corporateActions(
  ctx: Context,
  parent: SymbolRef,
  args: { from?: Date | null; to?: Date | null },
): Promise<CorporateActionsRef> {
  const from = args.from?.getTime() ?? -Infinity;
  const to = args.to?.getTime() ?? Infinity;
  checkRange({ from: args.from?.getTime(), to: args.to?.getTime() });
  const index = await ctx.loaders.symbolIndex.load(parent.ticker);
  const actions = await readSymbolActions(ctx.services.store, index);
  const within = (e: { exDate: number }) => e.exDate >= from && e.exDate <= to;
  return { splits: actions.splits.filter(within), dividends: actions.dividends.filter(within) };
}

/** Splits and dividends in one list by ex-date; on one date a split comes first. */
export function events(actions: CorporateActionsRef): CorporateActionRef[] {
  const all: CorporateActionRef[] = [
    ...actions.splits.map((s) => ({ kind: 'split' as const, ...s })),
    ...actions.dividends.map((d) => ({ kind: 'dividend' as const, ...d })),
  ];
  return all.sort((a, b) => a.exDate - b.exDate || (a.kind === b.kind ? 0 : a.kind === 'split' ? -1 : 1));
}

export interface SplitInput {
  exDate: Date;
  from: number;
  to: number;
}
export interface CashDividendInput {
  exDate: Date;
  amount: number;
  currency?: string | null;
  declarationDate?: Date | null;
  recordDate?: Date | null;
  payDate?: Date | null;
}

export async function putCorporateActions(
  ctx: Context,
  args: {
    ticker: string;
    year: number;
    input: { splits?: SplitInput[] | null; dividends?: CashDividendInput[] | null };
    mode: ActionsWriteMode;
  },
) {
  const actions: CorporateActions = {
    splits: (args.input.splits ?? []).map((s) => ({ exDate: s.exDate.getTime(), from: s.from, to: s.to })),
    dividends: (args.input.dividends ?? []).map((d) => ({
      exDate: d.exDate.getTime(),
      amount: d.amount,
      ...(d.currency != null ? { currency: d.currency.toUpperCase() } : {}),
      ...(d.declarationDate != null ? { declarationDate: d.declarationDate.getTime() } : {}),
      ...(d.recordDate != null ? { recordDate: d.recordDate.getTime() } : {}),
      ...(d.payDate != null ? { payDate: d.payDate.getTime() } : {}),
    })),
  };
  return put(ctx.services.store, { symbol: args.ticker, year: args.year, actions, mode: args.mode });
}
