/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Which corporate actions bars are adjusted for, as Alpaca and CRSP define it. Bars dated before a split's ex-date get prices ÷ (to/from) and volume × (to/from); bars dated before a cash dividend's ex-date get prices × (1 − amount / raw close of the last bar before the ex-date). Factors of several events multiply. vwap is adjusted like prices, trades never. Values are doubles, not rounded to cents. Coarser timeframes are built from the adjusted daily or minute bars. */
export const Adjustment = {
  /** For splits and cash dividends. */
  All: 'ALL',
  /** For cash dividends only. */
  Dividend: 'DIVIDEND',
  /** As stored. */
  Raw: 'RAW',
  /** For splits only. */
  Split: 'SPLIT'
} as const;

export type Adjustment = typeof Adjustment[keyof typeof Adjustment];
/** What a job does. */
export const JobKind = {
  /** startBackfill: a directory below LAKEQL_UPLOAD_ROOT uploaded by the server. */
  Backfill: 'BACKFILL',
  /** startDownload: a prefix downloaded into LAKEQL_DOWNLOAD_ROOT. */
  Download: 'DOWNLOAD',
  /** createUploadJob: one file streamed in by uploadTickFile(jobId). */
  Upload: 'UPLOAD'
} as const;

export type JobKind = typeof JobKind[keyof typeof JobKind];
/** Where a job is in its life; SUCCEEDED, FAILED and CANCELLED are final. */
export const JobState = {
  /** Stopped by cancelJob. */
  Cancelled: 'CANCELLED',
  /** Finished with failed files (see errors) or failed as a whole (see message). */
  Failed: 'FAILED',
  /** Waiting for an instance to run it (or, for UPLOAD, for its file). */
  Queued: 'QUEUED',
  /** Moving files. */
  Running: 'RUNNING',
  /** Finished with every file done or skipped. */
  Succeeded: 'SUCCEEDED'
} as const;

export type JobState = typeof JobState[keyof typeof JobState];
/** The storage backend of the lake. */
export const LakeKind = {
  /** A directory on the server's file system. */
  Local: 'LOCAL',
  /** An S3 (or S3-compatible) bucket. */
  S3: 'S3'
} as const;

export type LakeKind = typeof LakeKind[keyof typeof LakeKind];
/** Sort direction. */
export const OrderDirection = {
  /** Smallest first. */
  Asc: 'ASC',
  /** Largest first. */
  Desc: 'DESC'
} as const;

export type OrderDirection = typeof OrderDirection[keyof typeof OrderDirection];
/** The dataset a tick file belongs to: daily or minute bars. */
export const Resolution = {
  /** One bar per trading day: data/ticks/daily/{SYMBOL}/{YEAR}/ticks.parquet */
  Daily: 'DAILY',
  /** One bar per minute, one file per month: data/ticks/minute/{SYMBOL}/{YEAR}/{MM}/ticks.parquet */
  Minute: 'MINUTE'
} as const;

export type Resolution = typeof Resolution[keyof typeof Resolution];
/** Sort order of the market overview. */
export type SnapshotOrder = {
  /** ASC (default) or DESC. */
  direction?: OrderDirection | null | undefined;
  /** What to sort by. */
  field: SnapshotOrderField;
};

/** What the overview is sorted by; ties (and nulls, always last) fall back to the ticker. */
export const SnapshotOrderField = {
  /** Change against the previous close, in price units. */
  Change: 'CHANGE',
  /** Change against the previous close, in percent. */
  ChangePercent: 'CHANGE_PERCENT',
  /** Closing price. */
  Close: 'CLOSE',
  /** Alphabetical by ticker. */
  Ticker: 'TICKER',
  /** Shares traded on the day. */
  Volume: 'VOLUME'
} as const;

export type SnapshotOrderField = typeof SnapshotOrderField[keyof typeof SnapshotOrderField];
/** Bar width. Coarser bars aggregate finer ones: first open, max high, min low, last close, summed volume and trades, volume-weighted vwap. Weeks run Monday to Sunday; months, quarters and years are calendar periods; each bar is labelled by its period's first calendar date. Minute bars are dated in the exchange time zone, America/New_York. */
export const Timeframe = {
  /** One bar per trading day: the daily file, or that year's minute bars aggregated by New York date when the year has no daily file. */
  Day: 'DAY',
  /** One bar per New York clock hour (or `every` hours), aggregated from the minute files and labelled on the hour. */
  Hour: 'HOUR',
  /** One bar per minute (or `every` minutes), from the minute files. */
  Minute: 'MINUTE',
  /** One bar per calendar month, labelled by its first day. */
  Month: 'MONTH',
  /** One bar per calendar quarter, labelled by its first day. */
  Quarter: 'QUARTER',
  /** One bar per week, Monday to Sunday, labelled by its Monday. */
  Week: 'WEEK',
  /** One bar per calendar year, labelled by 1 January. */
  Year: 'YEAR'
} as const;

export type Timeframe = typeof Timeframe[keyof typeof Timeframe];
export type ConsoleJobFragment = { id: string, kind: JobKind, state: JobState, seq: number, description: string, totalFiles: number, doneFiles: number, failedFiles: number, skippedFiles: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, createdAt: string, finishedAt: string | null, message: string | null };

export type UploadJobFieldsFragment = { id: string, state: JobState, seq: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, message: string | null, errors: Array<{ code: string, message: string }> };

export type BarFieldsFragment = { time: string, date: string, open: number | null, high: number | null, low: number | null, close: number | null, volume: number | null };

export type LakeQueryVariables = Exact<{ [key: string]: never; }>;


export type LakeQuery = { lake: { kind: LakeKind, url: string } };

export type SymbolsQueryVariables = Exact<{
  query?: string | null | undefined;
  first: number;
  after?: string | null | undefined;
}>;


export type SymbolsQuery = { symbols: { nodes: Array<{ ticker: string, name: string | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type SymbolDetailQueryVariables = Exact<{
  ticker: string;
}>;


export type SymbolDetailQuery = { symbol: { ticker: string, years: Array<{ year: number, tickFiles: Array<{ key: string, resolution: Resolution, month: number | null, size: number, lastModified: string, downloadUrl: string }>, fundamentals: Array<{ year: number, quarter: number, key: string, size: number, lastModified: string, revenue: number | null, netIncome: number | null, eps: number | null, downloadUrl: string }> }> } | null };

export type BarsQueryVariables = Exact<{
  ticker: string;
  timeframe: Timeframe;
  every?: number | null | undefined;
  first: number;
  after?: string | null | undefined;
  from?: string | null | undefined;
  to?: string | null | undefined;
  adjustment: Adjustment;
}>;


export type BarsQuery = { symbol: { bars: { nodes: Array<{ time: string, date: string, open: number | null, high: number | null, low: number | null, close: number | null, volume: number | null }> | null, pageInfo: { hasNextPage: boolean, endCursor: string | null } | null } } | null };

export type CreateUploadJobMutationVariables = Exact<{
  symbol: string;
  year: number;
  resolution?: Resolution | null | undefined;
  month?: number | null | undefined;
  contentLength: number;
}>;


export type CreateUploadJobMutation = { createUploadJob: { id: string, state: JobState, seq: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, message: string | null, errors: Array<{ code: string, message: string }> } };

export type UploadTickFileMutationVariables = Exact<{
  symbol: string;
  year: number;
  resolution?: Resolution | null | undefined;
  month?: number | null | undefined;
  jobId?: string | number | null | undefined;
  file: null;
}>;


export type UploadTickFileMutation = { uploadTickFile: { key: string, size: number, etag: string | null } };

export type UploadJobProgressSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type UploadJobProgressSubscription = { jobProgress: { id: string, state: JobState, seq: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, message: string | null, errors: Array<{ code: string, message: string }> } };

export type UploadJobQueryVariables = Exact<{
  id: string | number;
}>;


export type UploadJobQuery = { job: { id: string, state: JobState, seq: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, message: string | null, errors: Array<{ code: string, message: string }> } | null };

export type JobsQueryVariables = Exact<{ [key: string]: never; }>;


export type JobsQuery = { jobs: Array<{ id: string, kind: JobKind, state: JobState, seq: number, description: string, totalFiles: number, doneFiles: number, failedFiles: number, skippedFiles: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, createdAt: string, finishedAt: string | null, message: string | null }> };

export type JobProgressSubscriptionVariables = Exact<{
  id: string | number;
  after?: number | null | undefined;
}>;


export type JobProgressSubscription = { jobProgress: { id: string, kind: JobKind, state: JobState, seq: number, description: string, totalFiles: number, doneFiles: number, failedFiles: number, skippedFiles: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, createdAt: string, finishedAt: string | null, message: string | null } };

export type SnapshotQueryVariables = Exact<{
  orderBy?: SnapshotOrder | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SnapshotQuery = { snapshot: { totalCount: number, nodes: Array<{ ticker: string, date: string, close: number, previousClose: number | null, change: number | null, changePercent: number | null, volume: number | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CancelJobMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelJobMutation = { cancelJob: { id: string, kind: JobKind, state: JobState, seq: number, description: string, totalFiles: number, doneFiles: number, failedFiles: number, skippedFiles: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, createdAt: string, finishedAt: string | null, message: string | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ConsoleJobFragmentDoc = new TypedDocumentString(`
    fragment ConsoleJob on Job {
  id
  kind
  state
  seq
  description
  totalFiles
  doneFiles
  failedFiles
  skippedFiles
  totalBytes
  transferredBytes
  bytesPerSecond
  createdAt
  finishedAt
  message
}
    `, {"fragmentName":"ConsoleJob"}) as unknown as TypedDocumentString<ConsoleJobFragment, unknown>;
export const UploadJobFieldsFragmentDoc = new TypedDocumentString(`
    fragment UploadJobFields on Job {
  id
  state
  seq
  totalBytes
  transferredBytes
  bytesPerSecond
  message
  errors {
    code
    message
  }
}
    `, {"fragmentName":"UploadJobFields"}) as unknown as TypedDocumentString<UploadJobFieldsFragment, unknown>;
export const BarFieldsFragmentDoc = new TypedDocumentString(`
    fragment BarFields on Bar {
  time
  date
  open
  high
  low
  close
  volume
}
    `, {"fragmentName":"BarFields"}) as unknown as TypedDocumentString<BarFieldsFragment, unknown>;
export const LakeDocument = new TypedDocumentString(`
    query Lake {
  lake {
    kind
    url
  }
}
    `) as unknown as TypedDocumentString<LakeQuery, LakeQueryVariables>;
export const SymbolsDocument = new TypedDocumentString(`
    query Symbols($query: String, $first: Int!, $after: String) {
  symbols(query: $query, first: $first, after: $after) {
    nodes {
      ticker
      name
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<SymbolsQuery, SymbolsQueryVariables>;
export const SymbolDetailDocument = new TypedDocumentString(`
    query SymbolDetail($ticker: String!) {
  symbol(ticker: $ticker) {
    ticker
    years {
      year
      tickFiles {
        key
        resolution
        month
        size
        lastModified
        downloadUrl(expiresIn: 3600)
      }
      fundamentals {
        year
        quarter
        key
        size
        lastModified
        revenue
        netIncome
        eps
        downloadUrl(expiresIn: 3600)
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SymbolDetailQuery, SymbolDetailQueryVariables>;
export const BarsDocument = new TypedDocumentString(`
    query Bars($ticker: String!, $timeframe: Timeframe!, $every: Int = 1, $first: Int!, $after: String, $from: Date, $to: Date, $adjustment: Adjustment!) {
  symbol(ticker: $ticker) {
    bars(
      timeframe: $timeframe
      every: $every
      first: $first
      after: $after
      from: $from
      to: $to
      adjustment: $adjustment
    ) {
      nodes {
        ...BarFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
    fragment BarFields on Bar {
  time
  date
  open
  high
  low
  close
  volume
}`) as unknown as TypedDocumentString<BarsQuery, BarsQueryVariables>;
export const CreateUploadJobDocument = new TypedDocumentString(`
    mutation CreateUploadJob($symbol: String!, $year: Int!, $resolution: Resolution, $month: Int, $contentLength: SafeInt!) {
  createUploadJob(
    symbol: $symbol
    year: $year
    resolution: $resolution
    month: $month
    contentLength: $contentLength
  ) {
    ...UploadJobFields
  }
}
    fragment UploadJobFields on Job {
  id
  state
  seq
  totalBytes
  transferredBytes
  bytesPerSecond
  message
  errors {
    code
    message
  }
}`) as unknown as TypedDocumentString<CreateUploadJobMutation, CreateUploadJobMutationVariables>;
export const UploadTickFileDocument = new TypedDocumentString(`
    mutation UploadTickFile($symbol: String!, $year: Int!, $resolution: Resolution, $month: Int, $jobId: ID, $file: File!) {
  uploadTickFile(
    symbol: $symbol
    year: $year
    resolution: $resolution
    month: $month
    jobId: $jobId
    file: $file
  ) {
    key
    size
    etag
  }
}
    `) as unknown as TypedDocumentString<UploadTickFileMutation, UploadTickFileMutationVariables>;
export const UploadJobProgressDocument = new TypedDocumentString(`
    subscription UploadJobProgress($id: ID!) {
  jobProgress(id: $id) {
    ...UploadJobFields
  }
}
    fragment UploadJobFields on Job {
  id
  state
  seq
  totalBytes
  transferredBytes
  bytesPerSecond
  message
  errors {
    code
    message
  }
}`) as unknown as TypedDocumentString<UploadJobProgressSubscription, UploadJobProgressSubscriptionVariables>;
export const UploadJobDocument = new TypedDocumentString(`
    query UploadJob($id: ID!) {
  job(id: $id) {
    ...UploadJobFields
  }
}
    fragment UploadJobFields on Job {
  id
  state
  seq
  totalBytes
  transferredBytes
  bytesPerSecond
  message
  errors {
    code
    message
  }
}`) as unknown as TypedDocumentString<UploadJobQuery, UploadJobQueryVariables>;
export const JobsDocument = new TypedDocumentString(`
    query Jobs {
  jobs {
    ...ConsoleJob
  }
}
    fragment ConsoleJob on Job {
  id
  kind
  state
  seq
  description
  totalFiles
  doneFiles
  failedFiles
  skippedFiles
  totalBytes
  transferredBytes
  bytesPerSecond
  createdAt
  finishedAt
  message
}`) as unknown as TypedDocumentString<JobsQuery, JobsQueryVariables>;
export const JobProgressDocument = new TypedDocumentString(`
    subscription JobProgress($id: ID!, $after: Int) {
  jobProgress(id: $id, after: $after) {
    ...ConsoleJob
  }
}
    fragment ConsoleJob on Job {
  id
  kind
  state
  seq
  description
  totalFiles
  doneFiles
  failedFiles
  skippedFiles
  totalBytes
  transferredBytes
  bytesPerSecond
  createdAt
  finishedAt
  message
}`) as unknown as TypedDocumentString<JobProgressSubscription, JobProgressSubscriptionVariables>;
export const SnapshotDocument = new TypedDocumentString(`
    query Snapshot($orderBy: SnapshotOrder, $first: Int, $after: String) {
  snapshot(orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    nodes {
      ticker
      date
      close
      previousClose
      change
      changePercent
      volume
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<SnapshotQuery, SnapshotQueryVariables>;
export const CancelJobDocument = new TypedDocumentString(`
    mutation CancelJob($id: ID!) {
  cancelJob(id: $id) {
    ...ConsoleJob
  }
}
    fragment ConsoleJob on Job {
  id
  kind
  state
  seq
  description
  totalFiles
  doneFiles
  failedFiles
  skippedFiles
  totalBytes
  transferredBytes
  bytesPerSecond
  createdAt
  finishedAt
  message
}`) as unknown as TypedDocumentString<CancelJobMutation, CancelJobMutationVariables>;