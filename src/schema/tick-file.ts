// TickFile: one Parquet object of bars, described from its listing entry; HEAD only for metadata and content type.
import * as catalog from '../resolvers/catalog.js';
import type { TickFileRef } from '../resolvers/catalog.js';
import { DEFAULT_URL_EXPIRY } from '../resolvers/limits.js';
import { builder } from './builder.js';
import { ResolutionEnum } from './resolution.js';

export const TickFile = builder.objectRef<TickFileRef>('TickFile').implement({
  description:
    'A Parquet file of bars in the lake. Size, ETag and date come from the listing; metadata and contentType cost one (batched) HEAD.',
  fields: (t) => ({
    key: t.string({
      description: 'Object key, e.g. data/ticks/daily/AAPL/2024/ticks.parquet.',
      resolve: (f) => f.object.key,
    }),
    resolution: t.field({
      type: ResolutionEnum,
      description: 'Daily or minute file, from the key.',
      resolve: (f) => f.resolution,
    }),
    symbol: t.string({ description: 'Ticker, from the key.', resolve: (f) => f.symbol }),
    year: t.int({ description: 'Calendar year, from the key.', resolve: (f) => f.year }),
    month: t.int({ nullable: true, description: 'Month 1–12 for MINUTE files.', resolve: (f) => f.month ?? null }),
    size: t.field({ type: 'SafeInt', description: 'Bytes.', resolve: (f) => f.object.size }),
    etag: t.string({
      nullable: true,
      description: "The store's ETag, when it gives one.",
      resolve: (f) => f.object.etag ?? null,
    }),
    lastModified: t.field({
      type: 'DateTime',
      description: 'When the object was last written (UTC), from the listing.',
      resolve: (f) => f.object.lastModified,
    }),
    contentType: t.string({
      nullable: true,
      description: 'Content-Type the object was stored with (one batched HEAD).',
      resolve: async (f, _a, ctx) => (await catalog.head(ctx, f.object.key)).contentType ?? null,
    }),
    metadata: t.field({
      type: 'JSON',
      nullable: true,
      description: 'User metadata (S3 x-amz-meta-*), e.g. symbol, year, data-type.',
      resolve: async (f, _a, ctx) => (await catalog.head(ctx, f.object.key)).metadata,
    }),
    downloadUrl: t.string({
      description:
        'A URL that GETs the bytes without credentials until it expires: presigned on S3, signed by lakeql on a directory lake.',
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
