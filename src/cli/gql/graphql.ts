/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What a backfill does with keys that already exist. */
export const BackfillMode = {
  /** Upload every planned file. */
  Overwrite: 'OVERWRITE',
  /** Leave keys that already exist alone. */
  SkipExisting: 'SKIP_EXISTING',
  /** Leave objects whose size and checksum already match the file. */
  Sync: 'SYNC'
} as const;

export type BackfillMode = typeof BackfillMode[keyof typeof BackfillMode];
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
/** What a backfill does with one file. */
export const PlanAction = {
  /** The file cannot be uploaded, e.g. a link out of the root or a bad key (see reason). */
  Refuse: 'REFUSE',
  /** The file is left out because of the mode (see reason). */
  Skip: 'SKIP',
  /** The file is uploaded to its key. */
  Upload: 'UPLOAD'
} as const;

export type PlanAction = typeof PlanAction[keyof typeof PlanAction];
/** The dataset a tick file belongs to: daily or minute bars. */
export const Resolution = {
  /** One bar per trading day: data/ticks/daily/{SYMBOL}/{YEAR}/ticks.parquet */
  Daily: 'DAILY',
  /** One bar per minute, one file per month: data/ticks/minute/{SYMBOL}/{YEAR}/{MM}/ticks.parquet */
  Minute: 'MINUTE'
} as const;

export type Resolution = typeof Resolution[keyof typeof Resolution];
export type CliCoverageFragment = { symbol: string, year: number, resolution: Resolution, from: string | null, to: string | null, expectedDays: number, presentDays: number, missingDates: Array<string>, unexpectedDates: Array<string>, duplicateDates: Array<string>, complete: boolean, shortDays: Array<{ date: string, minutes: number, expectedMinutes: number }> };

export type CheckQueryVariables = Exact<{
  ticker: string;
  resolution: Resolution;
}>;


export type CheckQuery = { symbol: { years: Array<{ year: number, coverage: { symbol: string, year: number, resolution: Resolution, from: string | null, to: string | null, expectedDays: number, presentDays: number, missingDates: Array<string>, unexpectedDates: Array<string>, duplicateDates: Array<string>, complete: boolean, shortDays: Array<{ date: string, minutes: number, expectedMinutes: number }> } | null }> } | null };

export type YearsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type YearsQuery = { symbols: { nodes: Array<{ years: Array<{ year: number }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type GapsQueryVariables = Exact<{
  year: number;
  resolution: Resolution;
  first: number;
  after?: string | null | undefined;
}>;


export type GapsQuery = { lake: { coverage: { nodes: Array<{ symbol: string, year: number, resolution: Resolution, from: string | null, to: string | null, expectedDays: number, presentDays: number, missingDates: Array<string>, unexpectedDates: Array<string>, duplicateDates: Array<string>, complete: boolean, shortDays: Array<{ date: string, minutes: number, expectedMinutes: number }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } };

export type SymbolsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  prefix?: string | null | undefined;
}>;


export type SymbolsQuery = { symbols: { nodes: Array<{ ticker: string, years: Array<{ year: number }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type SymbolYearsQueryVariables = Exact<{
  ticker: string;
}>;


export type SymbolYearsQuery = { symbol: { ticker: string, years: Array<{ year: number, tickFiles: Array<{ key: string, resolution: Resolution, month: number | null, size: number, lastModified: string }>, fundamentals: Array<{ key: string, quarter: number, size: number, lastModified: string }> }> } | null };

export type FilesQueryVariables = Exact<{
  ticker: string;
  year: number;
  urls: boolean;
}>;


export type FilesQuery = { symbol: { year: { year: number, tickFiles: Array<{ key: string, resolution: Resolution, month: number | null, size: number, lastModified: string, downloadUrl?: string }>, fundamentals: Array<{ key: string, quarter: number, size: number, lastModified: string }> } | null } | null };

export type CliJobFragment = { id: string, kind: JobKind, state: JobState, seq: number, description: string, dryRun: boolean, totalFiles: number, doneFiles: number, failedFiles: number, skippedFiles: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, createdAt: string, startedAt: string | null, finishedAt: string | null, message: string | null, errors: Array<{ path: string, key: string, code: string, backendCode: string | null, message: string, attempts: number }> };

export type FollowSubscriptionVariables = Exact<{
  id: string | number;
  after?: number | null | undefined;
}>;


export type FollowSubscription = { jobProgress: { id: string, kind: JobKind, state: JobState, seq: number, description: string, dryRun: boolean, totalFiles: number, doneFiles: number, failedFiles: number, skippedFiles: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, createdAt: string, startedAt: string | null, finishedAt: string | null, message: string | null, errors: Array<{ path: string, key: string, code: string, backendCode: string | null, message: string, attempts: number }> } };

export type CancelMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelMutation = { cancelJob: { id: string, kind: JobKind, state: JobState, seq: number, description: string, dryRun: boolean, totalFiles: number, doneFiles: number, failedFiles: number, skippedFiles: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, createdAt: string, startedAt: string | null, finishedAt: string | null, message: string | null, errors: Array<{ path: string, key: string, code: string, backendCode: string | null, message: string, attempts: number }> } };

export type BackfillMutationVariables = Exact<{
  source: string;
  prefix?: string | null | undefined;
  include?: Array<string> | string | null | undefined;
  exclude?: Array<string> | string | null | undefined;
  concurrency?: number | null | undefined;
  partSize?: number | null | undefined;
  mode?: BackfillMode | null | undefined;
  dryRun: boolean;
  validate?: boolean | null | undefined;
}>;


export type BackfillMutation = { startBackfill: { id: string, kind: JobKind, state: JobState, seq: number, description: string, dryRun: boolean, totalFiles: number, doneFiles: number, failedFiles: number, skippedFiles: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, createdAt: string, startedAt: string | null, finishedAt: string | null, message: string | null, plan?: Array<{ action: PlanAction, key: string, path: string, size: number, reason: string | null }> | null, errors: Array<{ path: string, key: string, code: string, backendCode: string | null, message: string, attempts: number }> } };

export type DownloadMutationVariables = Exact<{
  prefix: string;
  destination: string;
  concurrency?: number | null | undefined;
}>;


export type DownloadMutation = { startDownload: { id: string, kind: JobKind, state: JobState, seq: number, description: string, dryRun: boolean, totalFiles: number, doneFiles: number, failedFiles: number, skippedFiles: number, totalBytes: number, transferredBytes: number, bytesPerSecond: number, createdAt: string, startedAt: string | null, finishedAt: string | null, message: string | null, errors: Array<{ path: string, key: string, code: string, backendCode: string | null, message: string, attempts: number }> } };

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
export const CliCoverageFragmentDoc = new TypedDocumentString(`
    fragment CliCoverage on Coverage {
  symbol
  year
  resolution
  from
  to
  expectedDays
  presentDays
  missingDates
  unexpectedDates
  duplicateDates
  shortDays {
    date
    minutes
    expectedMinutes
  }
  complete
}
    `, {"fragmentName":"CliCoverage"}) as unknown as TypedDocumentString<CliCoverageFragment, unknown>;
export const CliJobFragmentDoc = new TypedDocumentString(`
    fragment CliJob on Job {
  id
  kind
  state
  seq
  description
  dryRun
  totalFiles
  doneFiles
  failedFiles
  skippedFiles
  totalBytes
  transferredBytes
  bytesPerSecond
  createdAt
  startedAt
  finishedAt
  message
  errors {
    path
    key
    code
    backendCode
    message
    attempts
  }
}
    `, {"fragmentName":"CliJob"}) as unknown as TypedDocumentString<CliJobFragment, unknown>;
export const CheckDocument = new TypedDocumentString(`
    query Check($ticker: String!, $resolution: Resolution!) {
  symbol(ticker: $ticker) {
    years {
      year
      coverage(resolution: $resolution) {
        ...CliCoverage
      }
    }
  }
}
    fragment CliCoverage on Coverage {
  symbol
  year
  resolution
  from
  to
  expectedDays
  presentDays
  missingDates
  unexpectedDates
  duplicateDates
  shortDays {
    date
    minutes
    expectedMinutes
  }
  complete
}`) as unknown as TypedDocumentString<CheckQuery, CheckQueryVariables>;
export const YearsDocument = new TypedDocumentString(`
    query Years($first: Int!, $after: String) {
  symbols(first: $first, after: $after) {
    nodes {
      years {
        year
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<YearsQuery, YearsQueryVariables>;
export const GapsDocument = new TypedDocumentString(`
    query Gaps($year: Int!, $resolution: Resolution!, $first: Int!, $after: String) {
  lake {
    coverage(year: $year, resolution: $resolution, first: $first, after: $after) {
      nodes {
        ...CliCoverage
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
    fragment CliCoverage on Coverage {
  symbol
  year
  resolution
  from
  to
  expectedDays
  presentDays
  missingDates
  unexpectedDates
  duplicateDates
  shortDays {
    date
    minutes
    expectedMinutes
  }
  complete
}`) as unknown as TypedDocumentString<GapsQuery, GapsQueryVariables>;
export const SymbolsDocument = new TypedDocumentString(`
    query Symbols($first: Int!, $after: String, $prefix: String) {
  symbols(first: $first, after: $after, prefix: $prefix) {
    nodes {
      ticker
      years {
        year
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<SymbolsQuery, SymbolsQueryVariables>;
export const SymbolYearsDocument = new TypedDocumentString(`
    query SymbolYears($ticker: String!) {
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
      }
      fundamentals {
        key
        quarter
        size
        lastModified
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SymbolYearsQuery, SymbolYearsQueryVariables>;
export const FilesDocument = new TypedDocumentString(`
    query Files($ticker: String!, $year: Int!, $urls: Boolean!) {
  symbol(ticker: $ticker) {
    year(year: $year) {
      year
      tickFiles {
        key
        resolution
        month
        size
        lastModified
        downloadUrl @include(if: $urls)
      }
      fundamentals {
        key
        quarter
        size
        lastModified
      }
    }
  }
}
    `) as unknown as TypedDocumentString<FilesQuery, FilesQueryVariables>;
export const FollowDocument = new TypedDocumentString(`
    subscription Follow($id: ID!, $after: Int) {
  jobProgress(id: $id, after: $after) {
    ...CliJob
  }
}
    fragment CliJob on Job {
  id
  kind
  state
  seq
  description
  dryRun
  totalFiles
  doneFiles
  failedFiles
  skippedFiles
  totalBytes
  transferredBytes
  bytesPerSecond
  createdAt
  startedAt
  finishedAt
  message
  errors {
    path
    key
    code
    backendCode
    message
    attempts
  }
}`) as unknown as TypedDocumentString<FollowSubscription, FollowSubscriptionVariables>;
export const CancelDocument = new TypedDocumentString(`
    mutation Cancel($id: ID!) {
  cancelJob(id: $id) {
    ...CliJob
  }
}
    fragment CliJob on Job {
  id
  kind
  state
  seq
  description
  dryRun
  totalFiles
  doneFiles
  failedFiles
  skippedFiles
  totalBytes
  transferredBytes
  bytesPerSecond
  createdAt
  startedAt
  finishedAt
  message
  errors {
    path
    key
    code
    backendCode
    message
    attempts
  }
}`) as unknown as TypedDocumentString<CancelMutation, CancelMutationVariables>;
export const BackfillDocument = new TypedDocumentString(`
    mutation Backfill($source: String!, $prefix: String, $include: [String!], $exclude: [String!], $concurrency: Int, $partSize: Int, $mode: BackfillMode, $dryRun: Boolean!, $validate: Boolean) {
  startBackfill(
    source: $source
    prefix: $prefix
    include: $include
    exclude: $exclude
    concurrency: $concurrency
    partSize: $partSize
    mode: $mode
    dryRun: $dryRun
    validate: $validate
  ) {
    ...CliJob
    plan @include(if: $dryRun) {
      action
      key
      path
      size
      reason
    }
  }
}
    fragment CliJob on Job {
  id
  kind
  state
  seq
  description
  dryRun
  totalFiles
  doneFiles
  failedFiles
  skippedFiles
  totalBytes
  transferredBytes
  bytesPerSecond
  createdAt
  startedAt
  finishedAt
  message
  errors {
    path
    key
    code
    backendCode
    message
    attempts
  }
}`) as unknown as TypedDocumentString<BackfillMutation, BackfillMutationVariables>;
export const DownloadDocument = new TypedDocumentString(`
    mutation Download($prefix: String!, $destination: String!, $concurrency: Int) {
  startDownload(
    prefix: $prefix
    destination: $destination
    concurrency: $concurrency
  ) {
    ...CliJob
  }
}
    fragment CliJob on Job {
  id
  kind
  state
  seq
  description
  dryRun
  totalFiles
  doneFiles
  failedFiles
  skippedFiles
  totalBytes
  transferredBytes
  bytesPerSecond
  createdAt
  startedAt
  finishedAt
  message
  errors {
    path
    key
    code
    backendCode
    message
    attempts
  }
}`) as unknown as TypedDocumentString<DownloadMutation, DownloadMutationVariables>;