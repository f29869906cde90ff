// schema.graphql is printed from the Pothos code and committed; this fails when the two drift apart.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from '../scripts/print-schema.js';

describe('schema.graphql', () => {
  it('matches the schema built from the code (run `npm run schema:print` after changing the schema)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printedSchema());
  });

  it('keeps the public contract of the catalog', () => {
    const sdl = printedSchema();
    for (const line of [
      'symbols(prefix: String, first: Int = 100, after: String): SymbolConnection!',
      'symbol(ticker: String!): Symbol',
      'lake: Lake!',
      'years: [SymbolYear!]!',
      'year(year: Int!): SymbolYear',
      'tickFiles: [TickFile!]!',
      'size: SafeInt!',
      'lastModified: DateTime!',
      'metadata: JSON',
      'downloadUrl(',
      'netIncome: Float',
      'data: JSON!',
    ]) {
      expect(sdl).toContain(line);
    }
  });
});
