// The Pothos builder: plugins, scalars and the context type, nothing else.
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import { DateResolver, DateTimeResolver, JSONResolver, LocalTimeResolver, SafeIntResolver } from 'graphql-scalars';
import type { Context } from '../resolvers/context.js';
import type { UploadedFile } from '../services/uploaded-file.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    Date: { Input: Date; Output: Date | string };
    SafeInt: { Input: number; Output: number };
    /** HH:mm:ss wall-clock time (here New York's), without a date or zone. */
    LocalTime: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
    /** A file of a GraphQL multipart request, streamed (see src/http/upload-plugin.ts). */
    File: { Input: UploadedFile; Output: never };
  };
}>({
  plugins: [ErrorsPlugin],
  defaultFieldNullability: false,
  errors: { defaultTypes: [] },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('Date', DateResolver);
builder.addScalarType('SafeInt', SafeIntResolver);
builder.addScalarType('LocalTime', LocalTimeResolver);
builder.addScalarType('JSON', JSONResolver);

builder.queryType({
  description: 'Reads of the lake: symbols, their years, bars, tick files and fundamentals, and jobs.',
});
builder.mutationType({
  description: 'Writes to the lake (tick files, bars, fundamentals, uploads by URL) and server-side jobs.',
});
builder.subscriptionType({ description: 'Live updates, over SSE or graphql-ws.' });
