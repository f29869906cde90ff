// Query.snapshot next to DuckDB's window-function answer over the same daily files, cold and warm, plus S3 requests per symbol on moto. `npx tsx bench/snapshot.ts`.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { BarRow } from '../src/lake/bars/types.js';
import { dailyTicksKey } from '../src/lake/layout.js';
import { writeBarsParquet } from '../src/lake/parquet/write.js';
import { CountingStore } from '../src/lake/store/counting.js';
import { LocalStore } from '../src/lake/store/local/store.js';
import type { ObjectStore } from '../src/lake/store/types.js';
import { createBucket, s3StoreOn } from '../test/support/s3-servers.js';
import { startMoto } from './moto.js';

const { values: args } = parseArgs({
  options: {
    symbols: { type: 'string', default: '500' },
    years: { type: 'string', default: '5' },
    iterations: { type: 'string', default: '5' },
    /** Skip the moto part (request counts). */
    'no-s3': { type: 'boolean', default: false },
  },
});
const SYMBOLS = Number(args.symbols);
const YEARS = Number(args.years);
const ITERATIONS = Number(args.iterations);
const LAST_YEAR = 2025;
const DAY_MS = 86_400_000;

const QUERY = `query($date: Date) { snapshot(date: $date, first: 10000) { totalCount nodes { ticker date open high low close volume previousClose change changePercent } } }`;
const CONFIG = { LAKEQL_DEMO: 'never', LAKEQL_MAX_PAGE_SIZE: '10000', LAKEQL_MAX_COST: '1000000000' };

interface Answer {
  ticker: string;
  date: string;
  close: number;
  previousClose: number | null;
  changePercent: number | null;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lakeql-bench-snapshot-'));
  try {
    const started = performance.now();
    const files = await writeLake(dir);
    console.log(
      `lake: ${dir} — ${SYMBOLS} symbols × ${YEARS} years of daily bars, ${files} files (lakeql's writer, zstd), written in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    console.log(
      `each figure: median of ${ITERATIONS} runs after one untimed pass; cold = a fresh gateway (catalog listing, footers, row groups) / a fresh DuckDB instance; warm = the same one again\n`,
    );

    // One untimed pass each: the process's first gateway pays for loading modules (compiled by tsx)
    // and starting the decode workers, which is process start-up, not a cold query.
    const warmUp = await buildApp(loadConfig(CONFIG), { store: new LocalStore(dir) });
    await lakeSnapshot(warmUp);
    await warmUp.stop();
    const warmUpDuck = await DuckDBInstance.create(':memory:');
    await duckSnapshot(await warmUpDuck.connect(), dir);
    warmUpDuck.closeSync();

    for (const date of [undefined, `${LAST_YEAR - 2}-06-30`]) {
      const label = date ? `as of ${date}` : 'as of the newest bar';
      const lakeCold: number[] = [];
      const lakeWarm: number[] = [];
      const duckCold: number[] = [];
      const duckWarm: number[] = [];
      let lakeAnswer: Answer[] = [];
      let duckAnswer: Answer[] = [];
      for (let i = 0; i < ITERATIONS; i++) {
        // Alternate who goes first, so neither always profits from the other's page cache.
        const runLake = async () => {
          const app = await buildApp(loadConfig(CONFIG), { store: new LocalStore(dir) });
          try {
            lakeCold.push(await timed(async () => (lakeAnswer = await lakeSnapshot(app, date))));
            lakeWarm.push(await timed(async () => (lakeAnswer = await lakeSnapshot(app, date))));
          } finally {
            await app.stop();
          }
        };
        const runDuck = async () => {
          const instance = await DuckDBInstance.create(':memory:');
          const db = await instance.connect();
          duckCold.push(await timed(async () => (duckAnswer = await duckSnapshot(db, dir, date))));
          duckWarm.push(await timed(async () => (duckAnswer = await duckSnapshot(db, dir, date))));
          db.closeSync();
          instance.closeSync();
        };
        if (i % 2 === 0) {
          await runLake();
          await runDuck();
        } else {
          await runDuck();
          await runLake();
        }
      }
      const mismatches = compare(lakeAnswer, duckAnswer);
      console.log(
        `snapshot ${label}: ${lakeAnswer.length} symbols; answers ${mismatches === 0 ? 'equal' : `DIFFER in ${mismatches} symbols`}`,
      );
      row('cold', median(lakeCold), median(duckCold));
      row('warm', median(lakeWarm), median(duckWarm));
    }
    if (!args['no-s3']) await s3Requests(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function row(label: string, lake: number, duck: number): void {
  console.log(
    `  ${label}: lakeql ${lake.toFixed(1)} ms, DuckDB ${duck.toFixed(1)} ms — lakeql speed ${(duck / lake).toFixed(2)}× DuckDB's`,
  );
}

async function lakeSnapshot(app: App, date?: string): Promise<Answer[]> {
  const response = await app.yoga.fetch('http://bench/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY, variables: { date } }),
  });
  const body = (await response.json()) as { data?: { snapshot: { nodes: Answer[] } }; errors?: unknown };
  if (!body.data) throw new Error(`snapshot failed: ${JSON.stringify(body.errors)}`);
  return body.data.snapshot.nodes;
}

/** The same answer by window functions: per ticker the last bar with date ≤ asOf, and the close before it. */
async function duckSnapshot(
  db: Awaited<ReturnType<DuckDBInstance['connect']>>,
  dir: string,
  date?: string,
): Promise<Answer[]> {
  const where = date ? `WHERE date <= DATE '${date}'` : '';
  const result = await db.runAndReadAll(`
    WITH bars AS (
      SELECT regexp_extract(filename, 'daily/([^/]+)/', 1) AS ticker, date, open, high, low, close, volume
      FROM read_parquet('${dir}/data/ticks/daily/*/*/ticks.parquet', filename = true) ${where}),
    ranked AS (
      SELECT *, lag(close) OVER (PARTITION BY ticker ORDER BY date) AS prev, row_number() OVER (PARTITION BY ticker ORDER BY date DESC) AS k FROM bars)
    SELECT ticker, strftime(date, '%Y-%m-%d') AS date, close, prev AS "previousClose", (close - prev) / prev * 100 AS "changePercent"
    FROM ranked WHERE k = 1 ORDER BY ticker`);
  return result.getRowObjectsJS() as unknown as Answer[];
}

function compare(a: Answer[], b: Answer[]): number {
  const byTicker = new Map(b.map((r) => [r.ticker, r]));
  let bad = Math.abs(a.length - b.length);
  const near = (x: number | null, y: number | null) =>
    x === null || y === null ? x === y : Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
  for (const r of a) {
    const o = byTicker.get(r.ticker);
    if (
      !o ||
      o.date !== r.date ||
      !near(r.close, Number(o.close)) ||
      !near(r.previousClose, o.previousClose === null ? null : Number(o.previousClose)) ||
      !near(r.changePercent, o.changePercent === null ? null : Number(o.changePercent))
    )
      bad++;
  }
  return bad;
}

/** S3 requests per symbol on moto_server: cold (a fresh gateway) and warm (the same one again). */
async function s3Requests(dir: string): Promise<void> {
  const { server, stop } = await startMoto();
  try {
    const bucket = await createBucket(server, 'bench-snapshot');
    const s3 = s3StoreOn(server, bucket);
    const uploaded = await upload(dir, s3);
    const store = new CountingStore(s3);
    const app = await buildApp(loadConfig(CONFIG), { store });
    try {
      const total = () => ['get', 'head', 'list'].reduce((n, m) => n + store.count(m as 'get'), 0);
      const t0 = performance.now();
      const cold = await lakeSnapshot(app);
      const coldMs = performance.now() - t0;
      const coldRequests = total();
      const coldLists = store.count('list');
      store.reset();
      const t1 = performance.now();
      await lakeSnapshot(app);
      const warmMs = performance.now() - t1;
      console.log(`\nS3 on moto_server (${uploaded} objects): snapshot of ${cold.length} symbols`);
      console.log(
        `  cold: ${coldRequests} requests (${coldLists} listings) = ${(coldRequests / cold.length).toFixed(2)} per symbol, ${coldMs.toFixed(0)} ms`,
      );
      console.log(
        `  warm: ${total()} requests = ${(total() / cold.length).toFixed(2)} per symbol, ${warmMs.toFixed(0)} ms`,
      );
    } finally {
      await app.stop();
    }
  } finally {
    stop();
  }
}

async function upload(dir: string, store: ObjectStore): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  for (let i = 0; i < files.length; i += 32) {
    await Promise.all(
      files
        .slice(i, i + 32)
        .map(async (file) => store.put(path.relative(dir, file).split(path.sep).join('/'), await readFile(file))),
    );
  }
  return files.length;
}

/** Weekday bars of a seeded random walk per symbol, one zstd file a year (lakeql's writer; the values are what matter, not who wrote them). */
async function writeLake(dir: string): Promise<number> {
  let files = 0;
  for (let s = 0; s < SYMBOLS; s++) {
    const ticker = `S${String(s).padStart(4, '0')}`;
    let seed = s * 7919 + 1;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    let price = 20 + random() * 200;
    for (let year = LAST_YEAR - YEARS + 1; year <= LAST_YEAR; year++) {
      const bars: BarRow[] = [];
      for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += DAY_MS) {
        const weekday = new Date(t).getUTCDay();
        if (weekday === 0 || weekday === 6) continue;
        const open = price;
        price = Math.max(1, price * (1 + (random() - 0.5) * 0.04));
        bars.push({
          time: t,
          open,
          high: Math.max(open, price) * 1.01,
          low: Math.min(open, price) * 0.99,
          close: price,
          volume: Math.floor(1e5 + random() * 1e7),
          vwap: (open + price) / 2,
          trades: Math.floor(100 + random() * 1e4),
        });
      }
      const file = path.join(dir, dailyTicksKey(ticker, year));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, writeBarsParquet(bars, { resolution: 'DAILY' }));
      files++;
    }
  }
  return files;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await work();
  return performance.now() - t;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
