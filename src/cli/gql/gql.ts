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
    "\n  fragment CliCoverage on Coverage {\n    symbol year resolution from to expectedDays presentDays missingDates unexpectedDates duplicateDates shortDays { date minutes expectedMinutes } complete\n  }\n": typeof types.CliCoverageFragmentDoc,
    "\n  query Check($ticker: String!, $resolution: Resolution!) { symbol(ticker: $ticker) { years { year coverage(resolution: $resolution) { ...CliCoverage } } } }\n": typeof types.CheckDocument,
    "\n  query Years($first: Int!, $after: String) { symbols(first: $first, after: $after) { nodes { years { year } } pageInfo { hasNextPage endCursor } } }\n": typeof types.YearsDocument,
    "\n  query Gaps($year: Int!, $resolution: Resolution!, $first: Int!, $after: String) {\n    lake { coverage(year: $year, resolution: $resolution, first: $first, after: $after) { nodes { ...CliCoverage } pageInfo { hasNextPage endCursor } } }\n  }\n": typeof types.GapsDocument,
    "\n  query Symbols($first: Int!, $after: String, $prefix: String) {\n    symbols(first: $first, after: $after, prefix: $prefix) { nodes { ticker years { year } } pageInfo { hasNextPage endCursor } }\n  }\n": typeof types.SymbolsDocument,
    "\n  query SymbolYears($ticker: String!) {\n    symbol(ticker: $ticker) { ticker years { year tickFiles { key resolution month size lastModified } fundamentals { key quarter size lastModified } } }\n  }\n": typeof types.SymbolYearsDocument,
    "\n  query Files($ticker: String!, $year: Int!, $urls: Boolean!) {\n    symbol(ticker: $ticker) { year(year: $year) { year\n      tickFiles { key resolution month size lastModified downloadUrl @include(if: $urls) }\n      fundamentals { key quarter size lastModified } } }\n  }\n": typeof types.FilesDocument,
    "\n  fragment CliJob on Job {\n    id kind state seq description dryRun totalFiles doneFiles failedFiles skippedFiles totalBytes transferredBytes\n    bytesPerSecond createdAt startedAt finishedAt message errors { path key code backendCode message attempts }\n  }\n": typeof types.CliJobFragmentDoc,
    "\n  subscription Follow($id: ID!, $after: Int) { jobProgress(id: $id, after: $after) { ...CliJob } }\n": typeof types.FollowDocument,
    "\n  mutation Cancel($id: ID!) { cancelJob(id: $id) { ...CliJob } }\n": typeof types.CancelDocument,
    "\n  mutation Backfill(\n    $source: String!, $prefix: String, $include: [String!], $exclude: [String!], $concurrency: Int, $partSize: Int, $mode: BackfillMode,\n    $dryRun: Boolean!, $validate: Boolean\n  ) {\n    startBackfill(\n      source: $source, prefix: $prefix, include: $include, exclude: $exclude, concurrency: $concurrency, partSize: $partSize, mode: $mode,\n      dryRun: $dryRun, validate: $validate\n    ) { ...CliJob plan @include(if: $dryRun) { action key path size reason } }\n  }\n": typeof types.BackfillDocument,
    "\n  mutation Download($prefix: String!, $destination: String!, $concurrency: Int) {\n    startDownload(prefix: $prefix, destination: $destination, concurrency: $concurrency) { ...CliJob }\n  }\n": typeof types.DownloadDocument,
};
const documents: Documents = {
    "\n  fragment CliCoverage on Coverage {\n    symbol year resolution from to expectedDays presentDays missingDates unexpectedDates duplicateDates shortDays { date minutes expectedMinutes } complete\n  }\n": types.CliCoverageFragmentDoc,
    "\n  query Check($ticker: String!, $resolution: Resolution!) { symbol(ticker: $ticker) { years { year coverage(resolution: $resolution) { ...CliCoverage } } } }\n": types.CheckDocument,
    "\n  query Years($first: Int!, $after: String) { symbols(first: $first, after: $after) { nodes { years { year } } pageInfo { hasNextPage endCursor } } }\n": types.YearsDocument,
    "\n  query Gaps($year: Int!, $resolution: Resolution!, $first: Int!, $after: String) {\n    lake { coverage(year: $year, resolution: $resolution, first: $first, after: $after) { nodes { ...CliCoverage } pageInfo { hasNextPage endCursor } } }\n  }\n": types.GapsDocument,
    "\n  query Symbols($first: Int!, $after: String, $prefix: String) {\n    symbols(first: $first, after: $after, prefix: $prefix) { nodes { ticker years { year } } pageInfo { hasNextPage endCursor } }\n  }\n": types.SymbolsDocument,
    "\n  query SymbolYears($ticker: String!) {\n    symbol(ticker: $ticker) { ticker years { year tickFiles { key resolution month size lastModified } fundamentals { key quarter size lastModified } } }\n  }\n": types.SymbolYearsDocument,
    "\n  query Files($ticker: String!, $year: Int!, $urls: Boolean!) {\n    symbol(ticker: $ticker) { year(year: $year) { year\n      tickFiles { key resolution month size lastModified downloadUrl @include(if: $urls) }\n      fundamentals { key quarter size lastModified } } }\n  }\n": types.FilesDocument,
    "\n  fragment CliJob on Job {\n    id kind state seq description dryRun totalFiles doneFiles failedFiles skippedFiles totalBytes transferredBytes\n    bytesPerSecond createdAt startedAt finishedAt message errors { path key code backendCode message attempts }\n  }\n": types.CliJobFragmentDoc,
    "\n  subscription Follow($id: ID!, $after: Int) { jobProgress(id: $id, after: $after) { ...CliJob } }\n": types.FollowDocument,
    "\n  mutation Cancel($id: ID!) { cancelJob(id: $id) { ...CliJob } }\n": types.CancelDocument,
    "\n  mutation Backfill(\n    $source: String!, $prefix: String, $include: [String!], $exclude: [String!], $concurrency: Int, $partSize: Int, $mode: BackfillMode,\n    $dryRun: Boolean!, $validate: Boolean\n  ) {\n    startBackfill(\n      source: $source, prefix: $prefix, include: $include, exclude: $exclude, concurrency: $concurrency, partSize: $partSize, mode: $mode,\n      dryRun: $dryRun, validate: $validate\n    ) { ...CliJob plan @include(if: $dryRun) { action key path size reason } }\n  }\n": types.BackfillDocument,
    "\n  mutation Download($prefix: String!, $destination: String!, $concurrency: Int) {\n    startDownload(prefix: $prefix, destination: $destination, concurrency: $concurrency) { ...CliJob }\n  }\n": types.DownloadDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CliCoverage on Coverage {\n    symbol year resolution from to expectedDays presentDays missingDates unexpectedDates duplicateDates shortDays { date minutes expectedMinutes } complete\n  }\n"): typeof import('./graphql.js').CliCoverageFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Check($ticker: String!, $resolution: Resolution!) { symbol(ticker: $ticker) { years { year coverage(resolution: $resolution) { ...CliCoverage } } } }\n"): typeof import('./graphql.js').CheckDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Years($first: Int!, $after: String) { symbols(first: $first, after: $after) { nodes { years { year } } pageInfo { hasNextPage endCursor } } }\n"): typeof import('./graphql.js').YearsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Gaps($year: Int!, $resolution: Resolution!, $first: Int!, $after: String) {\n    lake { coverage(year: $year, resolution: $resolution, first: $first, after: $after) { nodes { ...CliCoverage } pageInfo { hasNextPage endCursor } } }\n  }\n"): typeof import('./graphql.js').GapsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Symbols($first: Int!, $after: String, $prefix: String) {\n    symbols(first: $first, after: $after, prefix: $prefix) { nodes { ticker years { year } } pageInfo { hasNextPage endCursor } }\n  }\n"): typeof import('./graphql.js').SymbolsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SymbolYears($ticker: String!) {\n    symbol(ticker: $ticker) { ticker years { year tickFiles { key resolution month size lastModified } fundamentals { key quarter size lastModified } } }\n  }\n"): typeof import('./graphql.js').SymbolYearsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Files($ticker: String!, $year: Int!, $urls: Boolean!) {\n    symbol(ticker: $ticker) { year(year: $year) { year\n      tickFiles { key resolution month size lastModified downloadUrl @include(if: $urls) }\n      fundamentals { key quarter size lastModified } } }\n  }\n"): typeof import('./graphql.js').FilesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CliJob on Job {\n    id kind state seq description dryRun totalFiles doneFiles failedFiles skippedFiles totalBytes transferredBytes\n    bytesPerSecond createdAt startedAt finishedAt message errors { path key code backendCode message attempts }\n  }\n"): typeof import('./graphql.js').CliJobFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Follow($id: ID!, $after: Int) { jobProgress(id: $id, after: $after) { ...CliJob } }\n"): typeof import('./graphql.js').FollowDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Cancel($id: ID!) { cancelJob(id: $id) { ...CliJob } }\n"): typeof import('./graphql.js').CancelDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Backfill(\n    $source: String!, $prefix: String, $include: [String!], $exclude: [String!], $concurrency: Int, $partSize: Int, $mode: BackfillMode,\n    $dryRun: Boolean!, $validate: Boolean\n  ) {\n    startBackfill(\n      source: $source, prefix: $prefix, include: $include, exclude: $exclude, concurrency: $concurrency, partSize: $partSize, mode: $mode,\n      dryRun: $dryRun, validate: $validate\n    ) { ...CliJob plan @include(if: $dryRun) { action key path size reason } }\n  }\n"): typeof import('./graphql.js').BackfillDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Download($prefix: String!, $destination: String!, $concurrency: Int) {\n    startDownload(prefix: $prefix, destination: $destination, concurrency: $concurrency) { ...CliJob }\n  }\n"): typeof import('./graphql.js').DownloadDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
