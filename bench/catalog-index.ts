// The catalog index's memory and build time on a synthetic 1,000,000-key lake, and its S3 cost on moto_server, side by side with today's shapes.
//
//   npm run bench:index                                   (1,000,000 synthetic keys; 20,000 keys on moto)
//   BENCH_SKIP_SYNTHETIC=1 BENCH_MOTO_KEYS=1000000 npm run bench:index     (the 1,000,000-key lake on moto_server)
//   BENCH_KEYS=200000 BENCH_MOTO_KEYS=100000 npm run bench:index
//   BENCH_SKIP_SYNTHETIC=1 / BENCH_SKIP_MOTO=1 run one part only; BENCH_MOTO_PEER=0 skips the list-per-request peer
//
// Part 1, in process: a synthetic store answers ListObjectsV2-shaped pages of a lake of daily and
// fundamentals keys (5 files per symbol-year), so memory is measured without a server. The index is
// built with the same ranged parallel listing it uses on S3; its heap is measured after a full GC
// and compared with the same listing held as ObjectMeta maps (what catalog loaders build per request).
// Part 2, moto_server: bench/moto_fill.py fills moto through its Python backend (a PUT per key
// over HTTP would take most of an hour for 1M keys) and answers ListObjectsV2 from a sorted key
// array (moto's own listing sorts the whole bucket for every page; the script checks the patched
// answers equal moto's before it serves). BENCH_MOTO_KEYS keys (symbols × 10 years × 5 files).
// Prints the index's build time, LIST requests, lakeql's heap after GC and peak RSS, moto's RSS,
// then the S3 requests 100 catalog queries cost once the index is fresh (target: ≤ 1 per 100).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { buildSnapshot } from '../src/lake/catalog-index/build.js';
import { S3Store } from '../src/lake/store/s3/store.js';
import type { ListOptions, ListPage, ObjectMeta, ObjectStore } from '../src/lake/store/types.js';
import { freePort } from './moto.js';

const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const YEARS = 10;
const MOTO_KEYS = Number(process.env.BENCH_MOTO_KEYS ?? 20_000);
const MOTO_SYMBOLS = Math.ceil(MOTO_KEYS / (YEARS * 5));
/**
 * The index's bound on moto. Ages count from a listing's start and a refresh starts past half the
 * bound, so it must be well above the build time for the 100 queries to run on one fresh index:
 * moto serialises each page of 1000 keys in Python (~0.2–0.4 s here), where S3 answers in tens of ms.
 */
const MOTO_MAX_AGE = Number(process.env.BENCH_MOTO_MAX_AGE ?? 3600);
const here = path.dirname(fileURLToPath(import.meta.url));

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npm run bench:index does)');
const heap = () => {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
};

/** Every key of a lake of `symbols` × YEARS × (1 daily + 4 fundamentals), sorted as S3 sorts, generated on demand. */
class SyntheticStore implements ObjectStore {
  readonly kind = 'synthetic';
  readonly capabilities = { ranges: false, createOnly: false };
  readonly keys: string[];
  lists = 0;

  constructor(symbols: number) {
    const daily: string[] = [];
    const fundamental: string[] = [];
    for (let s = 0; s < symbols; s++) {
      const ticker = `T${String(s).padStart(6, '0')}`;
      for (let y = 0; y < YEARS; y++) {
        daily.push(`data/ticks/daily/${ticker}/${1990 + y}/ticks.parquet`);
        for (let q = 1; q <= 4; q++) fundamental.push(`data/fundamental/${ticker}/${1990 + y}/Q${q}.json`);
      }
    }
    this.keys = [...fundamental, ...daily].sort();
  }

  async list(o: ListOptions = {}): Promise<ListPage> {
    this.lists++;
    const prefix = o.prefix ?? '';
    const after = o.continuationToken ?? o.startAfter ?? '';
    let i = lowerBound(this.keys, after > prefix ? after : prefix);
    if (this.keys[i] === after) i++;
    const objects: ObjectMeta[] = [];
    const commonPrefixes: string[] = [];
    let last = '';
    for (; i < this.keys.length && objects.length + commonPrefixes.length < 1000; i++) {
      const key = this.keys[i];
      if (!key.startsWith(prefix) || (o.endBefore !== undefined && key >= o.endBefore))
        return { objects, commonPrefixes };
      if (o.delimiter) {
        const cut = key.indexOf(o.delimiter, prefix.length);
        if (cut >= 0) {
          const common = key.slice(0, cut + 1);
          if (common !== commonPrefixes.at(-1)) commonPrefixes.push(common);
          last = key;
          continue;
        }
      }
      // A distinct ETag per key, as S3's MD5s are (nothing for the index to share), and a flat string as the SDK's XML parser gives.
      const etag = Buffer.from(
        `"${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}${'0'.repeat(24)}"`,
        'latin1',
      ).toString('latin1');
      objects.push({
        key: Buffer.from(key, 'latin1').toString('latin1'),
        size: 4096 + (i % 977),
        etag,
        lastModified: new Date(1_700_000_000_000 + i * 1000),
      });
      last = key;
    }
    return {
      objects,
      commonPrefixes,
      nextContinuationToken:
        i < this.keys.length && this.keys[i].startsWith(prefix)
          ? o.delimiter
            ? skipPrefix(last, prefix, o.delimiter)
            : last
          : undefined,
    };
  }

  head(): never {
    throw new Error('not in this bench');
  }
  get(): never {
    throw new Error('not in this bench');
  }
  put(): never {
    throw new Error('not in this bench');
  }
  delete(): never {
    throw new Error('not in this bench');
  }
}

/** After a common prefix, S3 resumes past all its keys. */
function skipPrefix(key: string, prefix: string, delimiter: string): string {
  const cut = key.indexOf(delimiter, prefix.length);
  return cut >= 0 ? `${key.slice(0, cut + 1)}\uffff` : key;
}

function lowerBound(sorted: string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Builds one shape in this process and prints its heap delta as JSON: each shape measured in a fresh process, so neither sees the other's garbage. */
async function measure(shape: 'index' | 'peer'): Promise<void> {
  const symbols = Math.ceil(KEYS / (YEARS * 5));
  const store = new SyntheticStore(symbols);
  const keys = store.keys.length;
  const base = heap();
  const started = performance.now();
  let held: unknown;
  let extra = {};
  if (shape === 'index') {
    const snapshot = await buildSnapshot(store, { concurrency: 16 });
    held = snapshot;
    const ms = performance.now() - started;
    const bytes = heap() - base;
    const q = performance.now();
    for (let i = 0; i < 10_000; i++) snapshot.files(`T${String(i % symbols).padStart(6, '0')}`, 0);
    extra = {
      ms,
      bytes,
      lists: store.lists,
      files: snapshot.fileCount,
      estimate: snapshot.estimatedBytes(),
      lookupUs: ((performance.now() - q) / 10_000) * 1000,
    };
  } else {
    // Today's shape: the listing held as ObjectMeta (key string, Date) in per-symbol maps, as catalog loaders build per request.
    const peer = new Map<string, Map<string, ObjectMeta>>();
    let token: string | undefined;
    do {
      const page = await store.list({ prefix: 'data/', continuationToken: token });
      for (const o of page.objects) {
        const ticker = o.key.split('/')[3];
        let m = peer.get(ticker);
        if (!m) peer.set(ticker, (m = new Map()));
        m.set(o.key, o);
      }
      token = page.nextContinuationToken;
    } while (token);
    held = peer;
    extra = { ms: performance.now() - started, bytes: heap() - base };
  }
  process.stdout.write(JSON.stringify({ keys, symbols, ...extra, held: held !== undefined }));
}

async function inChild(shape: 'index' | 'peer'): Promise<Record<string, number>> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_MEASURE: shape },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(out);
}

async function synthetic(): Promise<void> {
  const index = await inChild('index');
  console.log(
    `\n# in process: ${index.keys.toLocaleString()} keys (${index.symbols.toLocaleString()} symbols × ${YEARS} years × 5 files), synthetic listing pages of 1000, each shape in a fresh process`,
  );
  console.log(
    `catalog index:        ${mib(index.bytes)} heap = ${(index.bytes / index.keys).toFixed(0)} B/key (the metric's estimate: ${(index.estimate / index.keys).toFixed(0)} B/key); built in ${index.ms.toFixed(0)} ms from ${index.lists} ranged listings; one symbol's files in ${index.lookupUs.toFixed(1)} µs`,
  );
  const peer = await inChild('peer');
  console.log(
    `ObjectMeta maps:      ${mib(peer.bytes)} heap = ${(peer.bytes / peer.keys).toFixed(0)} B/key; ${peer.ms.toFixed(0)} ms, one listing after another`,
  );
  console.log(
    `ratio:                the index takes ${(index.bytes / peer.bytes).toFixed(2)}× the memory of ObjectMeta maps`,
  );
}

/** A process's resident set now and at its peak (VmHWM), from /proc: moto runs in its own Python process. */
function procRss(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Starts moto_fill.py and waits until its keys are in; rejects (the bench refuses to run) if its self-check of the patched listing fails. */
async function startMoto(port: number, bucket: string) {
  const fill = spawn(
    'python3',
    [path.join(here, 'moto_fill.py'), String(port), bucket, String(MOTO_SYMBOLS), String(YEARS)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  fill.stderr!.on('data', (chunk: Buffer) => {
    // moto logs every request on stderr: keep only the tail, for a failure's message.
    stderr = (stderr + chunk.toString()).slice(-4000);
    for (const line of chunk.toString().split('\n'))
      if (line.startsWith('self-check')) console.log(`moto_fill ${line}`);
  });
  const ready = await new Promise<{ keys: number; fillSeconds: number; rss: number }>((resolve, reject) => {
    fill.stdout!.on('data', (chunk: Buffer) => {
      const m = /ready \d+ (\d+) ([\d.]+) (\d+)/.exec(chunk.toString());
      if (m) resolve({ keys: Number(m[1]), fillSeconds: Number(m[2]), rss: Number(m[3]) });
    });
    fill.once('exit', (code) => reject(new Error(`moto_fill exited with ${code}: ${stderr.trim()}`)));
  });
  return { fill, ...ready };
}

async function onMoto(): Promise<void> {
  const port = await freePort();
  const bucket = 'catalog-bench';
  const started = performance.now();
  const { fill, keys, fillSeconds } = await startMoto(port, bucket);
  const motoPid = fill.pid!;
  const motoAtStart = procRss(motoPid);
  console.log(
    `\n# moto_server: ${keys.toLocaleString()} keys (${MOTO_SYMBOLS.toLocaleString()} symbols × ${YEARS} years × 5), put through moto's backend in ${fillSeconds.toFixed(1)} s (${((performance.now() - started) / 1000).toFixed(1)} s with the self-check and start); moto's RSS ${mib(motoAtStart.rss)}`,
  );
  const counts = new Map<string, number>();
  const store = new S3Store({
    bucket,
    clientConfig: {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    },
    onRequest: (e) => counts.set(e.operation, (counts.get(e.operation) ?? 0) + 1),
  });
  const total = () => [...counts.values()].reduce((a, b) => a + b, 0);
  const describe = () => [...counts].map(([op, n]) => `${n} ${op}`).join(', ') || 'none';
  try {
    // The index is measured as the app builds it (one build: at 1M keys on moto it takes minutes).
    const app = await buildApp(
      loadConfig({
        LAKEQL_DEMO: 'never',
        LAKEQL_CATALOG_MAX_AGE: String(MOTO_MAX_AGE),
        LAKEQL_REQUEST_TIMEOUT_MS: '600000',
      }),
      { store, location: { kind: 's3', bucket, prefix: '' } },
    );
    counts.clear();
    const heapBefore = heap();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
    const t0 = performance.now();
    const snapshot = await app.services.catalog.refresh();
    const buildMs = performance.now() - t0;
    clearInterval(sampler);
    const files = snapshot.fileCount;
    const heapAfter = heap();
    const moto = procRss(motoPid);
    console.log(
      `index build:          ${(buildMs / 1000).toFixed(1)} s, ${describe()} (${(keys / Math.max(1, counts.get('ListObjectsV2') ?? 0)).toFixed(0)} keys a LIST, 16 in flight), ${files.toLocaleString()} files indexed`,
    );
    console.log(
      `lakeql memory:        heap after GC ${mib(heapAfter)} (the index: +${mib(heapAfter - heapBefore)} = ${((heapAfter - heapBefore) / files).toFixed(0)} B/file); peak RSS during the build ${mib(peakRss)} (+${mib(peakRss - rssBefore)} over its start)`,
    );
    console.log(
      `moto's memory:        RSS ${mib(moto.rss)} after the build, peak ${mib(moto.peak)} (its own Python process, not lakeql's)`,
    );
    if (buildMs / 1000 > MOTO_MAX_AGE / 2)
      console.log(
        `warning:              the build took over half of LAKEQL_CATALOG_MAX_AGE=${MOTO_MAX_AGE}: set BENCH_MOTO_MAX_AGE higher`,
      );
    const queries = [
      `{ symbols(first: 20) { totalCount edges { node { ticker years { year tickFile { size etag } } } } } }`,
      `{ symbol(ticker: "T00007") { years { year tickFiles { key etag } fundamentals { quarter revenue } } } }`,
      `{ symbol(ticker: "NOPE") { ticker } }`,
      `{ symbol(ticker: "T00042") { fundamentals(year: 1995) { revenue eps } } }`,
    ];
    const run = async (query: string) => {
      const response = await app.yoga.fetch('http://bench/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
    };
    counts.clear();
    const c0 = performance.now();
    for (const q of queries) await run(q);
    console.log(
      `first queries:        ${total()} S3 requests (${describe()}) in ${(performance.now() - c0).toFixed(0)} ms (fundamentals GETs, before the cache holds them)`,
    );
    counts.clear();
    const q0 = performance.now();
    for (let i = 0; i < 100; i++) await run(queries[i % queries.length]);
    const fresh = total();
    console.log(
      `100 catalog queries:  ${fresh} S3 requests on a fresh index (target ≤ 1) in ${(performance.now() - q0).toFixed(0)} ms${fresh > 1 ? ` — TARGET MISSED: ${describe()}` : ''}`,
    );

    if (process.env.BENCH_MOTO_PEER === '0') return;
    const listing = await buildApp(
      loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_CATALOG_MAX_AGE: '0', LAKEQL_REQUEST_TIMEOUT_MS: '600000' }),
      { store, location: { kind: 's3', bucket, prefix: '' } },
    );
    counts.clear();
    const l0 = performance.now();
    for (let i = 0; i < 100; i++) {
      const response = await listing.yoga.fetch('http://bench/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: queries[i % queries.length] }),
      });
      await response.text();
    }
    console.log(
      `peer, MAX_AGE=0:      ${total()} S3 requests for the same 100 queries in ${((performance.now() - l0) / 1000).toFixed(1)} s (list per request)`,
    );
  } finally {
    store.close();
    fill.stdin!.end();
    fill.kill('SIGTERM');
  }
}

if (process.env.BENCH_MEASURE === 'index' || process.env.BENCH_MEASURE === 'peer') {
  await measure(process.env.BENCH_MEASURE);
} else {
  if (process.env.BENCH_SKIP_SYNTHETIC !== '1') await synthetic();
  if (process.env.BENCH_SKIP_MOTO !== '1') await onMoto();
}
process.exit(0);
