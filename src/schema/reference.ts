// Symbol's reference fields (name, exchange, type, currency) from data/reference/symbols.json; null where the lake has none.
import { reference } from '../resolvers/reference.js';
import { builder } from './builder.js';
import { SymbolObject } from './symbol.js';

builder.objectFields(SymbolObject, (t) => ({
  name: t.string({
    nullable: true,
    description: 'Company or fund name, e.g. "Apple Inc.", from data/reference/symbols.json.',
    resolve: async (s, _a, ctx) => (await reference(ctx, s.ticker))?.name ?? null,
  }),
  exchange: t.string({
    nullable: true,
    description: 'Primary listing exchange as the reference file names it (a MIC such as XNAS, or a name).',
    resolve: async (s, _a, ctx) => (await reference(ctx, s.ticker))?.exchange ?? null,
  }),
  type: t.string({
    nullable: true,
    description: 'Security type as the reference file names it, e.g. CS (common stock) or ETF.',
    resolve: async (s, _a, ctx) => (await reference(ctx, s.ticker))?.type ?? null,
  }),
  currency: t.string({
    nullable: true,
    description: 'Trading currency, e.g. USD.',
    resolve: async (s, _a, ctx) => (await reference(ctx, s.ticker))?.currency ?? null,
  }),
}));
