// Every GraphQL operation the console sends; `npm run codegen` types them from schema.graphql into ./gql/, test/console/documents.test.ts validates them.
import { graphql } from './gql/gql.js';
import {
  JobState,
  type BarFieldsFragment,
  type ConsoleJobFragment,
  type SymbolDetailQuery as SymbolDetail,
  type SnapshotQuery as Snapshot,
  type UploadJobFieldsFragment,
} from './gql/graphql.js';

export type { Adjustment, Resolution, SnapshotOrderField as SnapshotField, Timeframe } from './gql/graphql.js';

export type Job = ConsoleJobFragment;
/** What the upload panel follows of its UPLOAD job: bytes the store has received, and why it failed. */
export type UploadJob = UploadJobFieldsFragment;
export type Bar = BarFieldsFragment;
export type SymbolYear = NonNullable<SymbolDetail['symbol']>['years'][number];
export type SnapshotRow = Snapshot['snapshot']['nodes'][number];

const FINAL_STATES: ReadonlySet<JobState> = new Set([JobState.Succeeded, JobState.Failed, JobState.Cancelled]);

/** A final job publishes nothing more: its subscription completes. */
export function isFinal(state: JobState): boolean {
  return FINAL_STATES.has(state);
}

graphql(`
  fragment ConsoleJob on Job {
    id kind state seq description totalFiles doneFiles failedFiles skippedFiles totalBytes transferredBytes bytesPerSecond createdAt finishedAt message
  }
`);

graphql(`
  fragment UploadJobFields on Job { id state seq totalBytes transferredBytes bytesPerSecond message errors { code message } }
`);

graphql(`
  fragment BarFields on Bar { time date open high low close volume }
`);

export const LakeQuery = graphql(`
  query Lake { lake { kind url } }
`);

export const SymbolsQuery = graphql(`
  query Symbols($query: String, $first: Int!, $after: String) {
    symbols(query: $query, first: $first, after: $after) { nodes { ticker name } pageInfo { hasNextPage endCursor } }
  }
`);

export const SymbolDetailQuery = graphql(`
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

export const BarsQuery = graphql(`
  query Bars($ticker: String!, $timeframe: Timeframe!, $every: Int = 1, $first: Int!, $after: String, $from: Date, $to: Date, $adjustment: Adjustment!) {
    symbol(ticker: $ticker) {
      bars(timeframe: $timeframe, every: $every, first: $first, after: $after, from: $from, to: $to, adjustment: $adjustment) {
        nodes { ...BarFields }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

export const CreateUploadJobMutation = graphql(`
  mutation CreateUploadJob($symbol: String!, $year: Int!, $resolution: Resolution, $month: Int, $contentLength: SafeInt!) {
    createUploadJob(symbol: $symbol, year: $year, resolution: $resolution, month: $month, contentLength: $contentLength) { ...UploadJobFields }
  }
`);

export const UploadTickFileMutation = graphql(`
  mutation UploadTickFile($symbol: String!, $year: Int!, $resolution: Resolution, $month: Int, $jobId: ID, $file: File!) {
    uploadTickFile(symbol: $symbol, year: $year, resolution: $resolution, month: $month, jobId: $jobId, file: $file) { key size etag }
  }
`);

export const UploadJobProgressSubscription = graphql(`
  subscription UploadJobProgress($id: ID!) { jobProgress(id: $id) { ...UploadJobFields } }
`);

export const UploadJobQuery = graphql(`
  query UploadJob($id: ID!) { job(id: $id) { ...UploadJobFields } }
`);

export const JobsQuery = graphql(`
  query Jobs { jobs { ...ConsoleJob } }
`);

export const JobProgressSubscription = graphql(`
  subscription JobProgress($id: ID!, $after: Int) { jobProgress(id: $id, after: $after) { ...ConsoleJob } }
`);

export const SnapshotQuery = graphql(`
  query Snapshot($orderBy: SnapshotOrder, $first: Int, $after: String) {
    snapshot(orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      nodes { ticker date close previousClose change changePercent volume }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CancelJobMutation = graphql(`
  mutation CancelJob($id: ID!) { cancelJob(id: $id) { ...ConsoleJob } }
`);

/** For the document test, the cost test and the persisted-document manifest: every operation above, by name. */
export const ALL_DOCUMENTS = {
  LakeQuery,
  SymbolsQuery,
  SymbolDetailQuery,
  BarsQuery,
  CreateUploadJobMutation,
  UploadTickFileMutation,
  UploadJobProgressSubscription,
  UploadJobQuery,
  JobsQuery,
  JobProgressSubscription,
  CancelJobMutation,
  SnapshotQuery,
};
