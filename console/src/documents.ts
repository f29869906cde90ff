// Every GraphQL operation the console sends, typed by hand; test/console/documents.test.ts validates each against the schema.
import { TypedDocumentString } from './graphql.js';

export type Timeframe = 'MINUTE' | 'HOUR' | 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';
export type Adjustment = 'RAW' | 'SPLIT' | 'DIVIDEND' | 'ALL';
export type Resolution = 'DAILY' | 'MINUTE';
export type JobState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface TickFile {
  key: string;
  resolution: Resolution;
  month: number | null;
  size: number;
  lastModified: string;
  downloadUrl: string;
}

export interface FundamentalsRow {
  year: number;
  quarter: number;
  key: string;
  size: number;
  lastModified: string;
  revenue: number | null;
  netIncome: number | null;
  eps: number | null;
  downloadUrl: string;
}

export interface SymbolYear {
  year: number;
  tickFiles: TickFile[];
  fundamentals: FundamentalsRow[];
}

export interface Bar {
  time: string;
  date: string;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number | null;
}

export interface Job {
  id: string;
  kind: 'BACKFILL' | 'DOWNLOAD' | 'UPLOAD';
  state: JobState;
  seq: number;
  description: string;
  totalFiles: number;
  doneFiles: number;
  failedFiles: number;
  skippedFiles: number;
  totalBytes: number;
  transferredBytes: number;
  bytesPerSecond: number;
  createdAt: string;
  finishedAt: string | null;
  message: string | null;
}

const JOB = 'id kind state seq description totalFiles doneFiles failedFiles skippedFiles totalBytes transferredBytes bytesPerSecond createdAt finishedAt message';

/** What the upload panel follows of its UPLOAD job: bytes the store has received, and why it failed. */
export interface UploadJob {
  id: string;
  state: JobState;
  seq: number;
  totalBytes: number;
  transferredBytes: number;
  bytesPerSecond: number;
  message: string | null;
  errors: { code: string; message: string }[];
}

const UPLOAD_JOB = 'id state seq totalBytes transferredBytes bytesPerSecond message errors { code message }';

interface TickTarget { symbol: string; year: number; resolution: Resolution; month: number | null }

export const LakeQuery = new TypedDocumentString<{ lake: { kind: 'LOCAL' | 'S3'; url: string } }, Record<string, never>>(`
  query Lake { lake { kind url } }
`);

export const SymbolsQuery = new TypedDocumentString<
  { symbols: { nodes: { ticker: string; name: string | null }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } },
  { query: string | null; first: number; after: string | null }
>(`
  query Symbols($query: String, $first: Int!, $after: String) {
    symbols(query: $query, first: $first, after: $after) { nodes { ticker name } pageInfo { hasNextPage endCursor } }
  }
`);

export const SymbolDetailQuery = new TypedDocumentString<
  { symbol: { ticker: string; years: SymbolYear[] } | null },
  { ticker: string }
>(`
  query SymbolDetail($ticker: String!) {
    symbol(ticker: $ticker) {
      ticker
      years {
        year
        tickFiles { key resolution month size lastModified downloadUrl(expiresIn: 3600) }
        fundamentals { year quarter key size lastModified revenue netIncome eps downloadUrl(expiresIn: 3600) }
      }
    }
  }
`);

export const BarsQuery = new TypedDocumentString<
  { symbol: { bars: { nodes: Bar[] | null; pageInfo: { hasNextPage: boolean; endCursor: string | null } | null } } | null },
  { ticker: string; timeframe: Timeframe; every?: number; first: number; after: string | null; from: string | null; to: string | null; adjustment: Adjustment }
>(`
  query Bars($ticker: String!, $timeframe: Timeframe!, $every: Int = 1, $first: Int!, $after: String, $from: Date, $to: Date, $adjustment: Adjustment!) {
    symbol(ticker: $ticker) {
      bars(timeframe: $timeframe, every: $every, first: $first, after: $after, from: $from, to: $to, adjustment: $adjustment) {
        nodes { time date open high low close volume }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

export const CreateUploadJobMutation = new TypedDocumentString<{ createUploadJob: UploadJob }, TickTarget & { contentLength: number }>(`
  mutation CreateUploadJob($symbol: String!, $year: Int!, $resolution: Resolution, $month: Int, $contentLength: SafeInt!) {
    createUploadJob(symbol: $symbol, year: $year, resolution: $resolution, month: $month, contentLength: $contentLength) { ${UPLOAD_JOB} }
  }
`);

export const UploadTickFileMutation = new TypedDocumentString<
  { uploadTickFile: { key: string; size: number; etag: string | null } },
  TickTarget & { jobId: string | null; file: null }
>(`
  mutation UploadTickFile($symbol: String!, $year: Int!, $resolution: Resolution, $month: Int, $jobId: ID, $file: File!) {
    uploadTickFile(symbol: $symbol, year: $year, resolution: $resolution, month: $month, jobId: $jobId, file: $file) { key size etag }
  }
`);

export const UploadJobProgressSubscription = new TypedDocumentString<{ jobProgress: UploadJob }, { id: string }>(`
  subscription UploadJobProgress($id: ID!) { jobProgress(id: $id) { ${UPLOAD_JOB} } }
`);

export const UploadJobQuery = new TypedDocumentString<{ job: UploadJob | null }, { id: string }>(`
  query UploadJob($id: ID!) { job(id: $id) { ${UPLOAD_JOB} } }
`);

export const JobsQuery = new TypedDocumentString<{ jobs: Job[] }, Record<string, never>>(`
  query Jobs { jobs { ${JOB} } }
`);

export const JobProgressSubscription = new TypedDocumentString<{ jobProgress: Job }, { id: string; after: number | null }>(`
  subscription JobProgress($id: ID!, $after: Int) { jobProgress(id: $id, after: $after) { ${JOB} } }
`);

export interface SnapshotRow {
  ticker: string;
  date: string;
  close: number;
  previousClose: number | null;
  change: number | null;
  changePercent: number | null;
  volume: number | null;
}

export type SnapshotField = 'TICKER' | 'CHANGE_PERCENT' | 'CHANGE' | 'VOLUME' | 'CLOSE';

export const SnapshotQuery = new TypedDocumentString<
  { snapshot: { totalCount: number; nodes: SnapshotRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } },
  { orderBy: { field: SnapshotField; direction: 'ASC' | 'DESC' }; first: number; after: string | null }
>(`
  query Snapshot($orderBy: SnapshotOrder, $first: Int, $after: String) {
    snapshot(orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      nodes { ticker date close previousClose change changePercent volume }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CancelJobMutation = new TypedDocumentString<{ cancelJob: Job }, { id: string }>(`
  mutation CancelJob($id: ID!) { cancelJob(id: $id) { ${JOB} } }
`);

/** For the document test: every operation above, by name. */
export const ALL_DOCUMENTS = {
  LakeQuery, SymbolsQuery, SymbolDetailQuery, BarsQuery, CreateUploadJobMutation, UploadTickFileMutation, UploadJobProgressSubscription, UploadJobQuery,
  JobsQuery, JobProgressSubscription, CancelJobMutation, SnapshotQuery,
};
