// schema.graphql is printed from the Pothos code and committed; this fails when the two drift apart or the public contract changes.
import { readFileSync } from 'node:fs';
import { astFromValue, isNonNullType, isObjectType, print, type GraphQLField } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';
import { printedSchema, SCHEMA_FILE } from '../scripts/print-schema.js';

/** The names clients and outside checks rely on; more fields may be added freely. */
const CONTRACT: Record<string, string[]> = {
  Query: [
    'symbols(prefix: String, first: Int = 100, after: String): SymbolConnection!',
    'symbol(ticker: String!): Symbol',
    'lake: Lake!',
  ],
  Symbol: [
    'ticker: String!',
    'years: [SymbolYear!]!',
    'year(year: Int!): SymbolYear',
    'fundamentals(year: Int, quarter: Int): [Fundamentals!]!',
  ],
  SymbolYear: [
    'year: Int!',
    'tickFiles: [TickFile!]!',
    'tickFile(resolution: Resolution = DAILY): TickFile',
    'fundamentals: [Fundamentals!]!',
  ],
  TickFile: [
    'key: String!',
    'resolution: Resolution!',
    'size: SafeInt!',
    'etag: String',
    'lastModified: DateTime!',
    'contentType: String',
    'metadata: JSON',
    'downloadUrl(expiresIn: Int = 900): String!',
  ],
  Fundamentals: [
    'symbol: String!',
    'year: Int!',
    'quarter: Int!',
    'key: String!',
    'revenue: Float',
    'netIncome: Float',
    'eps: Float',
    'data: JSON!',
  ],
};

/**
 * A contract line holds when the field has its return type and each of its arguments (type and
 * default), and any argument added since is optional: old clients' queries stay valid.
 */
function assertHolds(field: GraphQLField<unknown, unknown> | undefined, line: string): void {
  const m = /^(\w+)(?:\((.*)\))?: (.*)$/.exec(line)!;
  expect(field, line).toBeDefined();
  expect(field!.type.toString(), line).toBe(m[3]);
  const wanted = new Map((m[2] ? m[2].split(', ') : []).map((arg) => [arg.split(':')[0], arg]));
  for (const arg of field!.args) {
    const fallback = arg.defaultValue === undefined ? '' : ` = ${print(astFromValue(arg.defaultValue, arg.type)!)}`;
    const actual = `${arg.name}: ${arg.type.toString()}${fallback}`;
    if (wanted.has(arg.name)) expect(actual, line).toBe(wanted.get(arg.name));
    else
      expect(
        isNonNullType(arg.type) && arg.defaultValue === undefined,
        `${line}: added argument ${actual} must be optional`,
      ).toBe(false);
    wanted.delete(arg.name);
  }
  expect([...wanted.keys()], `${line}: missing arguments`).toEqual([]);
}

describe('schema.graphql', () => {
  it('matches the schema built from the code (run `npm run schema:print` after changing the schema)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printedSchema());
  });

  it.each(Object.entries(CONTRACT))('keeps the public contract of %s', (typeName, fields) => {
    const type = schema.getType(typeName);
    expect(isObjectType(type), typeName).toBe(true);
    const actual = (type as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields();
    for (const line of fields) assertHolds(actual[line.split(/[(:]/)[0]], line);
  });
});
