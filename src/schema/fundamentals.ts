// Fundamentals: one quarter's JSON document, with the common figures lifted into typed fields.
import * as catalog from '../resolvers/catalog.js';
import type { FundamentalsRef } from '../resolvers/catalog.js';
import { DEFAULT_URL_EXPIRY } from '../resolvers/limits.js';
import { builder } from './builder.js';

export const Fundamentals = builder.objectRef<FundamentalsRef>('Fundamentals').implement({
  description:
    'data/fundamental/{SYMBOL}/{YEAR}/Q{N}.json. Typed fields read snake_case or camelCase names; `data` is the whole document.',
  fields: (t) => ({
    symbol: t.string({ description: 'Ticker, from the key.', resolve: (f) => f.symbol }),
    year: t.int({ description: 'Fiscal year, from the key.', resolve: (f) => f.year }),
    quarter: t.int({ description: 'Fiscal quarter 1–4, from the key (Q{N}.json).', resolve: (f) => f.quarter }),
    key: t.string({ description: 'Object key of the JSON document.', resolve: (f) => f.object.key }),
    size: t.field({ type: 'SafeInt', description: 'Bytes.', resolve: (f) => f.object.size }),
    lastModified: t.field({
      type: 'DateTime',
      description: 'When the object was last written (UTC), from the listing.',
      resolve: (f) => f.object.lastModified,
    }),
    revenue: t.float({
      nullable: true,
      description:
        "The quarter's revenue as the document states it (`revenue`), in its currency: US dollars for US equities. Null when absent or not a number.",
      resolve: (f, _a, ctx) => catalog.fundamentalsNumber(ctx, f, 'revenue'),
    }),
    netIncome: t.float({
      nullable: true,
      description:
        "The quarter's net income as the document states it (`net_income` or `netIncome`), in its currency: US dollars for US equities. Null when absent or not a number.",
      resolve: (f, _a, ctx) => catalog.fundamentalsNumber(ctx, f, 'net_income', 'netIncome'),
    }),
    eps: t.float({
      nullable: true,
      description:
        'Earnings per share for the quarter as the document states it (`eps`), in its currency per share: US dollars for US equities. Null when absent or not a number.',
      resolve: (f, _a, ctx) => catalog.fundamentalsNumber(ctx, f, 'eps'),
    }),
    data: t.field({
      type: 'JSON',
      description: 'The whole JSON document, as stored.',
      resolve: (f, _a, ctx) => catalog.fundamentalsData(ctx, f),
    }),
    downloadUrl: t.string({
      description:
        'A URL that GETs the JSON document without credentials until it expires: presigned on S3, signed by lakeql on a directory lake.',
      args: {
        expiresIn: t.arg.int({
          defaultValue: DEFAULT_URL_EXPIRY,
          description: 'Seconds, at most LAKEQL_MAX_URL_EXPIRY.',
        }),
      },
      resolve: (f, args, ctx) => catalog.downloadUrl(ctx, f.object.key, args.expiresIn ?? DEFAULT_URL_EXPIRY),
    }),
  }),
});
