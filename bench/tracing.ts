// What tracing costs: the same bars queries through the gateway with tracing off and on (every span kept in memory), side by side. `npx tsx bench/tracing.ts`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { BarRow } from '../src/lake/bars/types.js';
import { writeBarsParquet } from '../src/lake/parquet/write.js';
import { LocalStore } from '../src/lake/store/local/store.js';

const { values: args } = parseArgs({
  options: {
    symbols: { type: 'string', default: '20' },
    years: { type: 'string', default: '10' },
    iterations: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
  },
});
const SYMBOLS = Number(args.symbols);
const YEARS = Number(args.years);
const ITERATIONS = Number(args.iterations);
const ROUNDS = Number(args.rounds);

const dir = await mkdtemp(path.join(tmpdir(), 'lakeql-bench-tracing-'));
const store = new LocalStore(dir);
const tickers = Array.from(
  { length: SYMBOLS },
  (_, i) => `TR${String.fromCharCode(65 + (i % 26))}${Math.floor(i / 26) || ''}`,
);
for (const ticker of tickers) {
  for (let y = 0; y < YEARS; y++) {
    const year = 2014 + y;
    const rows: BarRow[] = [];
    for (let d = 0; d < 365; d++) {
      const time = Date.UTC(year, 0, 1 + d);
      const weekday = new Date(time).getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      const close = 100 + Math.sin(d / 9 + y) * 10;
      rows.push({ time, open: close - 0.5, high: close + 1, low: close - 1, close, volume: 1_000_000 + d });
    }
    await store.put(
      `data/ticks/daily/${ticker}/${year}/ticks.parquet`,
      writeBarsParquet(rows, { resolution: 'DAILY' }),
    );
  }
}

// Every symbol's weekly bars over the whole history: catalog, footers, decodes, resampling. A new
// `first` each time keeps the response cache from answering; the decoded-file cache stays warm after the first pass.
const query = (first: number) =>
  `{ symbols(first: ${SYMBOLS}) { edges { node { ticker bars(timeframe: WEEK, first: ${first}) { nodes { close } } } } } }`;

async function run(traced: boolean): Promise<{ cold: number; warm: number; spans: number }> {
  const exporter = traced ? new InMemorySpanExporter() : undefined;
  const app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_PORT: '0' }), {
    store,
    location: { kind: 'local', directory: dir },
    log: () => {},
    traceExporter: exporter,
  });
  app.services.bars.pool.warm();
  const ask = async (first: number) => {
    const response = await app.yoga.fetch('http://bench/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: query(first) }),
    });
    const body = (await response.json()) as { errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
  };
  let started = performance.now();
  await ask(1000);
  const cold = performance.now() - started;
  started = performance.now();
  for (let i = 0; i < ITERATIONS; i++) await ask(999 - i);
  const warm = (performance.now() - started) / ITERATIONS;
  const spans = exporter?.getFinishedSpans().length ?? 0;
  await app.stop();
  return { cold, warm, spans };
}

console.log(
  `${SYMBOLS} symbols × ${YEARS} years of daily bars; weekly bars of every symbol per query; ${ITERATIONS} warm queries a run`,
);
// Discarded: starts the decoder threads and the JIT, which the first measured run would otherwise pay alone.
await run(false);
const results: Record<'off' | 'on', { cold: number[]; warm: number[]; spans: number }> = {
  off: { cold: [], warm: [], spans: 0 },
  on: { cold: [], warm: [], spans: 0 },
};
for (let round = 0; round < ROUNDS; round++) {
  // Alternating, so neither side always runs on a warmer JIT.
  for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
    const r = await run(mode === 'on');
    results[mode].cold.push(r.cold);
    results[mode].warm.push(r.warm);
    results[mode].spans = r.spans;
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const mode of ['off', 'on'] as const) {
  const r = results[mode];
  console.log(
    `tracing ${mode.padEnd(3)}  cold ${median(r.cold).toFixed(1).padStart(7)} ms   warm ${median(r.warm).toFixed(2).padStart(7)} ms/query${mode === 'on' ? `   (${r.spans} spans in the last run)` : ''}`,
  );
}
console.log(
  `on/off: cold ×${(median(results.on.cold) / median(results.off.cold)).toFixed(2)}, warm ×${(median(results.on.warm) / median(results.off.warm)).toFixed(2)}`,
);
await rm(dir, { recursive: true, force: true });
process.exit(0);
