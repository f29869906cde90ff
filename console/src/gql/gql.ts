/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ConsoleJob on Job {\n    id kind state seq description totalFiles doneFiles failedFiles skippedFiles totalBytes transferredBytes bytesPerSecond createdAt finishedAt message\n  }\n": typeof types.ConsoleJobFragmentDoc,
    "\n  fragment UploadJobFields on Job { id state seq totalBytes transferredBytes bytesPerSecond message errors { code message } }\n": typeof types.UploadJobFieldsFragmentDoc,
    "\n  fragment BarFields on Bar { time date open high low close volume }\n": typeof types.BarFieldsFragmentDoc,
    "\n  query Lake { lake { kind url } }\n": typeof types.LakeDocument,
    "\n  query Symbols($query: String, $first: Int!, $after: String) {\n    symbols(query: $query, first: $first, after: $after) { nodes { ticker name } pageInfo { hasNextPage endCursor } }\n  }\n": typeof types.SymbolsDocument,
    "\n  query SymbolDetail($ticker: String!) {\n    symbol(ticker: $ticker) {\n      ticker\n      years {\n        year\n        tickFiles { key resolution month size lastModified downloadUrl(expiresIn: 3600) }\n        fundamentals { year quarter key size lastModified revenue netIncome eps downloadUrl(expiresIn: 3600) }\n      }\n    }\n  }\n": typeof types.SymbolDetailDocument,
    "\n  query Bars($ticker: String!, $timeframe: Timeframe!, $every: Int = 1, $first: Int!, $after: String, $from: Date, $to: Date, $adjustment: Adjustment!) {\n    symbol(ticker: $ticker) {\n      bars(timeframe: $timeframe, every: $every, first: $first, after: $after, from: $from, to: $to, adjustment: $adjustment) {\n        nodes { ...BarFields }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.BarsDocument,
    "\n  mutation CreateUploadJob($symbol: String!, $year: Int!, $resolution: Resolution, $month: Int, $contentLength: SafeInt!) {\n    createUploadJob(symbol: $symbol, year: $year, resolution: $resolution, month: $month, contentLength: $contentLength) { ...UploadJobFields }\n  }\n": typeof types.CreateUploadJobDocument,
    "\n  mutation UploadTickFile($symbol: String!, $year: Int!, $resolution: Resolution, $month: Int, $jobId: ID, $file: File!) {\n    uploadTickFile(symbol: $symbol, year: $year, resolution: $resolution, month: $month, jobId: $jobId, file: $file) { key size etag }\n  }\n": typeof types.UploadTickFileDocument,
    "\n  subscription UploadJobProgress($id: ID!) { jobProgress(id: $id) { ...UploadJobFields } }\n": typeof types.UploadJobProgressDocument,
    "\n  query UploadJob($id: ID!) { job(id: $id) { ...UploadJobFields } }\n": typeof types.UploadJobDocument,
    "\n  query Jobs { jobs { ...ConsoleJob } }\n": typeof types.JobsDocument,
    "\n  subscription JobProgress($id: ID!, $after: Int) { jobProgress(id: $id, after: $after) { ...ConsoleJob } }\n": typeof types.JobProgressDocument,
    "\n  query Snapshot($orderBy: SnapshotOrder, $first: Int, $after: String) {\n    snapshot(orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      nodes { ticker date close previousClose change changePercent volume }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.SnapshotDocument,
    "\n  mutation CancelJob($id: ID!) { cancelJob(id: $id) { ...ConsoleJob } }\n": typeof types.CancelJobDocument,
};
const documents: Documents = {
    "\n  fragment ConsoleJob on Job {\n    id kind state seq description totalFiles doneFiles failedFiles skippedFiles totalBytes transferredBytes bytesPerSecond createdAt finishedAt message\n  }\n": types.ConsoleJobFragmentDoc,
    "\n  fragment UploadJobFields on Job { id state seq totalBytes transferredBytes bytesPerSecond message errors { code message } }\n": types.UploadJobFieldsFragmentDoc,
    "\n  fragment BarFields on Bar { time date open high low close volume }\n": types.BarFieldsFragmentDoc,
    "\n  query Lake { lake { kind url } }\n": types.LakeDocument,
    "\n  query Symbols($query: String, $first: Int!, $after: String) {\n    symbols(query: $query, first: $first, after: $after) { nodes { ticker name } pageInfo { hasNextPage endCursor } }\n  }\n": types.SymbolsDocument,
    "\n  query SymbolDetail($ticker: String!) {\n    symbol(ticker: $ticker) {\n      ticker\n      years {\n        year\n        tickFiles { key resolution month size lastModified downloadUrl(expiresIn: 3600) }\n        fundamentals { year quarter key size lastModified revenue netIncome eps downloadUrl(expiresIn: 3600) }\n      }\n    }\n  }\n": types.SymbolDetailDocument,
    "\n  query Bars($ticker: String!, $timeframe: Timeframe!, $every: Int = 1, $first: Int!, $after: String, $from: Date, $to: Date, $adjustment: Adjustment!) {\n    symbol(ticker: $ticker) {\n      bars(timeframe: $timeframe, every: $every, first: $first, after: $after, from: $from, to: $to, adjustment: $adjustment) {\n        nodes { ...BarFields }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.BarsDocument,
    "\n  mutation CreateUploadJob($symbol: String!, $year: Int!, $resolution: Resolution, $month: Int, $contentLength: SafeInt!) {\n    createUploadJob(symbol: $symbol, year: $year, resolution: $resolution, month: $month, contentLength: $contentLength) { ...UploadJobFields }\n  }\n": types.CreateUploadJobDocument,
    "\n  mutation UploadTickFile($symbol: String!, $year: Int!, $resolution: Resolution, $month: Int, $jobId: ID, $file: File!) {\n    uploadTickFile(symbol: $symbol, year: $year, resolution: $resolution, month: $month, jobId: $jobId, file: $file) { key size etag }\n  }\n": types.UploadTickFileDocument,
    "\n  subscription UploadJobProgress($id: ID!) { jobProgress(id: $id) { ...UploadJobFields } }\n": types.UploadJobProgressDocument,
    "\n  query UploadJob($id: ID!) { job(id: $id) { ...UploadJobFields } }\n": types.UploadJobDocument,
    "\n  query Jobs { jobs { ...ConsoleJob } }\n": types.JobsDocument,
    "\n  subscription JobProgress($id: ID!, $after: Int) { jobProgress(id: $id, after: $after) { ...ConsoleJob } }\n": types.JobProgressDocument,
    "\n  query Snapshot($orderBy: SnapshotOrder, $first: Int, $after: String) {\n    snapshot(orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      nodes { ticker date close previousClose change changePercent volume }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.SnapshotDocument,
    "\n  mutation CancelJob($id: ID!) { cancelJob(id: $id) { ...ConsoleJob } }\n": types.CancelJobDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleJob on Job {\n    id kind state seq description totalFiles doneFiles failedFiles skippedFiles totalBytes transferredBytes bytesPerSecond createdAt finishedAt message\n  }\n"): typeof import('./graphql.js').ConsoleJobFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UploadJobFields on Job { id state seq totalBytes transferredBytes bytesPerSecond message errors { code message } }\n"): typeof import('./graphql.js').UploadJobFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BarFields on Bar { time date open high low close volume }\n"): typeof import('./graphql.js').BarFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Lake { lake { kind url } }\n"): typeof import('./graphql.js').LakeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Symbols($query: String, $first: Int!, $after: String) {\n    symbols(query: $query, first: $first, after: $after) { nodes { ticker name } pageInfo { hasNextPage endCursor } }\n  }\n"): typeof import('./graphql.js').SymbolsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SymbolDetail($ticker: String!) {\n    symbol(ticker: $ticker) {\n      ticker\n      years {\n        year\n        tickFiles { key resolution month size lastModified downloadUrl(expiresIn: 3600) }\n        fundamentals { year quarter key size lastModified revenue netIncome eps downloadUrl(expiresIn: 3600) }\n      }\n    }\n  }\n"): typeof import('./graphql.js').SymbolDetailDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Bars($ticker: String!, $timeframe: Timeframe!, $every: Int = 1, $first: Int!, $after: String, $from: Date, $to: Date, $adjustment: Adjustment!) {\n    symbol(ticker: $ticker) {\n      bars(timeframe: $timeframe, every: $every, first: $first, after: $after, from: $from, to: $to, adjustment: $adjustment) {\n        nodes { ...BarFields }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): typeof import('./graphql.js').BarsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateUploadJob($symbol: String!, $year: Int!, $resolution: Resolution, $month: Int, $contentLength: SafeInt!) {\n    createUploadJob(symbol: $symbol, year: $year, resolution: $resolution, month: $month, contentLength: $contentLength) { ...UploadJobFields }\n  }\n"): typeof import('./graphql.js').CreateUploadJobDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UploadTickFile($symbol: String!, $year: Int!, $resolution: Resolution, $month: Int, $jobId: ID, $file: File!) {\n    uploadTickFile(symbol: $symbol, year: $year, resolution: $resolution, month: $month, jobId: $jobId, file: $file) { key size etag }\n  }\n"): typeof import('./graphql.js').UploadTickFileDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription UploadJobProgress($id: ID!) { jobProgress(id: $id) { ...UploadJobFields } }\n"): typeof import('./graphql.js').UploadJobProgressDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UploadJob($id: ID!) { job(id: $id) { ...UploadJobFields } }\n"): typeof import('./graphql.js').UploadJobDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Jobs { jobs { ...ConsoleJob } }\n"): typeof import('./graphql.js').JobsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobProgress($id: ID!, $after: Int) { jobProgress(id: $id, after: $after) { ...ConsoleJob } }\n"): typeof import('./graphql.js').JobProgressDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Snapshot($orderBy: SnapshotOrder, $first: Int, $after: String) {\n    snapshot(orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      nodes { ticker date close previousClose change changePercent volume }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): typeof import('./graphql.js').SnapshotDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelJob($id: ID!) { cancelJob(id: $id) { ...ConsoleJob } }\n"): typeof import('./graphql.js').CancelJobDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
