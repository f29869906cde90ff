// Bars read rate: lakeql's reader next to DuckDB on the same files, in one run, with where lakeql's time goes. `npm run bench:bars`.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as pw from 'parquet-wasm';
import { DuckDBInstance } from '@duckdb/node-api';
import { indexSymbol, type SymbolIndex } from '../src/lake/catalog.js';
import { ensureDemoLake } from '../src/lake/demo/create-demo-lake.js';
import { filesFor, streamBars, type BarQuery } from '../src/lake/bars/query.js';
import { BarFileReader } from '../src/lake/bars/reader.js';
import { resolveBarColumns } from '../src/lake/parquet/bar-columns.js';
import { decodeJob, wholeFile } from '../src/lake/parquet/decode-job.js';
import { sharedDecodePool } from '../src/lake/parquet/decode-pool.js';
import { fetchSegments, readFooter } from '../src/lake/parquet/read-footer.js';
import { SegmentBlob } from '../src/lake/parquet/segment-blob.js';
import { listAll } from '../src/lake/store/helpers.js';
import { LocalStore } from '../src/lake/store/local/store.js';

const { values: args } = parseArgs({
  options: {
    years: { type: 'string', default: '30' },
    symbols: { type: 'string', default: '12' },
    iterations: { type: 'string', default: '15' },
    lake: { type: 'string' },
    /** Also sample the main thread's CPU during cold passes and print the heaviest functions. */
    'cpu-profile': { type: 'boolean', default: false },
  },
});
const YEARS = Number(args.years);
const SYMBOLS = Number(args.symbols);
const ITERATIONS = Number(args.iterations);
const MINUTE_SYMBOLS = ['AAPL', 'MSFT', 'SPY'];

interface Workload {
  name: string;
  store: LocalStore;
  dir: string;
  /** One query per symbol: the symbol's index, the bar query, and the files holding its bars (keys). */
  queries: { index: SymbolIndex; query: BarQuery; files: string[] }[];
}

async function main(): Promise<void> {
  const dir = args.lake ?? (await mkdtemp(path.join(tmpdir(), 'lakeql-bench-bars-')));
  const store = new LocalStore(dir);
  const lastYear = 2025;
  const years = Array.from({ length: YEARS }, (_, i) => lastYear - YEARS + 1 + i);
  const { DEMO_TICKERS } = await import('../src/lake/demo/tickers.js');
  const tickers = [...new Set([...MINUTE_SYMBOLS, ...DEMO_TICKERS.map((t) => t.symbol)])].slice(0, SYMBOLS);
  const started = performance.now();
  const written = await ensureDemoLake(store, { years, tickers, minuteSymbols: MINUTE_SYMBOLS, minuteMonths: 3 });
  console.log(
    `lake: ${dir} — ${tickers.length} symbols × ${YEARS} years of daily bars (zstd, lakeql's writer), minute bars for ${MINUTE_SYMBOLS.join(', ')}${written ? ` (written in ${((performance.now() - started) / 1000).toFixed(1)} s)` : ''}`,
  );

  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();

  // The minute files again, rewritten by DuckDB with snappy (pandas' and pyarrow's default codec):
  // zstd decompression inside parquet-wasm turned out to be most of a minute file's decode.
  const snappyDir = await mkdtemp(path.join(tmpdir(), 'lakeql-bench-bars-snappy-'));
  const snappyStore = new LocalStore(snappyDir);
  for await (const { key } of listAll(store, { prefix: 'data/ticks/minute/' })) {
    await mkdir(path.dirname(path.join(snappyDir, key)), { recursive: true });
    await duck.run(
      `COPY (SELECT * FROM read_parquet('${path.join(dir, key)}')) TO '${path.join(snappyDir, key)}' (FORMAT parquet, COMPRESSION snappy)`,
    );
  }

  const daily: Workload = { name: 'whole-history daily (DAY), zstd', store, dir, queries: [] };
  const minute: Workload = { name: 'one month of minute bars (MINUTE), zstd', store, dir, queries: [] };
  const minuteSnappy: Workload = {
    name: 'the same month of minute bars, snappy',
    store: snappyStore,
    dir: snappyDir,
    queries: [],
  };
  for (const ticker of tickers) {
    const index = await indexSymbol(store, ticker);
    const query: BarQuery = { timeframe: 'DAY' };
    daily.queries.push({ index, query, files: filesFor(index, query).map((f) => f.file.key) });
    if (MINUTE_SYMBOLS.includes(ticker)) {
      const query: BarQuery = { timeframe: 'MINUTE', from: Date.UTC(lastYear, 10, 1), to: Date.UTC(lastYear, 10, 30) };
      // DuckDB gets the month's file only, as a DuckDB user would write it; lakeql also plans the
      // next month, whose first hours are the last New York evening, and skips it by footer statistics.
      const month = filesFor(index, query).filter((f) => f.start === Date.UTC(lastYear, 10, 1));
      minute.queries.push({ index, query, files: month.map((f) => f.file.key) });
      minuteSnappy.queries.push({
        index: await indexSymbol(snappyStore, ticker),
        query,
        files: month.map((f) => f.file.key),
      });
    }
  }

  const pool = sharedDecodePool();
  pool.warm();

  for (const workload of [daily, minute, minuteSnappy]) {
    const { store, dir } = workload;
    const rows = await lakeqlRows(store, workload);
    console.log(
      `\n${workload.name}: ${workload.queries.length} queries, ${workload.queries.reduce((n, q) => n + q.files.length, 0)} files, ${rows} rows per pass`,
    );
    const reader = new BarFileReader(store);
    await lakeqlRows(store, workload, reader);
    // Interleaved, so a load spike on this machine hits every contender alike rather than one of them.
    const [cold, warm, duckEngine, duckJs] = await interleaved([
      () => lakeqlRows(store, workload),
      () => lakeqlRows(store, workload, reader),
      () => duckRows(duck, dir, workload, false),
      () => duckRows(duck, dir, workload, true),
    ]);
    const rate = (ms: number) => rows / (ms / 1000);
    const line = (label: string, ms: number) =>
      console.log(
        `  ${label.padEnd(44)} ${(rate(ms) / 1e6).toFixed(2).padStart(7)} M rows/s  (${ms.toFixed(2)} ms per pass)`,
      );
    line('lakeql reader, cold (fresh caches)', cold);
    line('lakeql reader, warm (decoded-file cache)', warm);
    line('DuckDB read_parquet → materialized result', duckEngine);
    line('DuckDB read_parquet → JS values', duckJs);
    console.log(
      `  ratio lakeql cold / DuckDB materialized: ${(duckEngine / cold).toFixed(2)}×   cold / DuckDB→JS: ${(duckJs / cold).toFixed(2)}×   warm / DuckDB materialized: ${(duckEngine / warm).toFixed(2)}×`,
    );
    await profile(store, workload, cold);
    await threadTimes(() => lakeqlRows(store, workload));
    if (args['cpu-profile']) await cpuProfile(() => lakeqlRows(store, workload));
  }
  duck.closeSync();
  await pool.close();
  if (!args.lake) await rm(dir, { recursive: true, force: true });
  await rm(snappyDir, { recursive: true, force: true });
}

/** Rows of every query of a workload, through the lake-level API (no GraphQL): plan, range reads, decode, fold. */
async function lakeqlRows(store: LocalStore, workload: Workload, reader = new BarFileReader(store)): Promise<number> {
  let rows = 0;
  for (const { index, query } of workload.queries) {
    for await (const batch of streamBars(reader, index, query)) rows += batch.length;
  }
  return rows;
}

/** The same files through DuckDB, ordered by time, either left in DuckDB's result or converted to JS values. */
async function duckRows(
  duck: import('@duckdb/node-api').DuckDBConnection,
  dir: string,
  workload: Workload,
  toJs: boolean,
): Promise<number> {
  let rows = 0;
  for (const { files, query } of workload.queries) {
    const time = query.timeframe === 'MINUTE' ? '"timestamp"' : 'date';
    const result = await duck.runAndReadAll(
      `SELECT ${time}, open, high, low, close, volume, vwap, trades FROM read_parquet([${files.map((f) => `'${path.join(dir, f)}'`).join(', ')}]) ORDER BY ${time}`,
    );
    rows += result.currentRowCount;
    if (toJs) result.getColumnsJS();
  }
  return rows;
}

/** Median ms of each contender over ITERATIONS rounds (after a warm-up round), taking turns in rotating order. */
async function interleaved(contenders: (() => Promise<unknown>)[]): Promise<number[]> {
  for (const run of contenders) await run();
  const times = contenders.map(() => [] as number[]);
  for (let i = 0; i < ITERATIONS; i++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = (i + k) % contenders.length;
      const t0 = performance.now();
      await contenders[c]();
      times[c].push(performance.now() - t0);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

/** Median ms of ITERATIONS passes (after one warm-up pass). */
async function timed(pass: () => Promise<unknown>): Promise<number> {
  await pass();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await pass();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/**
 * Splits a cold pass into its stages, each timed alone over every file of the workload: the range
 * reads, the decode on the worker (round trip included), the same decode on this thread (wasm
 * Parquet → Arrow in wasm memory → Float64Arrays), and the fold into bars with everything already decoded.
 */
async function profile(store: LocalStore, workload: Workload, coldMs: number): Promise<void> {
  // The files a pass decodes (the next minute month is skipped by its footer).
  const files = workload.queries.flatMap(({ index, query, files: keys }) =>
    filesFor(index, query)
      .map((f) => f.file)
      .filter((f) => keys.includes(f.key)),
  );
  const io = await timed(async () => {
    for (const f of files) {
      const { footer, tail } = await readFooter(store, f);
      await fetchSegments(
        store,
        f,
        footer.rowGroups.flatMap((g) => g.chunks),
        [tail],
      );
    }
  });
  const inputs = await Promise.all(
    files.map(async (f) => {
      const { footer, tail } = await readFooter(store, f);
      const segments = [
        tail,
        ...(await fetchSegments(
          store,
          f,
          footer.rowGroups.flatMap((g) => g.chunks),
          [tail],
        )),
      ];
      const map = resolveBarColumns(f.key, footer);
      return { f, segments, names: { time: map.time.name, values: map.values }, rows: footer.numRows };
    }),
  );
  const pool = sharedDecodePool();
  const worker = await timed(async () => {
    await Promise.all(
      inputs.map((i) =>
        pool.decode({ key: i.f.key, size: i.f.size, segments: i.segments, names: i.names, rows: i.rows }, () =>
          Promise.reject(new Error('unexpected fetch')),
        ),
      ),
    );
  });
  // The worker's own decode (wasm read, then the columns copied out of wasm memory), here on this
  // thread; and the wasm read alone, which is most of it.
  const jobs = inputs.map((i, id) => ({
    id,
    key: i.f.key,
    size: i.f.size,
    segments: i.segments,
    names: i.names,
    rows: i.rows,
  }));
  const noFetch = () => Promise.reject(new Error('unexpected fetch'));
  const inThread = await timed(async () => {
    for (const job of jobs) await decodeJob(job, noFetch);
  });
  const wasmOnly = await timed(async () => {
    for (const i of inputs) {
      const options = {
        columns: [i.names.time, ...Object.values(i.names.values)],
        batchSize: Math.max(1, Math.min(i.rows, 1 << 16)),
      };
      const whole = wholeFile({ segments: i.segments, size: i.f.size });
      if (whole) pw.readParquet(whole, options).free();
      else {
        const file = await pw.ParquetFile.fromFile(new SegmentBlob(i.f.size, i.segments, noFetch) as unknown as Blob);
        (await file.read({ ...options, concurrency: 1 })).free();
        file.free();
      }
    }
  });
  const reader = new BarFileReader(store);
  await lakeqlRows(store, workload, reader);
  const fold = await timed(async () => lakeqlRows(store, workload, reader));
  const pct = (ms: number) => `${((ms / coldMs) * 100).toFixed(0)}%`.padStart(4);
  console.log(`  where a cold pass (${coldMs.toFixed(2)} ms) goes, each stage timed alone:`);
  console.log(`    range reads (footer suffix + column chunks)  ${io.toFixed(2).padStart(8)} ms ${pct(io)}`);
  console.log(
    `    decode on the worker pool, round trip        ${worker.toFixed(2).padStart(8)} ms ${pct(worker)}  (${pool.size} threads, all files in parallel)`,
  );
  console.log(
    `    same decode on one thread                    ${inThread.toFixed(2).padStart(8)} ms, of which the wasm Parquet read ${wasmOnly.toFixed(2)} ms`,
  );
  console.log(`    fold into bars from the decoded cache        ${fold.toFixed(2).padStart(8)} ms ${pct(fold)}`);
}

/**
 * CPU time per cold pass, by thread (Linux /proc): the main thread drives reads, footers and the
 * fold; the others are the decode workers, V8's background GC and libuv's file I/O pool. Next to
 * the pass's wall time it shows how much of the two cores a pass keeps busy.
 */
async function threadTimes(pass: () => Promise<unknown>): Promise<void> {
  const { readdir, readFile } = await import('node:fs/promises');
  const sample = async () => {
    const times = new Map<number, number>();
    for (const tid of await readdir('/proc/self/task').catch(() => [])) {
      const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8').catch(() => '');
      // utime and stime, fields 14 and 15, counted after the parenthesised command name; in clock ticks (10 ms).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields.length > 12) times.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * 10);
    }
    return times;
  };
  const before = await sample();
  if (before.size === 0) return;
  const t0 = performance.now();
  for (let i = 0; i < ITERATIONS; i++) await pass();
  const wall = (performance.now() - t0) / ITERATIONS;
  const after = await sample();
  let main = 0;
  let others = 0;
  for (const [tid, ms] of after) {
    const spent = (ms - (before.get(tid) ?? 0)) / ITERATIONS;
    if (tid === process.pid) main = spent;
    else others += spent;
  }
  console.log(
    `    CPU per cold pass (${wall.toFixed(0)} ms wall): main thread ${main.toFixed(0)} ms, other threads ${others.toFixed(0)} ms (decode workers, GC, file I/O)`,
  );
}

/** Samples the main thread (inspector Profiler) over a few cold passes and prints self time by function. */
async function cpuProfile(pass: () => Promise<unknown>): Promise<void> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  for (let i = 0; i < ITERATIONS; i++) await pass();
  const { profile } = (await session.post('Profiler.stop')) as unknown as {
    profile: {
      nodes: { id: number; callFrame: { functionName: string; url: string } }[];
      samples: number[];
      timeDeltas: number[];
    };
  };
  session.disconnect();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url } = byId.get(id)!.callFrame;
    const name = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}`.trim();
    self.set(name, (self.get(name) ?? 0) + profile.timeDeltas[i]);
    total += profile.timeDeltas[i];
  });
  console.log(`  main thread during ${ITERATIONS} cold passes, self time (idle = waiting on workers and I/O):`);
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 14)) {
    console.log(`    ${((us / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
}

await main();
