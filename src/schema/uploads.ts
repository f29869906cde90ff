// Writes of single objects: a streamed tick file, fundamentals JSON, bars as Parquet, and browser uploads by URL.
import { GraphQLError } from 'graphql';
import type { StoredObject } from '../lake/uploads/objects.js';
import * as resolvers from '../resolvers/uploads.js';
import { asUploadedFile } from '../services/uploaded-file.js';
import { builder } from './builder.js';
import { Job } from './jobs.js';
import { ResolutionEnum } from './resolution.js';

builder.scalarType('File', {
  description:
    'A file of a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec), streamed to its resolver.',
  serialize: () => {
    throw new GraphQLError('File is an input-only scalar');
  },
  parseValue: (value) => {
    const file = asUploadedFile(value);
    if (!file)
      throw new GraphQLError('expected a file of a multipart request', { extensions: { code: 'BAD_USER_INPUT' } });
    return file;
  },
});

export const WriteMode = builder.enumType('WriteMode', {
  description: 'How writeBars treats the bars already in the file.',
  values: {
    REPLACE: { description: 'The file holds exactly the bars given.' },
    MERGE: { description: 'The bars given replace stored bars of the same time; the others stay.' },
  } as const,
});

export const StoredObjectRef = builder.objectRef<StoredObject>('StoredObject').implement({
  description: 'An object as written to the lake.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Object key.' }),
    size: t.field({ type: 'SafeInt', description: 'Bytes.', resolve: (o) => o.size }),
    etag: t.string({
      nullable: true,
      description: "The store's ETag, when it gives one.",
      resolve: (o) => o.etag ?? null,
    }),
    contentType: t.exposeString('contentType', { description: 'Content-Type the object was stored with.' }),
    metadata: t.field({
      type: 'JSON',
      description: 'User metadata (S3 x-amz-meta-*): symbol, year, data-type.',
      resolve: (o) => o.metadata,
    }),
  }),
});

const BarsWritten = builder.objectRef<StoredObject & { rows: number }>('BarsWritten').implement({
  description: 'The Parquet file writeBars wrote.',
  fields: (t) => ({
    object: t.field({ type: StoredObjectRef, description: 'The object written.', resolve: (o) => o }),
    rows: t.exposeInt('rows', { description: 'Rows in the file after the write.' }),
  }),
});

const UploadUrlRef = builder.objectRef<resolvers.UploadUrl>('UploadUrl').implement({
  description: 'Where and how to send one file straight to the lake.',
  fields: (t) => ({
    url: t.exposeString('url', { description: 'The URL to send the file to.' }),
    method: t.exposeString('method', { description: 'The HTTP method: PUT.' }),
    key: t.exposeString('key', { description: 'Object key the file will have; pass it to completeUpload.' }),
    headers: t.field({
      type: 'JSON',
      description: 'Headers to send with the PUT, exactly as given.',
      resolve: (u) => u.headers,
    }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'When the URL stops working (UTC).',
      resolve: (u) => u.expiresAt,
    }),
    completionToken: t.exposeString('completionToken', {
      description:
        'Pass to completeUpload after the PUT: it proves this lake granted the upload (signed; valid until an hour after expiresAt).',
    }),
  }),
});

const BarInput = builder.inputType('BarInput', {
  description: 'One OHLCV bar to write.',
  fields: (t) => ({
    time: t.field({
      type: 'DateTime',
      required: true,
      description: "UTC midnight of the trading date for DAILY; the minute's start for MINUTE.",
    }),
    open: t.float({ required: true, description: 'Price of the first trade, in US dollars for US equities.' }),
    high: t.float({ required: true, description: 'Highest trade price, in US dollars for US equities.' }),
    low: t.float({ required: true, description: 'Lowest trade price, in US dollars for US equities.' }),
    close: t.float({ required: true, description: 'Price of the last trade, in US dollars for US equities.' }),
    volume: t.float({ required: true, description: 'Shares traded.' }),
    vwap: t.float({ description: 'Volume-weighted average price, in US dollars for US equities.' }),
    trades: t.int({ description: 'Number of trades.' }),
  }),
});

builder.mutationFields((t) => {
  const tickArgs = {
    symbol: t.arg.string({ required: true, description: 'Ticker, e.g. AAPL; part of the key.' }),
    year: t.arg.int({ required: true, description: 'Calendar year of the bars; part of the key.' }),
    resolution: t.arg({ type: ResolutionEnum, defaultValue: 'DAILY', description: 'Daily or minute file.' }),
    month: t.arg.int({ description: 'MINUTE files only: 1–12.' }),
  };
  const tick = (a: {
    symbol: string;
    year: number;
    resolution?: 'DAILY' | 'MINUTE' | null;
    month?: number | null;
  }) => ({ symbol: a.symbol, year: a.year, resolution: a.resolution ?? 'DAILY', month: a.month });
  return {
    uploadTickFile: t.field({
      type: StoredObjectRef,
      description:
        "Streams a Parquet file to its key; checked (magic, footer, bar columns, dates inside the key's year/month) before it becomes visible. An invalid file leaves nothing behind.",
      args: {
        ...tickArgs,
        file: t.arg({
          type: 'File',
          required: true,
          description: 'The Parquet file, as a part of the multipart request.',
        }),
        jobId: t.arg.id({
          description:
            'An UPLOAD job from createUploadJob for this key and exact size: the upload runs as that job (progress, cancelJob), and its failures end the job FAILED too.',
        }),
      },
      resolve: (_r, a, ctx) =>
        resolvers.uploadTickFile(ctx, { ...tick(a), file: a.file, jobId: a.jobId == null ? null : String(a.jobId) }),
    }),
    createUploadJob: t.field({
      type: Job,
      description:
        'Registers a QUEUED UPLOAD job for one file (totalFiles 1, totalBytes = contentLength): follow it with jobProgress, then send the file with uploadTickFile(jobId). Unused for LAKEQL_UPLOAD_JOB_TIMEOUT seconds, it fails.',
      args: {
        ...tickArgs,
        contentLength: t.arg({ type: 'SafeInt', required: true, description: "The file's exact size in bytes." }),
      },
      resolve: (_r, a, ctx) => resolvers.createUploadJob(ctx, { ...tick(a), contentLength: a.contentLength }),
    }),
    putFundamentals: t.field({
      type: StoredObjectRef,
      description:
        "Writes one quarter's fundamentals JSON to data/fundamental/{SYMBOL}/{YEAR}/Q{N}.json, replacing what was there.",
      args: {
        symbol: t.arg.string({ required: true, description: 'Ticker, e.g. AAPL.' }),
        year: t.arg.int({ required: true, description: 'Fiscal year.' }),
        quarter: t.arg.int({ required: true, description: 'Fiscal quarter, 1–4.' }),
        data: t.arg({
          type: 'JSON',
          required: true,
          description:
            'The document, stored as given; money in US dollars for US equities (e.g. revenue, net_income, eps).',
        }),
      },
      resolve: (_r, a, ctx) =>
        resolvers.putFundamentals(ctx, { symbol: a.symbol, year: a.year, quarter: a.quarter, data: a.data }),
    }),
    writeBars: t.field({
      type: BarsWritten,
      description: 'Writes bars as zstd Parquet at the key of symbol, year (and month).',
      args: {
        ...tickArgs,
        bars: t.arg({ type: [BarInput], required: true, description: 'The bars to write.' }),
        mode: t.arg({ type: WriteMode, defaultValue: 'REPLACE', description: 'Replace the file or merge into it.' }),
      },
      resolve: (_r, a, ctx) => resolvers.writeBars(ctx, { ...tick(a), bars: a.bars, mode: a.mode ?? 'REPLACE' }),
    }),
    createUploadUrl: t.field({
      type: UploadUrlRef,
      description:
        'A URL for one PUT of exactly these bytes (valid at most an hour): presigned on S3, served by lakeql on a directory lake. Call completeUpload afterwards.',
      args: {
        ...tickArgs,
        contentLength: t.arg({ type: 'SafeInt', required: true, description: "The file's exact size in bytes." }),
        checksum: t.arg.string({ required: true, description: 'SHA-256 of the file, base64 or hex.' }),
        expiresIn: t.arg.int({ defaultValue: 900, description: 'Seconds, at most 3600.' }),
      },
      resolve: (_r, a, ctx) =>
        resolvers.createUploadUrl(ctx, {
          ...tick(a),
          contentLength: a.contentLength,
          checksum: a.checksum,
          expiresIn: a.expiresIn ?? 900,
        }),
    }),
    completeUpload: t.field({
      type: StoredObjectRef,
      description:
        'Validates an object uploaded by URL like uploadTickFile does; an invalid one is deleted. Acts only with the completionToken createUploadUrl gave for this key (FORBIDDEN otherwise) and only on an object of the granted size (NOT_FOUND otherwise); nothing else is ever deleted.',
      args: {
        key: t.arg.string({ required: true, description: 'The key createUploadUrl answered with.' }),
        token: t.arg.string({ required: true, description: 'UploadUrl.completionToken.' }),
      },
      resolve: (_r, a, ctx) => resolvers.completeUpload(ctx, a.key, a.token),
    }),
  };
});
