// Multi-symbol export rate: GET /v1/bars?symbols=<100 tickers> over real HTTP next to DuckDB's COPY (SELECT …) TO of the same selection, in one run. `npx tsx bench/multi-symbol.ts`.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { buildApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { ensureDemoLake } from '../src/lake/demo/create-demo-lake.js';
import { DEMO_TICKERS } from '../src/lake/demo/tickers.js';
import { listAll } from '../src/lake/store/helpers.js';
import { LocalStore } from '../src/lake/store/local/store.js';

/*
 * DuckDB 1.5 has no Arrow IPC writer for COPY without the nanoarrow community extension, which
 * cannot be installed offline: its nearest formats, Parquet and CSV, stand in, and lakeql's Parquet
 * and CSV exports run beside them so the same format is compared as well.
 */
const { values: args } = parseArgs({
  options: {
    symbols: { type: 'string', default: '100' },
    years: { type: 'string', default: '5' },
    iterations: { type: 'string', default: '5' },
    lake: { type: 'string' },
  },
});
const SYMBOLS = Number(args.symbols);
const YEARS = Number(args.years);
const ITERATIONS = Number(args.iterations);

async function main(): Promise<void> {
  const dir = args.lake ?? (await mkdtemp(path.join(tmpdir(), 'lakeql-bench-multi-')));
  const out = await mkdtemp(path.join(tmpdir(), 'lakeql-bench-multi-out-'));
  const store = new LocalStore(dir);
  const years = Array.from({ length: YEARS }, (_, i) => 2025 - YEARS + 1 + i);
  // The demo's tickers, then made-up ones (the demo generator gives them stable parameters).
  const tickers = [...DEMO_TICKERS.map((t) => t.symbol)];
  for (let i = 0; tickers.length < SYMBOLS; i++)
    tickers.push(`Z${String.fromCharCode(65 + (Math.floor(i / 26) % 26))}${String.fromCharCode(65 + (i % 26))}`);
  tickers.length = SYMBOLS;
  const t0 = performance.now();
  const written = await ensureDemoLake(store, { years, tickers, minuteSymbols: [], minuteMonths: 0 });
  const files: string[] = [];
  for await (const { key } of listAll(store, { prefix: 'data/ticks/daily/' }))
    if (tickers.includes(key.split('/')[3])) files.push(path.join(dir, key));
  console.log(
    `lake: ${dir} — ${tickers.length} symbols × ${YEARS} years of daily bars, ${files.length} files${written ? ` (written in ${((performance.now() - t0) / 1000).toFixed(1)} s)` : ''}`,
  );

  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  const select = `SELECT regexp_extract(filename, 'daily/([^/]+)/', 1) AS symbol, date::TIMESTAMP AS time, date, open, high, low, close, volume, vwap, trades
    FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}], filename = true) ORDER BY symbol, date`;
  const [{ n }] = (await duck.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM (${select})`)).getRowObjectsJS() as {
    n: number;
  }[];
  const rows = Number(n);

  const query = `symbols=${tickers.join(',')}&from=${years[0]}-01-01&to=${years.at(-1)}-12-31`;
  const warmApp = await startApp(dir);
  const exported = tableFromIPC(
    new Uint8Array(await (await fetch(`${warmApp.origin}/v1/bars?${query}&format=arrow`)).arrayBuffer()),
  );
  if (exported.numRows !== rows) throw new Error(`lakeql exported ${exported.numRows} rows, DuckDB selects ${rows}`);
  console.log(
    `selection: ${rows} rows; lakeql answers ${exported.numRows} rows with columns ${exported.schema.fields.map((f) => f.name).join(', ')}\n`,
  );

  const lakeql = (app: { origin: string }, format: string) => async () => {
    const response = await fetch(`${app.origin}/v1/bars?${query}&format=${format}`);
    if (response.status !== 200) throw new Error(`${format}: ${response.status} ${await response.text()}`);
    let bytes = 0;
    const reader = response.body!.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.byteLength;
    return bytes;
  };
  const duckCopy = (format: string) => async () => {
    const file = path.join(out, `duck.${format}`);
    await duck.run(`COPY (${select}) TO '${file}' (FORMAT ${format})`);
    return (await stat(file)).size;
  };
  // Cold: a gateway started for the pass (its catalog index already built), so no decoded file is cached.
  const cold = async (): Promise<Sample> => {
    const app = await startApp(dir);
    try {
      const t = performance.now();
      const cpu = process.cpuUsage();
      await lakeql(app, 'arrow')();
      return { ms: performance.now() - t, cpuMs: cpuMs(process.cpuUsage(cpu)) };
    } finally {
      await app.app.stop();
    }
  };

  const contenders: [string, () => Promise<unknown>][] = [
    ['lakeql Arrow, warm (decoded files cached)', lakeql(warmApp, 'arrow')],
    ['lakeql Parquet, warm', lakeql(warmApp, 'parquet')],
    ['lakeql CSV, warm', lakeql(warmApp, 'csv')],
    ['DuckDB COPY … (FORMAT parquet)', duckCopy('parquet')],
    ['DuckDB COPY … (FORMAT csv)', duckCopy('csv')],
  ];
  const times = await interleaved(contenders.map(([, run]) => run));
  const coldSamples: Sample[] = [];
  for (let i = 0; i < ITERATIONS; i++) coldSamples.push(await cold());
  const coldTime = { ms: median(coldSamples.map((c) => c.ms)), cpuMs: median(coldSamples.map((c) => c.cpuMs)) };
  const line = (label: string, { ms, cpuMs: cpu }: Sample) =>
    console.log(
      `  ${label.padEnd(44)} ${(rows / (ms / 1000) / 1e6).toFixed(2).padStart(6)} M rows/s wall (${ms.toFixed(1)} ms)  ${(rows / (cpu / 1000) / 1e6).toFixed(2).padStart(6)} M rows/CPU-s (${cpu.toFixed(1)} ms CPU)`,
    );
  console.log(
    `${tickers.length} symbols × ${YEARS} years daily, ${rows} rows, medians of ${ITERATIONS} interleaved passes (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores):`,
  );
  line('lakeql Arrow, cold (fresh gateway)', coldTime);
  contenders.forEach(([label], i) => line(label, times[i]));
  const duckParquet = times[3];
  const ratio = (peer: Sample, ours: Sample) =>
    `${(peer.ms / ours.ms).toFixed(2)}× wall, ${(peer.cpuMs / ours.cpuMs).toFixed(2)}× CPU`;
  console.log(
    `  lakeql Arrow / DuckDB Parquet: cold ${ratio(duckParquet, coldTime)}; warm ${ratio(duckParquet, times[0])}`,
  );
  console.log(
    `  lakeql Parquet / DuckDB Parquet (warm): ${ratio(duckParquet, times[1])}; lakeql CSV / DuckDB CSV (warm): ${ratio(times[4], times[2])}`,
  );

  await warmApp.app.stop();
  duck.closeSync();
  await rm(out, { recursive: true, force: true });
  if (!args.lake) await rm(dir, { recursive: true, force: true });
}

async function startApp(dir: string): Promise<{ app: App; origin: string }> {
  const app = await buildApp(
    loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_LAKE: dir, LAKEQL_PORT: '0', LAKEQL_LOG_LEVEL: 'error' }),
  );
  const origin = new URL(await app.start()).origin;
  // The catalog index's first build (one listing per dataset root) is not part of a pass.
  await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ symbols(first: 1) { nodes { ticker } } }' }),
  });
  return { app, origin };
}

/**
 * Wall time, and the process's CPU time over the pass: everything runs in this process (gateway,
 * decode workers, HTTP client, DuckDB's threads), so CPU time compares the contenders even when
 * other work on the machine stretches wall times.
 */
interface Sample {
  ms: number;
  cpuMs: number;
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

/** Median wall and CPU ms of each contender over ITERATIONS rounds (after a warm-up round), taking turns in rotating order. */
async function interleaved(contenders: (() => Promise<unknown>)[]): Promise<Sample[]> {
  for (const run of contenders) await run();
  const samples = contenders.map(() => [] as Sample[]);
  for (let i = 0; i < ITERATIONS; i++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = (i + k) % contenders.length;
      const t = performance.now();
      const cpu = process.cpuUsage();
      await contenders[c]();
      samples[c].push({ ms: performance.now() - t, cpuMs: cpuMs(process.cpuUsage(cpu)) });
    }
  }
  return samples.map((s) => ({ ms: median(s.map((x) => x.ms)), cpuMs: median(s.map((x) => x.cpuMs)) }));
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
