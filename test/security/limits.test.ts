// Every query limit at its value and one above: depth, aliases, directives, tokens, cost, page size; and rejected queries cost no store call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { lakeApp, nodeSchemaYoga, send, type LakeApp } from './support.js';

const defaults = loadConfig({}).limits;
const repeat = (n: number, text: string, sep = ' ') =>
  Array.from({ length: n }, (_, i) => text.replace(/#/g, String(i))).join(sep);
/** `{ child { child { … value } } }` with `depth` levels of fields. */
const deep = (depth: number) => `{ ${'child { '.repeat(depth - 1)}value${' }'.repeat(depth - 1)} }`;

describe('defaults, on a schema that can reach them', () => {
  const yoga = nodeSchemaYoga();
  const ok = async (query: string, variables?: Record<string, unknown>) => {
    const r = await send(yoga, query, { variables });
    expect(r.body.errors).toBeUndefined();
    expect(r.status).toBe(200);
  };
  const refused = async (limit: string, query: string, variables?: Record<string, unknown>) => {
    const r = await send(yoga, query, { variables });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', limit });
    expect(r.body.data ?? null).toBeNull();
    return r.body.errors[0].message as string;
  };

  it(`documents the defaults: depth ${defaults.maxDepth}, aliases ${defaults.maxAliases}, directives ${defaults.maxDirectives}, tokens ${defaults.maxTokens}, cost ${defaults.maxCost}`, () => {
    expect(defaults).toMatchObject({
      maxDepth: 10,
      maxAliases: 15,
      maxDirectives: 50,
      maxTokens: 2000,
      maxCost: 200_000,
      maxBodyBytes: 4_194_304,
      requestTimeoutMs: 30_000,
    });
    expect(defaults.rateLimit).toEqual({ requests: 1200, windowMs: 60_000 });
  });

  it('depth: 10 levels pass, 11 are refused', async () => {
    await ok(deep(defaults.maxDepth));
    expect(await refused('depth', deep(defaults.maxDepth + 1))).toMatch(/depth limit of 10/);
  });

  it('aliases: 15 pass, 16 are refused', async () => {
    await ok(`{ ${repeat(defaults.maxAliases, 'a#: value')} }`);
    await refused('aliases', `{ ${repeat(defaults.maxAliases + 1, 'a#: value')} }`);
  });

  it('directives: 50 pass, 51 are refused', async () => {
    await ok(`{ ${repeat(defaults.maxDirectives, 'value @include(if: true)')} }`);
    await refused('directives', `{ ${repeat(defaults.maxDirectives + 1, 'value @include(if: true)')} }`);
  });

  it('tokens: 2000 pass, 2001 are refused while parsing', async () => {
    // `{ sum(values: [` … `]) }` is 9 tokens around the n numbers (commas are not tokens). Many
    // numbers, not many fields: graphql's own validation gives up on ~1000 copies of one field.
    const sum = (n: number) => `{ sum(values: [${repeat(n, '1', ', ')}]) }`;
    await ok(sum(defaults.maxTokens - 9));
    expect(await refused('tokens', sum(defaults.maxTokens - 8))).toMatch(/Token limit of 2000/);
  });

  it('cost: 200000 passes, 200001 is refused, with page sizes from literals, variables and defaults', async () => {
    // items(first: 200) × (1 + items(first: 499) × (1 + value) + value) = 200 × 1000 = 200 000.
    const atLimit = '{ items(first: 200) { items(first: 499) { value } value } }';
    await ok(atLimit);
    await refused('cost', atLimit.replace(/ }$/, ' value }'));
    const byVariable = 'query($n: Int) { items(first: 200) { items(first: $n) { value } value } }';
    await ok(byVariable, { n: 499 });
    await refused('cost', byVariable, { n: 500 });
    await ok('query($n: Int = 499) { items(first: 200) { items(first: $n) { value } value } }');
    await refused('cost', 'query($n: Int = 500) { items(first: 200) { items(first: $n) { value } value } }');
    // No `first`: the argument's default (10) counts. 100 × (1 + 10 × 2 + 1) = 2200.
    await ok('{ items(first: 100) { items { value } value } }');
  });

  it('counts a page size above LAKEQL_MAX_PAGE_SIZE as the cap (the field itself refuses it)', async () => {
    // 500 × (1 + 199 × 2 + 1) = 200 000 whether `first` says 500 or 100 000.
    await ok('{ items(first: 100000) { items(first: 199) { value } value } }');
    await refused('cost', '{ items(first: 100000) { items(first: 200) { value } value } }');
  });

  it('introspection (what GraphiQL sends first) passes every default limit', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    await ok(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    );
  });

  it('hides field, type and enum value suggestions', async () => {
    for (const query of [
      '{ valu }',
      '{ child { chid { value } } }',
      '{ color(c: REDD) }',
      'query($c: Colr) { color(c: $c) }',
    ]) {
      const r = await send(yoga, query);
      expect(r.body.errors.length).toBeGreaterThan(0);
      for (const e of r.body.errors) expect(e.message).not.toMatch(/Did you mean|"value"|"child"|"RED"|GREEN/);
    }
    const coerced = await send(yoga, 'query($c: Color) { color(c: $c) }', { variables: { c: 'REDD' } });
    expect(coerced.body.errors[0].message).not.toMatch(/Did you mean|"RED"/);
  });
});

describe('configured limits on the real schema: refused before any store request', () => {
  let lake: LakeApp;
  beforeAll(async () => {
    // No catalog index: every allowed query reaches the store, so "no store request" on a refusal means something.
    lake = await lakeApp({
      LAKEQL_MAX_DEPTH: '4',
      LAKEQL_MAX_ALIASES: '2',
      LAKEQL_MAX_DIRECTIVES: '2',
      LAKEQL_MAX_TOKENS: '40',
      LAKEQL_MAX_COST: '16',
      LAKEQL_MAX_PAGE_SIZE: '100',
      LAKEQL_CATALOG_MAX_AGE: '0',
    });
  });
  afterAll(() => lake.close());

  const cases: [string, string, string, Record<string, unknown>?][] = [
    [
      'depth',
      '{ symbols(first: 1) { edges { node { ticker } } } }',
      '{ symbols(first: 1) { edges { node { years { year } } } } }',
    ],
    ['aliases', '{ a: symbol(ticker: "S001") { t: ticker } }', '{ a: symbol(ticker: "S001") { t: ticker u: ticker } }'],
    [
      'directives',
      '{ symbol(ticker: "S001") @include(if: true) { ticker @include(if: true) } }',
      '{ symbol(ticker: "S001") @include(if: true) { ticker @include(if: true) @skip(if: false) } }',
    ],
    // 40 tokens: `{ symbol ( ticker : "S001" ) {` is 8, then ticker and 29 × __typename (free in cost), then `} }`.
    [
      'tokens',
      `{ symbol(ticker: "S001") { ticker ${repeat(29, '__typename')} } }`,
      `{ symbol(ticker: "S001") { ticker ${repeat(30, '__typename')} } }`,
    ],
    // 1 + first × (edges 1 + node 1 + ticker 1): 16 at first = 5, 19 at 6.
    [
      'cost',
      'query($n: Int) { symbols(first: $n) { edges { node { ticker } } } }',
      'query($n: Int) { symbols(first: $n) { edges { node { ticker } } } }',
      { n: 5 },
    ],
  ];

  it.each(cases)(
    '%s: at the limit it answers, one above it is refused with no store call',
    async (limit, atLimit, above, variables) => {
      lake.store.reset();
      const ok = await send(lake.app.yoga, atLimit, { variables });
      expect(ok.body.errors).toBeUndefined();
      expect(lake.store.total()).toBeGreaterThan(0);
      lake.store.reset();
      const over = await send(lake.app.yoga, above, { variables: limit === 'cost' ? { n: 6 } : variables });
      expect(over.status).toBe(400);
      expect(over.body.errors[0].extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', limit });
      expect(lake.store.total()).toBe(0);
    },
  );

  it('page size: first = LAKEQL_MAX_PAGE_SIZE answers, one more is BAD_USER_INPUT with no store call', async () => {
    const big = await lakeApp({ LAKEQL_MAX_PAGE_SIZE: '100' });
    try {
      big.store.reset();
      expect((await send(big.app.yoga, '{ symbols(first: 100) { edges { cursor } } }')).body.errors).toBeUndefined();
      big.store.reset();
      const over = await send(big.app.yoga, '{ symbols(first: 101) { edges { cursor } } }');
      expect(over.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(big.store.total()).toBe(0);
    } finally {
      await big.close();
    }
  });
});
