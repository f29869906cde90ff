// Query.snapshot equals DuckDB's answer from the same files (last bar at or before a date, previous close, change), pages stably, and reads only last row groups.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { gql } from '../support/graphql.js';
import { DAILY_SYMBOLS, DIALECTS, writeDailySymbol } from './lakes.js';
import { barBackends, close, duck, RecordingStore, rows } from './support.js';
import { dailyTicksKey } from '../../src/lake/layout.js';

const QUERY = `query($date: Date, $tickers: [String!], $orderBy: SnapshotOrder, $first: Int, $after: String) {
  snapshot(date: $date, tickers: $tickers, orderBy: $orderBy, first: $first, after: $after) {
    totalCount unknownTickers pageInfo { hasNextPage endCursor }
    nodes { ticker date open high low close volume previousClose change changePercent }
  }
}`;

let dir: string;
let db: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-snapshot-'));
  db = await duck();
  let seed = 500;
  for (const spec of DAILY_SYMBOLS) await writeDailySymbol(db, dir, spec, seed++);
});
afterAll(async () => {
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** DuckDB's overview: per symbol the last bar with t ≤ date and the close of the bar before it. */
async function duckSnapshot(date?: string): Promise<Map<string, Record<string, number | null>>> {
  const parts = DAILY_SYMBOLS.flatMap((spec) =>
    Object.entries(spec.years).map(([year, name]) => {
      const dialect = DIALECTS[name];
      const file = path.join(dir, dailyTicksKey(spec.symbol, Number(year)));
      const f = (field: 'open' | 'high' | 'low' | 'close' | 'volume') =>
        dialect.fields[field] ? `(${dialect.fields[field]})::DOUBLE` : 'NULL::DOUBLE';
      return `SELECT '${spec.symbol}' AS ticker, (${dialect.time})::DOUBLE AS t, ${f('open')} AS open, ${f('high')} AS high, ${f('low')} AS low, ${f('close')} AS close, ${f('volume')} AS volume FROM read_parquet('${file}')`;
    }),
  );
  const where = date ? `WHERE t <= epoch_ms(DATE '${date}'::TIMESTAMP)` : '';
  const result = await rows(
    db,
    `
    WITH bars AS (SELECT * FROM (${parts.join(' UNION ALL ')}) ${where}),
    ranked AS (SELECT *, lag(close) OVER (PARTITION BY ticker ORDER BY t) AS prev, row_number() OVER (PARTITION BY ticker ORDER BY t DESC) AS k FROM bars)
    SELECT ticker, t, open, high, low, close, volume, prev, close - prev AS change, (close - prev) / prev * 100 AS pct FROM ranked WHERE k = 1 ORDER BY ticker`,
  );
  return new Map(result.map((r) => [r.ticker as string, r as Record<string, number | null>]));
}

for (const backend of barBackends(() => dir, 'snapshot')) {
  describe(`snapshot over ${backend.name}`, () => {
    let app: App;
    let store: RecordingStore;
    beforeAll(async () => {
      store = new RecordingStore(await backend.open());
      app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store });
    });

    for (const date of [undefined, '2023-01-02', '2022-07-09', '2021-06-30']) {
      it(`equals DuckDB's computation as of ${date ?? 'the newest bar'}`, async () => {
        const expected = await duckSnapshot(date);
        const result = await gql(app, QUERY, { date, first: 100 });
        expect(result.errors).toBeUndefined();
        const { nodes, totalCount } = result.data.snapshot;
        expect(nodes.map((n: { ticker: string }) => n.ticker)).toEqual([...expected.keys()]);
        expect(totalCount).toBe(expected.size);
        for (const node of nodes) {
          const e = expected.get(node.ticker)!;
          expect(node.date, node.ticker).toBe(new Date(Number(e.t)).toISOString().slice(0, 10));
          for (const [field, duckField] of [
            ['open', 'open'],
            ['high', 'high'],
            ['low', 'low'],
            ['close', 'close'],
            ['volume', 'volume'],
            ['previousClose', 'prev'],
            ['change', 'change'],
            ['changePercent', 'pct'],
          ]) {
            close(
              node[field],
              e[duckField] === null ? null : Number(e[duckField]),
              `${node.ticker} ${field} as of ${date}`,
            );
          }
        }
      });
    }

    it('orders by change % (nulls last) and pages without gaps or repeats; unknown tickers are named', async () => {
      const all = await gql(app, QUERY, { orderBy: { field: 'CHANGE_PERCENT', direction: 'DESC' }, first: 100 });
      const order = all.data.snapshot.nodes.map((n: { ticker: string; changePercent: number }) => n);
      for (let i = 1; i < order.length; i++)
        expect(order[i - 1].changePercent).toBeGreaterThanOrEqual(order[i].changePercent);
      const paged: string[] = [];
      let after: string | null = null;
      do {
        const page: any = await gql(app, QUERY, {
          orderBy: { field: 'CHANGE_PERCENT', direction: 'DESC' },
          first: 3,
          after,
        });
        paged.push(...page.data.snapshot.nodes.map((n: { ticker: string }) => n.ticker));
        after = page.data.snapshot.pageInfo.hasNextPage ? page.data.snapshot.pageInfo.endCursor : null;
      } while (after);
      expect(paged).toEqual(order.map((n: { ticker: string }) => n.ticker));
      const some = await gql(app, QUERY, { tickers: ['mix', 'ZZZZ', 'DDATE', 'NOPE1'], first: 10 });
      expect(some.data.snapshot.nodes.map((n: { ticker: string }) => n.ticker)).toEqual(['DDATE', 'MIX']);
      expect(some.data.snapshot.unknownTickers).toEqual(['ZZZZ', 'NOPE1']);
      const bad = await gql(app, QUERY, { after: 'bm90LWEtY3Vyc29y' });
      expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    });

    it("quotes the previous close split-adjusted on a split's ex-date, so a split is no crash", async () => {
      const raw = (await duckSnapshot('2022-03-15')).get('DDATE')!;
      // Written through lakeql's own store, so the catalog index knows of it at once.
      await app.services.store.put(
        'data/corporate-actions/DDATE/2022/actions.json',
        JSON.stringify({ splits: [{ ex_date: '2022-03-15', from: 1, to: 4 }] }),
      );
      const result = await gql(app, QUERY, { date: '2022-03-15', tickers: ['DDATE'] });
      const [node] = result.data.snapshot.nodes;
      close(node.close, Number(raw.close), 'close is the raw close of the day');
      close(node.previousClose, Number(raw.prev) / 4, 'previous close divided by the split ratio');
      close(
        node.changePercent,
        (Number(raw.close) / (Number(raw.prev) / 4) - 1) * 100,
        'change % against the adjusted reference',
      );
      // The day after, the previous close is that day's own close: nothing to adjust.
      const next = await gql(app, QUERY, { date: '2022-03-16', tickers: ['DDATE'] });
      close(next.data.snapshot.nodes[0].previousClose, Number(raw.close), 'previous close the day after');
      await app.services.store.delete('data/corporate-actions/DDATE/2022/actions.json');
    });

    it('reads the listings once, then per symbol a footer and a row group, and nothing at all when warm', async () => {
      const cold = new RecordingStore(await backend.open());
      const fresh = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store: cold });
      const symbols = DAILY_SYMBOLS.length;
      const result = await gql(fresh, QUERY, { date: '2023-06-30', first: 100 });
      expect(result.data.snapshot.totalCount).toBe(symbols);
      // Footer and last row group per symbol; a small file's footer read often brings the whole file.
      expect(cold.gets.length).toBeLessThanOrEqual(2 * symbols);
      // The catalog index's first build: one listing per dataset root.
      expect(cold.count('list')).toBeLessThanOrEqual(4);
      expect(cold.gets.length + cold.count('list')).toBeLessThanOrEqual(3 * symbols);
      // Every GET is ranged: no file is read whole by a plain GET.
      expect(cold.gets.every((g) => g.range !== undefined)).toBe(true);
      cold.reset();
      await gql(fresh, QUERY, { date: '2023-06-30', first: 100 });
      expect(cold.gets.length).toBe(0);
      expect(cold.count('list')).toBe(0);
    });
  });
}
