// Coverage over GraphQL: a lake with planted gaps, duplicates, closed-day rows and short minute days is reported exactly, on a directory and on S3.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import { barBackends } from '../bars/support.js';
import { gql } from '../support/graphql.js';
import { COMPLETE, PLANTED, writePlantedLake } from './planted.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-coverage-'));
  await writePlantedLake(dir);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const FIELDS =
  'symbol year resolution from to expectedDays presentDays rows missingDates unexpectedDates duplicateDates shortDays { date minutes expectedMinutes } complete';

describe.each(barBackends(() => dir, 'coverage'))('coverage on $name', (backend) => {
  let app: App;
  let store: CountingStore;

  beforeAll(async () => {
    store = new CountingStore(await backend.open());
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_MAX_PAGE_SIZE: '100' }), { store });
  });
  afterAll(async () => app.stop());

  it.each(PLANTED)('$symbol $resolution: exactly the planted defects', async (planted) => {
    const result = await gql(
      app,
      `query($t: String!, $r: Resolution!) { symbol(ticker: $t) { year(year: 2024) { coverage(resolution: $r) { ${FIELDS} } } } }`,
      { t: planted.symbol, r: planted.resolution },
    );
    expect(result.errors).toBeUndefined();
    const c = result.data.symbol.year.coverage;
    expect({
      missingDates: c.missingDates,
      unexpectedDates: c.unexpectedDates,
      duplicateDates: c.duplicateDates,
      shortDays: c.shortDays,
      expectedDays: c.expectedDays,
    }).toEqual({
      missingDates: planted.missingDates,
      unexpectedDates: planted.unexpectedDates,
      duplicateDates: planted.duplicateDates,
      shortDays: planted.shortDays,
      expectedDays: planted.expectedDays,
    });
    expect(c.presentDays).toBe(planted.expectedDays - planted.missingDates.length);
    expect(c.complete).toBe(false);
  });

  it('finds nothing wrong with the complete symbols, extended hours and early closes included', async () => {
    for (const [symbol, resolution] of [
      ['GOOD', 'DAILY'],
      ['MGOOD', 'MINUTE'],
    ]) {
      const result = await gql(
        app,
        `query($t: String!, $r: Resolution!) { symbol(ticker: $t) { year(year: 2024) { coverage(resolution: $r) { ${FIELDS} } } } }`,
        { t: symbol, r: resolution },
      );
      const c = result.data.symbol.year.coverage;
      expect(c, symbol).toMatchObject({
        complete: true,
        missingDates: [],
        unexpectedDates: [],
        duplicateDates: [],
        shortDays: [],
      });
      expect(c.presentDays).toBe(c.expectedDays);
    }
    const none = await gql(
      app,
      '{ symbol(ticker: "GOOD") { year(year: 2024) { coverage(resolution: MINUTE) { complete } } } }',
    );
    expect(none.data.symbol.year.coverage).toBeNull();
  });

  it.each(['DAILY', 'MINUTE'] as const)(
    'lake.coverage lists exactly the %s symbols with gaps, page by page, reading each file once',
    async (resolution) => {
      const wanted = PLANTED.filter((p) => p.resolution === resolution).map((p) => p.symbol);
      store.reset();
      const all = await gql(
        app,
        `query($r: Resolution!) { lake { coverage(year: 2024, resolution: $r) { nodes { symbol complete missingDates } pageInfo { hasNextPage } } } }`,
        { r: resolution },
      );
      expect(all.errors).toBeUndefined();
      expect(all.data.lake.coverage.nodes.map((n: any) => n.symbol)).toEqual(wanted);
      expect(all.data.lake.coverage.pageInfo.hasNextPage).toBe(false);
      for (const symbol of COMPLETE)
        expect(all.data.lake.coverage.nodes.map((n: any) => n.symbol)).not.toContain(symbol);
      // The per-symbol queries above decoded every file: the scan reuses the bar reader's cache and only lists.
      expect(store.count('get')).toBe(0);
      expect(store.count('list')).toBeGreaterThan(0);

      // Page by page with first: 1, again from the cache.
      store.reset();
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 5; i++) {
        const page: any = await gql(
          app,
          `query($r: Resolution!, $after: String) { lake { coverage(year: 2024, resolution: $r, first: 1, after: $after) { edges { cursor node { symbol } } pageInfo { hasNextPage endCursor } } } }`,
          { r: resolution, after },
        );
        expect(page.errors).toBeUndefined();
        seen.push(...page.data.lake.coverage.edges.map((e: any) => e.node.symbol));
        if (!page.data.lake.coverage.pageInfo.hasNextPage) break;
        after = page.data.lake.coverage.pageInfo.endCursor;
      }
      expect(seen).toEqual(wanted);
      expect(store.count('get')).toBe(0);
    },
  );

  it('reads a cold file with a footer GET and a data GET at most, then from the cache', async () => {
    const cold = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store });
    try {
      const query = '{ symbol(ticker: "MINI") { year(year: 2024) { coverage(resolution: MINUTE) { complete } } } }';
      store.reset();
      expect((await gql(cold, query)).data.symbol.year.coverage.complete).toBe(false);
      const gets = store.count('get');
      // Two monthly files: each is one suffix-range GET for the footer (and tail) plus at most one for the columns.
      expect(gets).toBeGreaterThanOrEqual(2);
      expect(gets).toBeLessThanOrEqual(4);
      expect(store.count('head')).toBe(0);
      store.reset();
      await gql(cold, query);
      expect(store.count('get')).toBe(0);
    } finally {
      await cold.stop();
    }
  });

  it('is empty for a year without files, and rejects bad arguments with typed errors', async () => {
    const empty = await gql(
      app,
      '{ lake { coverage(year: 2019) { nodes { symbol } pageInfo { hasNextPage endCursor } } } }',
    );
    expect(empty.data.lake.coverage).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
    for (const args of [
      'year: 1800',
      'year: 2024, first: 0',
      'year: 2024, first: 1000',
      'year: 2024, after: "bm90IGEgY3Vyc29y"',
    ]) {
      const result = await gql(app, `{ lake { coverage(${args}) { nodes { symbol } } } }`);
      expect(result.errors?.[0]?.extensions?.code, args).toMatch(/BAD_USER_INPUT|INVALID_KEY|INVALID_INPUT/);
      expect(result.data).toBeNull();
    }
  });
});
