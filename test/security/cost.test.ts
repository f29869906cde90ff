// Query cost on the real schema: bars at their own page size and timeframe; the README's and the console's own operations stay under the default limit.
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_DOCUMENTS } from '../../console/src/documents.js';
import { loadConfig } from '../../src/config.js';
import { estimateCost } from '../../src/http/cost.js';
import { schema } from '../../src/schema/index.js';
import { lakeApp, send, type LakeApp } from './support.js';

const { maxCost } = loadConfig({}).limits;
const maxPageSize = loadConfig({}).maxPageSize;
const cost = (query: string, variables?: Record<string, unknown>) =>
  estimateCost(schema, { document: parse(query), variables, maxPageSize });
const aliases = (n: number, timeframe: string) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: symbol(ticker: "S001") { bars(first: 10000, timeframe: ${timeframe}) { nodes { time open high low close volume } } }`).join(' ')} }`;

describe('bars cost', () => {
  it('counts bars at their own page limit (10,000), not LAKEQL_MAX_PAGE_SIZE, and minute bars above daily ones', () => {
    const minute = cost('{ symbol(ticker: "S001") { bars(first: 10000, timeframe: MINUTE) { nodes { close } } } }');
    const daily = cost('{ symbol(ticker: "S001") { bars(first: 10000, timeframe: DAY) { nodes { close } } } }');
    expect(minute).toBeGreaterThan(10_000);
    expect(daily).toBeLessThan(minute);
    // The same through variables (and a variable's default), and the argument's own default (DAY).
    expect(
      cost(
        'query($n: Int, $t: Timeframe!) { symbol(ticker: "S001") { bars(first: $n, timeframe: $t) { nodes { close } } } }',
        { n: 10000, t: 'MINUTE' },
      ),
    ).toBe(minute);
    expect(
      cost(
        'query($t: Timeframe! = MINUTE) { symbol(ticker: "S001") { bars(first: 10000, timeframe: $t) { nodes { close } } } }',
      ),
    ).toBe(minute);
    expect(cost('{ symbol(ticker: "S001") { bars(first: 10000) { nodes { close } } } }')).toBe(daily);
  });

  it('symbols(tickers:) counts one bars page per ticker listed (or `first`, when smaller), literal or variable', () => {
    const page = (tickers: string) =>
      cost(`{ symbols(tickers: ${tickers}) { nodes { bars(first: 10000, timeframe: MINUTE) { nodes { close } } } } }`);
    // The cost is base + N × (one symbol with its bars page).
    const each = page('["S001", "S002"]') - page('["S001"]');
    const base = page('["S001"]') - each;
    expect(each).toBeGreaterThan(10_000);
    expect(base).toBeLessThan(10);
    expect(page('["S001", "S002", "S003"]')).toBe(base + 3 * each);
    expect(page('"S001"')).toBe(base + each);
    const variable =
      'query($t: [String!], $n: Int) { symbols(tickers: $t, first: $n) { nodes { bars(first: 10000, timeframe: MINUTE) { nodes { close } } } } }';
    expect(cost(variable, { t: ['A', 'B', 'C', 'D'], n: 2 })).toBe(base + 2 * each);
    expect(cost(variable, { t: ['A', 'B', 'C', 'D'] })).toBe(base + 4 * each);
    // Without tickers, the page is `first` (default 100) symbols, as before.
    expect(cost('{ symbols { nodes { bars(first: 10000, timeframe: MINUTE) { nodes { close } } } } }')).toBe(
      base + 100 * each,
    );
  });

  it('counts a bar wider than a minute as the minute rows it folds, up to 4 (every from a literal, a variable or the default)', () => {
    const page = (args: string) =>
      cost(`{ symbol(ticker: "S001") { bars(first: 1000, ${args}) { nodes { close } } } }`);
    const minute = page('timeframe: MINUTE');
    expect(page('timeframe: MINUTE, every: 1')).toBe(minute);
    expect(page('timeframe: MINUTE, every: 2')).toBeGreaterThan(minute);
    expect(page('timeframe: MINUTE, every: 3')).toBeLessThan(page('timeframe: MINUTE, every: 4'));
    expect(page('timeframe: MINUTE, every: 15')).toBe(page('timeframe: MINUTE, every: 4'));
    expect(page('timeframe: HOUR')).toBe(page('timeframe: MINUTE, every: 4'));
    expect(page('timeframe: HOUR, every: 12')).toBe(page('timeframe: HOUR'));
    expect(
      cost(
        'query($e: Int) { symbol(ticker: "S001") { bars(first: 1000, timeframe: MINUTE, every: $e) { nodes { close } } } }',
        { e: 3 },
      ),
    ).toBe(page('timeframe: MINUTE, every: 3'));
    // Out-of-range values cost what the field refuses them at (BAD_USER_INPUT), not a cost error.
    expect(page('timeframe: MINUTE, every: 100000000')).toBe(page('timeframe: HOUR'));
    expect(page('timeframe: MINUTE, every: -5')).toBe(minute);
    // A default page of hourly bars with every field stays askable.
    expect(
      cost(
        '{ symbol(ticker: "S001") { bars(timeframe: HOUR, every: 4) { nodes { time date open high low close volume vwap trades } } } }',
      ),
    ).toBeLessThan(maxCost / 2);
  });

  it("the README's example operations and the console's own stay under the default limit", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
    const operations = blocks
      .flatMap((block) => block.split(/\n(?=(?:query|mutation|subscription)\b)/))
      .filter((text) => /\S/.test(text));
    expect(operations.length).toBeGreaterThanOrEqual(5);
    for (const operation of operations) expect(cost(operation), operation).toBeLessThanOrEqual(maxCost);
    // The console asks for its largest pages: 5,000 minute bars for the chart, 100 symbols.
    const variables = {
      ticker: 'S001',
      timeframe: 'MINUTE',
      first: 5000,
      after: null,
      id: '1',
      symbol: 'S001',
      year: 2024,
      contentLength: 1,
      file: null,
    };
    for (const [name, document] of Object.entries(ALL_DOCUMENTS)) {
      expect(cost(document.toString(), variables), name).toBeLessThanOrEqual(maxCost);
    }
  });
});

describe('bars cost through the gateway', () => {
  let lake: LakeApp;
  beforeAll(async () => {
    lake = await lakeApp();
  });
  afterAll(() => lake.close());

  it('eight aliases of bars(first: 10000, timeframe: MINUTE) are QUERY_LIMIT_EXCEEDED before any store call', async () => {
    lake.store.reset();
    const over = await send(lake.app.yoga, aliases(8, 'MINUTE'));
    expect(over.status).toBe(400);
    expect(over.body.errors[0].extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', limit: 'cost' });
    expect(over.body.data ?? null).toBeNull();
    expect(lake.store.total()).toBe(0);
    // A single large daily page passes the cost check and reaches the lake.
    const one = await send(lake.app.yoga, aliases(1, 'DAY'));
    expect(one.body.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code) ?? []).not.toContain(
      'QUERY_LIMIT_EXCEEDED',
    );
    expect(lake.store.total()).toBeGreaterThan(0);
  });
});
