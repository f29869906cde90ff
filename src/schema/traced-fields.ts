// The fields whose resolvers get a span when tracing is on: those that read or write the lake, not the ones that pick a value off their parent.
//
// A bars page is read lazily by whichever of edges, nodes and pageInfo asks first (src/resolvers/bars.ts),
// so the S3 requests and the decode of a page sit under that field's span. Fields answered from the
// catalog index in memory, or from a loader's batch another traced field already started, are left out:
// a span per bar or per symbol would bury the few that say where the time went. A test checks each name
// against the schema.
export const TRACED_FIELDS: readonly string[] = [
  'Query.symbols',
  'Query.symbol',
  'Query.snapshot',
  'Query.job',
  'Query.jobs',
  'Lake.coverage',
  'Symbol.years',
  'Symbol.year',
  'Symbol.fundamentals',
  'Symbol.corporateActions',
  'SymbolYear.coverage',
  'SymbolYear.fundamentals',
  'BarConnection.edges',
  'BarConnection.nodes',
  'BarConnection.pageInfo',
  'TickFile.rowCount',
  'TickFile.columns',
  'TickFile.firstDate',
  'TickFile.lastDate',
  'TickFile.contentType',
  'TickFile.metadata',
  'Fundamentals.data',
  'Mutation.startBackfill',
  'Mutation.startDownload',
  'Mutation.cancelJob',
  'Mutation.uploadTickFile',
  'Mutation.createUploadJob',
  'Mutation.createUploadUrl',
  'Mutation.completeUpload',
  'Mutation.putFundamentals',
  'Mutation.putCorporateActions',
  'Mutation.writeBars',
];
