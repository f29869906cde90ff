// Files from many writers (DuckDB in a dozen dialects) served exactly as DuckDB reads them, over a directory and over S3 (moto).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { skippedS3Servers } from '../support/s3-servers.js';
import { allBars, exportRows } from './client.js';
import { DAILY_SYMBOLS, duckDaily, writeDailySymbol } from './lakes.js';
import { barBackends, duck, expectRows, fromDuck } from './support.js';

let dir: string;
let db: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-bars-dialects-'));
  db = await duck();
  let seed = 1;
  for (const spec of DAILY_SYMBOLS) await writeDailySymbol(db, dir, spec, seed++);
});
afterAll(async () => {
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

const backends = barBackends(() => dir, 'bars-dialects');
for (const { name, reason } of skippedS3Servers()) it.skip(`bars over S3 on ${name}: ${reason}`, () => {});

for (const backend of backends) {
  describe(`bars from many writers, over ${backend.name}`, () => {
    let app: App;
    beforeAll(async () => {
      const store = await backend.open();
      app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), {
        store,
        location: { kind: 'local', directory: dir },
      });
    });

    for (const spec of DAILY_SYMBOLS) {
      const dialects = [...new Set(Object.values(spec.years))].join(' + ');
      it(`${spec.symbol} (${dialects}): every value equals DuckDB's reading`, async () => {
        const expected = (await duckDaily(db, dir, spec)).map(fromDuck);
        expect(expected.length).toBeGreaterThan(250);
        const { rows } = await allBars(app, spec.symbol);
        expectRows(rows, expected, spec.symbol);
      });
    }

    it('a range across years reads exactly the rows DuckDB selects', async () => {
      const spec = DAILY_SYMBOLS.find((s) => s.symbol === 'MIX')!;
      const range = { from: '2021-11-15', to: '2023-02-10' };
      const expected = (await duckDaily(db, dir, spec, range)).map(fromDuck);
      const { rows, pages } = await allBars(app, 'MIX', { ...range, first: 97 });
      expect(pages).toBe(Math.ceil(expected.length / 97));
      expectRows(rows, expected, 'MIX 2021-11-15..2023-02-10');
    });

    it('the export route answers the same values in every text and Arrow format', async () => {
      for (const symbol of ['NULLS', 'TSUS', 'VEND']) {
        const spec = DAILY_SYMBOLS.find((s) => s.symbol === symbol)!;
        const expected = (await duckDaily(db, dir, spec)).map(fromDuck);
        for (const format of ['json', 'ndjson', 'csv', 'arrow'] as const) {
          expectRows(await exportRows(app, symbol, format), expected, `${symbol} as ${format}`);
        }
      }
    });
  });
}
