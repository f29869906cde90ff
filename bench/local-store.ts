// Per-call cost of LocalStore's read path (get, ranged get, head, list) next to the plain fs calls it wraps, in one run. `npx tsx bench/local-store.ts`.
//
//   npx tsx bench/local-store.ts                      (12 symbols × 30 years of daily bars, 15 rounds)
//   npx tsx bench/local-store.ts --lake /tmp/l --rounds 30
//
// Each round runs every contender once over every file, in rotating order, so a load spike on
// this shared machine hits lakeql and plain fs alike; the median round is printed. "Plain" is
// what a caller would write with node:fs/promises and no guarantees (no confinement, no
// metadata, no ETag): the floor the store's overhead is measured against.
import * as fs from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDemoLake } from '../src/lake/demo/create-demo-lake.js';
import { getBytes, listAll } from '../src/lake/store/helpers.js';
import { LocalStore } from '../src/lake/store/local/store.js';
import type { ObjectMeta } from '../src/lake/store/types.js';

const { values: args } = parseArgs({
  options: {
    lake: { type: 'string' },
    symbols: { type: 'string', default: '12' },
    years: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '15' },
  },
});
const ROUNDS = Number(args.rounds);
const FOOTER = 64 * 1024;
const CHUNK = 4096;

/** One row of the table: the store's way and the plain way of doing the same thing, `calls` times per round. */
interface Pair {
  label: string;
  calls: number;
  lakeql: () => Promise<unknown>;
  plain: () => Promise<unknown>;
}

async function main(): Promise<void> {
  const dir = args.lake ?? (await mkdtemp(path.join(tmpdir(), 'lakeql-bench-store-')));
  const store = new LocalStore(dir);
  const years = Array.from({ length: Number(args.years) }, (_, i) => 2025 - Number(args.years) + 1 + i);
  const { DEMO_TICKERS } = await import('../src/lake/demo/tickers.js');
  const tickers = [...new Set(['AAPL', 'MSFT', 'SPY', ...DEMO_TICKERS.map((t) => t.symbol)])].slice(
    0,
    Number(args.symbols),
  );
  await ensureDemoLake(store, { years, tickers, minuteSymbols: ['AAPL', 'MSFT', 'SPY'], minuteMonths: 3 });
  const daily = await collect(listAll(store, { prefix: 'data/ticks/daily/' }));
  const minute = await collect(listAll(store, { prefix: 'data/ticks/minute/' }));
  const abs = (key: string) => path.join(dir, key);
  const symbolPrefix = `data/ticks/daily/${tickers[0]}/`;
  const symbolKeys = daily.filter((o) => o.key.startsWith(symbolPrefix)).length;
  console.log(
    `lake: ${dir} — ${daily.length} daily files (≈ ${kib(avg(daily))} KiB), ${minute.length} minute files (≈ ${kib(avg(minute))} KiB); node ${process.version}, ${ROUNDS} rounds`,
  );

  const pairs: Pair[] = [
    {
      label: 'get whole daily file',
      calls: daily.length,
      lakeql: () => each(daily, (o) => getBytes(store, o.key)),
      plain: () => each(daily, (o) => fs.readFile(abs(o.key))),
    },
    {
      label: 'get 64 KiB suffix + ifMatch (footer)',
      calls: daily.length,
      lakeql: () => each(daily, (o) => getBytes(store, o.key, { range: { suffix: FOOTER }, ifMatch: o.etag })),
      plain: () => each(daily, (o) => plainRead(abs(o.key), (size) => Math.max(0, size - FOOTER), FOOTER)),
    },
    {
      label: 'get 4 KiB range + ifMatch (column chunk)',
      calls: daily.length,
      lakeql: () =>
        each(daily, (o) => getBytes(store, o.key, { range: { start: 4, end: 4 + CHUNK - 1 }, ifMatch: o.etag })),
      plain: () => each(daily, (o) => plainRead(abs(o.key), () => 4, CHUNK)),
    },
    {
      label: 'get suffix, first touch (new store)',
      calls: daily.length,
      lakeql: () => {
        const fresh = new LocalStore(dir);
        return each(daily, (o) => getBytes(fresh, o.key, { range: { suffix: FOOTER }, ifMatch: o.etag }));
      },
      plain: () => each(daily, (o) => plainRead(abs(o.key), (size) => Math.max(0, size - FOOTER), FOOTER)),
    },
    {
      label: 'get whole minute file',
      calls: minute.length,
      lakeql: () => each(minute, (o) => getBytes(store, o.key)),
      plain: () => each(minute, (o) => fs.readFile(abs(o.key))),
    },
    {
      label: 'head',
      calls: daily.length,
      lakeql: () => each(daily, (o) => store.head(o.key)),
      plain: () => each(daily, (o) => fs.stat(abs(o.key), { bigint: true })),
    },
    {
      label: `list one symbol, per key (${symbolKeys} keys)`,
      calls: symbolKeys,
      lakeql: () => collect(listAll(store, { prefix: symbolPrefix })),
      plain: () => plainList(abs(symbolPrefix)),
    },
    {
      label: `list all daily, per key (${daily.length} keys)`,
      calls: daily.length,
      lakeql: () => collect(listAll(store, { prefix: 'data/ticks/daily/' })),
      plain: () => plainList(abs('data/ticks/daily/')),
    },
    {
      label: `list symbols (delimiter), per symbol`,
      calls: tickers.length,
      lakeql: () => store.list({ prefix: 'data/ticks/daily/', delimiter: '/' }),
      plain: async () => {
        for (const symbol of await fs.readdir(abs('data/ticks/daily/')))
          await plainHasFile(abs(`data/ticks/daily/${symbol}`));
      },
    },
  ];

  // One warm-up pass of everything: page cache, dentries, JIT.
  for (const p of pairs) {
    await p.lakeql();
    await p.plain();
  }
  const times = pairs.map(() => ({ lakeql: [] as number[], plain: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < pairs.length; k++) {
      const i = (round + k) % pairs.length;
      const order = round % 2 === 0 ? (['lakeql', 'plain'] as const) : (['plain', 'lakeql'] as const);
      for (const side of order) {
        const t0 = performance.now();
        await pairs[i][side]();
        times[i][side].push(((performance.now() - t0) * 1000) / pairs[i].calls);
      }
    }
  }
  console.log(
    `\n  ${'µs per call (median round)'.padEnd(44)} ${'lakeql'.padStart(8)} ${'plain fs'.padStart(9)}   ratio`,
  );
  pairs.forEach((p, i) => {
    const l = median(times[i].lakeql);
    const f = median(times[i].plain);
    console.log(
      `  ${p.label.padEnd(44)} ${l.toFixed(1).padStart(8)} ${f.toFixed(1).padStart(9)}   ${(l / f).toFixed(2)}×`,
    );
  });
  if (!args.lake) await rm(dir, { recursive: true, force: true });
}

/** open, fstat, one positional read, close: what a Parquet reader does by hand. */
async function plainRead(file: string, start: (size: number) => number, length: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat({ bigint: true });
    const from = start(Number(size));
    const buffer = Buffer.allocUnsafe(Math.min(length, Number(size) - from));
    await handle.read(buffer, 0, buffer.length, from);
    return buffer;
  } finally {
    await handle.close();
  }
}

/** readdir down the tree and stat every file, in no particular order: the least a listing with sizes can do. */
async function plainList(dir: string): Promise<number> {
  let n = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) n += await plainList(full);
    else if (entry.isFile()) {
      await fs.stat(full, { bigint: true });
      n++;
    }
  }
  return n;
}

/** Whether a directory holds a file anywhere below: what S3 semantics ask before a "directory" counts as a common prefix. */
async function plainHasFile(dir: string): Promise<boolean> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isFile() || (entry.isDirectory() && (await plainHasFile(path.join(dir, entry.name))))) return true;
  }
  return false;
}

async function each(objects: ObjectMeta[], fn: (o: ObjectMeta) => Promise<unknown>): Promise<void> {
  for (const o of objects) await fn(o);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const avg = (os: ObjectMeta[]) => os.reduce((n, o) => n + o.size, 0) / Math.max(1, os.length);
const kib = (bytes: number) => (bytes / 1024).toFixed(0);

await main();
