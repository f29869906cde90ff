// TickFile footer fields (rowCount, columns, firstDate, lastDate) equal DuckDB's metadata, and cost ranged GETs only, few of them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { FOOTER_GUESS } from '../../src/lake/parquet/read-footer.js';
import { gql } from '../support/graphql.js';
import { allBars } from './client.js';
import { DAILY_SYMBOLS, writeDailySymbol, writeMinuteSymbol } from './lakes.js';
import { barBackends, duck, RecordingStore, rows } from './support.js';

const SYMBOLS = ['DDATE', 'TSMS', 'TSUS', 'TSTZ', 'ISOD', 'ISOT', 'WIDE', 'MIX'];
const FILES_QUERY = `query($t: String!) { symbol(ticker: $t) { years { year tickFiles { key rowCount columns { name type } firstDate lastDate } } } }`;

let dir: string;
let db: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-bars-footer-'));
  db = await duck();
  let seed = 100;
  for (const spec of DAILY_SYMBOLS.filter((s) => SYMBOLS.includes(s.symbol)))
    await writeDailySymbol(db, dir, spec, seed++);
  await writeMinuteSymbol(db, dir);
});
afterAll(async () => {
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** What DuckDB says about a file: rows, leaf column paths, and the time range as dates. */
async function duckFacts(key: string, timeExpr: string) {
  const file = path.join(dir, key);
  const [{ n }] = await rows(db, `SELECT count(*)::DOUBLE AS n FROM read_parquet('${file}')`);
  const columns = await rows(
    db,
    `SELECT DISTINCT column_id, replace(path_in_schema, ', ', '.') AS name, type FROM parquet_metadata('${file}') ORDER BY column_id`,
  );
  const [range] = await rows(
    db,
    `SELECT strftime(min(${timeExpr}), '%Y-%m-%d') AS first, strftime(max(${timeExpr}), '%Y-%m-%d') AS last FROM read_parquet('${file}')`,
  );
  return {
    rowCount: Number(n),
    names: columns.map((c) => c.name),
    physical: columns.map((c) => c.type),
    ...(range as { first: string; last: string }),
  };
}

const TIME: Record<string, string> = {
  DDATE: 'date',
  TSMS: '"timestamp"::DATE',
  TSUS: '"Time"::DATE',
  TSTZ: 'ts::DATE',
  ISOD: '"Date"::DATE',
  ISOT: '"timestamp"::TIMESTAMPTZ::DATE',
  WIDE: 'date',
};

const backends = barBackends(() => dir, 'bars-footer');

for (const backend of backends) {
  describe(`tick file footers over ${backend.name}`, () => {
    let app: App;
    let store: RecordingStore;
    beforeAll(async () => {
      store = new RecordingStore(await backend.open());
      app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store });
    });

    it("rowCount, columns, firstDate and lastDate equal DuckDB's reading of each file", async () => {
      for (const symbol of SYMBOLS.filter((s) => s !== 'MIX')) {
        const result = await gql(app, FILES_QUERY, { t: symbol });
        expect(result.errors).toBeUndefined();
        for (const year of result.data.symbol.years) {
          for (const file of year.tickFiles) {
            const facts = await duckFacts(file.key, TIME[symbol]);
            expect(file.rowCount, file.key).toBe(facts.rowCount);
            expect(
              file.columns.map((c: { name: string }) => c.name),
              file.key,
            ).toEqual(facts.names);
            expect(file.firstDate, file.key).toBe(facts.first);
            expect(file.lastDate, file.key).toBe(facts.last);
          }
        }
      }
    });

    it('names column types from logical annotations', async () => {
      const typeOf = async (symbol: string, column: string) => {
        const result = await gql(app, FILES_QUERY, { t: symbol });
        return result.data.symbol.years[0].tickFiles[0].columns.find((c: { name: string }) => c.name === column)?.type;
      };
      expect(await typeOf('DDATE', 'date')).toBe('DATE');
      expect(await typeOf('DDATE', 'volume')).toBe('INT64');
      expect(await typeOf('DDATE', 'open')).toBe('DOUBLE');
      expect(await typeOf('TSMS', 'timestamp')).toBe('TIMESTAMP(MILLIS)');
      expect(await typeOf('TSMS', 'open')).toBe('FLOAT');
      expect(await typeOf('TSTZ', 'ts')).toBe('TIMESTAMP(MICROS,UTC)');
      expect(await typeOf('TSTZ', 'open')).toBe('DECIMAL(9,2)');
      expect(await typeOf('TSUS', 'OPEN')).toBe('DECIMAL(18,4)');
      expect(await typeOf('ISOD', 'Date')).toBe('STRING');
    });

    it('minute files: dates are New York dates of the first and last minute', async () => {
      const result = await gql(app, FILES_QUERY, { t: 'MN' });
      const files = result.data.symbol.years.flatMap((y: { tickFiles: unknown[] }) => y.tickFiles);
      const jan = files.find((f: { key: string }) => f.key.endsWith('2024/01/ticks.parquet'));
      const [facts] = await rows(
        db,
        `SELECT strftime(min(nyd_date), '%Y-%m-%d') AS first, strftime(max(nyd_date), '%Y-%m-%d') AS last, count(*)::DOUBLE AS n
        FROM (SELECT timezone('America/New_York', "timestamp"::TIMESTAMPTZ)::DATE AS nyd_date FROM read_parquet('${path.join(dir, jan.key)}'))`,
      );
      expect([jan.firstDate, jan.lastDate, jan.rowCount]).toEqual([facts.first, facts.last, Number(facts.n)]);
      // The last minutes of Jan 31 (New York) are in the February file, whose first date is therefore Jan 31.
      const feb = files.find((f: { key: string }) => f.key.endsWith('2024/02/ticks.parquet'));
      expect(feb.firstDate).toBe('2024-01-31');
    });

    it('footer fields cost ranged GETs only: one per file, two when the footer outgrows the first suffix read', async () => {
      // A fresh app: empty caches.
      const fresh = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store });
      for (const symbol of ['DDATE', 'WIDE', 'MN']) {
        store.reset();
        const result = await gql(
          fresh,
          `query($t: String!) { symbol(ticker: $t) { years { tickFiles { key size rowCount columns { name } firstDate lastDate } } } }`,
          { t: symbol },
        );
        expect(result.errors).toBeUndefined();
        const files = result.data.symbol.years.flatMap(
          (y: { tickFiles: { key: string; size: number }[] }) => y.tickFiles,
        );
        expect(
          store.gets.every((g) => g.range !== undefined),
          JSON.stringify(store.gets),
        ).toBe(true);
        expect(store.heads).toBe(0);
        for (const file of files) {
          const gets = store.gets.filter((g) => g.key === file.key);
          const footerLength = await footerBytes(path.join(dir, file.key));
          expect(gets.length, file.key).toBe(footerLength + 8 > FOOTER_GUESS ? 2 : 1);
          expect(gets[0].range).toEqual({ suffix: Math.min(file.size, FOOTER_GUESS) });
        }
      }
      // The WIDE footer (900 extra columns) really is larger than the first guess, so the two-GET path ran.
      expect(await footerBytes(path.join(dir, 'data/ticks/daily/WIDE/2023/ticks.parquet'))).toBeGreaterThan(
        FOOTER_GUESS,
      );
      // Asked again: footers come from the cache, no GET at all.
      store.reset();
      await gql(fresh, FILES_QUERY, { t: 'WIDE' });
      expect(store.gets).toEqual([]);
    });

    it("a range reads only the files it needs, and only their bar columns' byte ranges", async () => {
      const fresh = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store });
      store.reset();
      await allBars(fresh, 'MIX', { from: '2022-03-01', to: '2022-06-30' });
      expect([...new Set(store.gets.map((g) => g.key))]).toEqual(['data/ticks/daily/MIX/2022/ticks.parquet']);
      // A small daily file arrives whole with its footer: one GET.
      expect(store.gets).toHaveLength(1);

      // A whole New York month: its UTC file, and the next one for the last evening (after 19:00 in
      // New York it is the 1st in UTC); never the month before, since the 1st begins at 04:00 or 05:00 UTC.
      store.reset();
      await allBars(await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store }), 'MN', {
        timeframe: 'MINUTE',
        from: '2024-02-01',
        to: '2024-02-29',
      });
      expect([...new Set(store.gets.map((g) => g.key))].sort()).toEqual([
        'data/ticks/minute/MN/2024/02/ticks.parquet',
        'data/ticks/minute/MN/2024/03/ticks.parquet',
      ]);

      store.reset();
      await allBars(fresh, 'MN', { timeframe: 'MINUTE', from: '2024-03-08', to: '2024-03-12' });
      expect([...new Set(store.gets.map((g) => g.key))]).toEqual(['data/ticks/minute/MN/2024/03/ticks.parquet']);
      // Footer by suffix, then one ranged GET for the column chunks the suffix lacked.
      expect(store.gets.map((g) => Object.keys(g.range ?? {}).join())).toEqual(['suffix', 'start,end']);

      // One day of a file with seven row groups: statistics prune the others, so most of the file is never fetched.
      store.reset();
      const feb = 'data/ticks/minute/MN/2024/02/ticks.parquet';
      const day = await allBars(fresh, 'MN', { timeframe: 'MINUTE', from: '2024-02-14', to: '2024-02-14' });
      expect(day.rows).toHaveLength(630);
      const febSize = (await store.inner.head(feb)).size;
      const fetched = store.gets.reduce(
        (n, g) => n + ('suffix' in g.range! ? g.range.suffix : g.range!.end! - g.range!.start + 1),
        0,
      );
      expect(store.gets.every((g) => g.key === feb)).toBe(true);
      expect(fetched).toBeLessThan(febSize / 2);

      store.reset();
      await allBars(fresh, 'WIDE', { from: '2023-01-01' });
      const data = store.gets.filter((g) => g.range && 'start' in g.range);
      const size = (await store.inner.head('data/ticks/daily/WIDE/2023/ticks.parquet')).size;
      // 6 of 906 columns: the data GET spans far less than the file.
      for (const g of data)
        expect((g.range as { end: number }).end - (g.range as { start: number }).start).toBeLessThan(size / 4);
    });
  });
}

/** Length of a Parquet file's metadata, from its last 8 bytes. */
async function footerBytes(file: string): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(file);
  return bytes.readUInt32LE(bytes.length - 8);
}
