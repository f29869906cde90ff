// Load: ≥ 200 concurrent clients against lakeql (catalog and bars queries on the demo lake: POSTs, revalidating GETs, caches off) next to a bare node:http server, in one run. `npm run bench:load`.
//
//   npm run bench:load -- --s3      also the mix against the demo lake in a moto_server bucket, with the S3 requests it cost
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { ensureDemoLake } from '../src/lake/demo/create-demo-lake.js';
import { createBucket, s3StoreOn } from '../test/support/s3-servers.js';
import { startMoto } from './moto.js';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '200' },
    duration: { type: 'string', default: '30' },
    lake: { type: 'string', default: path.join(tmpdir(), 'lakeql-bench-lake') },
    /** Send an API key (auth on: every request hashes and compares it). */
    auth: { type: 'boolean', default: false },
    /** Write a V8 CPU profile of the lakeql process and print where its time went. */
    'cpu-prof': { type: 'boolean', default: false },
    /** lakeql's log level during the run; `info` writes one line per request. */
    'log-level': { type: 'string', default: 'warn' },
    /** Also run the mix against the demo lake in a moto_server bucket and count the S3 requests it costs. */
    s3: { type: 'boolean', default: false },
  },
});
const CONNECTIONS = Number(args.connections);
const DURATION = Number(args.duration);
const KEY = 'bench-0123456789abcdef_XYZ';

/**
 * The mix every client cycles through: catalog lookups, fundamentals, bar ranges (daily, resampled), and a
 * catalog page with every symbol's years. autocannon starts every client on the first query, so the
 * heaviest (the page with years) comes last rather than arriving 200 times at once.
 */
const QUERIES = [
  '{ symbol(ticker: "AAPL") { years { year tickFile { key size etag lastModified } } } }',
  '{ symbol(ticker: "MSFT") { fundamentals(year: 2024) { quarter revenue netIncome eps } } }',
  '{ symbol(ticker: "NVDA") { bars(from: "2024-01-01", to: "2024-03-31", first: 100) { nodes { date open high low close volume } } } }',
  '{ symbol(ticker: "SPY") { bars(from: "2023-01-01", to: "2024-12-31", timeframe: MONTH, first: 24) { nodes { date close volume } } } }',
  '{ lake { kind } symbol(ticker: "JPM") { year(year: 2023) { tickFile { size } fundamentals { quarter eps } } } }',
  '{ symbols(first: 20) { edges { node { ticker years { year } } } pageInfo { hasNextPage endCursor } } }',
];

/** No store request at all: measures the GraphQL pipeline and the gateway's plugins alone. */
const PIPELINE_QUERY = '{ lake { kind } }';

async function startServer(
  mode: 'lakeql' | 'bare',
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'load-server.ts'), mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (line.startsWith('{"url"')) {
      // Keep draining stdout so the child never blocks on a full pipe.
      lines.on('line', () => {});
      return { url: (JSON.parse(line) as { url: string }).url, child };
    }
  }
  throw new Error(`${mode} server exited before listening`);
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

async function drive(url: string, headers: Record<string, string>, duration = DURATION): Promise<Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    timeout: 30,
    requests: QUERIES.map((query) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    })),
  });
}

/** Accept is part of the ETag (it picks the response's media type): the same on both sides. */
const GET_ACCEPT = 'application/graphql-response+json';

/** What a frontend does with a cached answer: GET the same query again with the ETag it holds (a 304 while the lake is unchanged). */
async function revalidate(url: string, headers: Record<string, string>, etags: string[]): Promise<Result> {
  const { origin, pathname } = new URL(url);
  return autocannon({
    url: origin,
    connections: CONNECTIONS,
    duration: DURATION,
    timeout: 30,
    requests: QUERIES.map((query, i) => ({
      method: 'GET',
      path: `${pathname}?${new URLSearchParams({ query })}`,
      headers: { 'x-graphql-yoga-csrf': '1', accept: GET_ACCEPT, 'if-none-match': etags[i], ...headers },
    })),
  });
}

async function etagsOf(url: string, headers: Record<string, string>): Promise<string[]> {
  const tags: string[] = [];
  for (const query of QUERIES) {
    const response = await fetch(`${url}?${new URLSearchParams({ query })}`, {
      headers: { 'x-graphql-yoga-csrf': '1', accept: GET_ACCEPT, ...headers },
    });
    await response.text();
    const etag = response.headers.get('etag');
    if (response.status !== 200 || !etag)
      throw new Error(`GET of a mix query answered ${response.status} without an ETag`);
    tags.push(etag);
  }
  return tags;
}

/**
 * autocannon stops sending when a run ends, but the server still works off what is in flight; one
 * more request queues behind those, so when it is answered the measured run starts from idle.
 */
async function drain(url: string, headers: Record<string, string>): Promise<void> {
  await post(url, headers, QUERIES[0]!);
}

/** One query, answered without errors, or the run stops: a broken mix measures nothing. */
async function post(url: string, headers: Record<string, string>, query: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"errors"'))
    throw new Error(`query failed (${response.status}): ${text.slice(0, 300)}`);
  return text;
}

/** 304 is a success here (autocannon counts it as non-2xx). */
function failures(r: Result): number {
  return r.errors + r.timeouts + r['4xx'] + r['5xx'] + r['1xx'];
}

function line(name: string, r: Result): string {
  return `${name.padEnd(24)} ${r.requests.average.toFixed(0).padStart(8)} req/s   p50 ${String(r.latency.p50).padStart(5)} ms   p99 ${String(r.latency.p99).padStart(5)} ms   ${String(r['2xx'] + r['3xx']).padStart(8)} ok (${r['3xx']} 304)   ${failures(r)} errors (${r['4xx'] + r['5xx']} 4xx/5xx, ${r.timeouts} timeouts)`;
}

/** lakeql's own count of the HTTP requests it sent to S3 (every retry included), from its /metrics. */
async function s3RequestsSent(url: string, headers: Record<string, string>): Promise<Map<string, number>> {
  const text = await (await fetch(new URL('/metrics', url), { headers })).text();
  const sent = new Map<string, number>();
  for (const match of text.matchAll(/^lakeql_s3_requests_total\{[^}]*operation="([^"]+)"[^}]*\} (\d+)$/gm))
    sent.set(match[1]!, (sent.get(match[1]!) ?? 0) + Number(match[2]));
  return sent;
}

/** What `after` counted beyond `before`, by operation, and in all. */
function s3Delta(before: Map<string, number>, after: Map<string, number>): { total: number; by: string } {
  const by = [...after]
    .map(([operation, n]) => [operation, n - (before.get(operation) ?? 0)] as const)
    .filter(([, n]) => n > 0);
  return { total: by.reduce((sum, [, n]) => sum + n, 0), by: by.map(([op, n]) => `${op} ${n}`).join(', ') };
}

/**
 * The mix against the demo lake in a moto_server bucket, with and without the response cache: the S3
 * requests lakeql sent during each measured run (its own metrics), per 100 queries answered.
 */
async function s3Rows(env: Record<string, string>, headers: Record<string, string>): Promise<string[]> {
  const { server, stop } = await startMoto();
  try {
    const bucket = await createBucket(server, 'bench-load');
    const filler = s3StoreOn(server, bucket);
    await ensureDemoLake(filler);
    filler.close();
    const s3Env = {
      ...env,
      LAKEQL_LAKE: `s3://${bucket}`,
      AWS_ENDPOINT_URL_S3: server.endpoint,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const rows: string[] = [];
    for (const [name, extra] of [
      ['lakeql mix on S3 (moto)', {}],
      ['mix on S3, no resp. cache', { LAKEQL_RESPONSE_CACHE_ENTRIES: '0' }],
    ] as const) {
      const lakeql = await startServer('lakeql', { ...s3Env, ...extra });
      // Each query once, then the warm-up: the measured run starts with what a steady state holds.
      for (const query of QUERIES) await post(lakeql.url, headers, query);
      await drive(lakeql.url, headers, Math.min(5, DURATION));
      await drain(lakeql.url, headers);
      const before = await s3RequestsSent(lakeql.url, headers);
      const run = await drive(lakeql.url, headers);
      const sent = s3Delta(before, await s3RequestsSent(lakeql.url, headers));
      await stopServer(lakeql.child);
      const answered = run['2xx'];
      rows.push(
        `${line(name, run)}\n${''.padEnd(24)} ${sent.total} S3 requests (${sent.by || 'none'}) for ${answered} queries: ${((100 * sent.total) / Math.max(1, answered)).toFixed(3)} per 100 queries (target ≤ 1)`,
      );
    }
    return rows;
  } finally {
    stop();
  }
}

/** Self time by function and by package from the lakeql main thread's profile of the measured run. */
async function summarize(file: string): Promise<void> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!;
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const where = frame.url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
    self.set(
      `${frame.functionName || '(anonymous)'}  ${where}:${frame.lineNumber + 1}`,
      (self.get(`${frame.functionName || '(anonymous)'}  ${where}:${frame.lineNumber + 1}`) ?? 0) + dt,
    );
    const pkg =
      where === ''
        ? frame.functionName || '(native)'
        : (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1] ??
          (where.startsWith('node:')
            ? 'node core'
            : where.startsWith('src/')
              ? `lakeql ${where.split('/').slice(0, 2).join('/')}`
              : where));
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
  });
  const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
  console.log(
    `\nlakeql main thread over the mix and { lake } runs, ${(total / 1e6).toFixed(1)} s sampled (profile: ${file})\nby package (self time):`,
  );
  for (const [name, t] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`  ${pct(t)}  ${name}`);
  console.log('heaviest functions (self time):');
  for (const [name, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`  ${pct(t)}  ${name}`);
}

async function main(): Promise<void> {
  await mkdir(args.lake!, { recursive: true });
  console.log(
    `${CONNECTIONS} connections × ${DURATION} s each, lake ${args.lake}${args.auth ? ', API key auth' : ', anonymous'}, log level ${args['log-level']}`,
  );
  const env = {
    LAKEQL_LAKE: args.lake!,
    LAKEQL_PORT: '0',
    LAKEQL_DEMO: 'auto',
    LAKEQL_RATE_LIMIT: 'off',
    LAKEQL_LOG_LEVEL: args['log-level']!,
    ...(args.auth ? { LAKEQL_API_KEYS: `bench:${KEY}:read` } : {}),
  };
  const headers: Record<string, string> = args.auth ? { authorization: `Bearer ${KEY}` } : {};
  const profileFile = path.join(tmpdir(), `lakeql-load-${process.pid}.cpuprofile`);
  const lakeql = await startServer('lakeql', { ...env, ...(args['cpu-prof'] ? { LOAD_PROFILE: profileFile } : {}) });
  // Every query once first: errors surface before the run, and caches hold what a steady state holds.
  let bodyBytes = 0;
  for (const query of QUERIES) bodyBytes += (await post(lakeql.url, headers, query)).length;
  await drive(lakeql.url, headers, Math.min(5, DURATION));
  await drain(lakeql.url, headers);
  if (args['cpu-prof']) lakeql.child.kill('SIGUSR2');
  const lake = await drive(lakeql.url, headers);
  // The same server and pipeline (auth, limits, parse, validate, execute, serialise) with no lake work:
  // the gap between this row and the bare server is the gateway, the rest is the lake.
  const pipelineRequest = [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: PIPELINE_QUERY }),
    },
  ];
  await drain(lakeql.url, headers);
  const pipeline = await autocannon({
    url: lakeql.url,
    connections: CONNECTIONS,
    duration: DURATION,
    timeout: 30,
    requests: pipelineRequest,
  });
  // Frontends revalidating what they hold: every mix query by GET with its current ETag.
  const etags = await etagsOf(lakeql.url, headers);
  await drain(lakeql.url, headers);
  const revalidated = await revalidate(lakeql.url, headers, etags);
  await stopServer(lakeql.child);

  // The same mix with the catalog index but no response cache: every request executes its resolvers.
  const indexOnly = await startServer('lakeql', { ...env, LAKEQL_RESPONSE_CACHE_ENTRIES: '0' });
  await drive(indexOnly.url, headers, Math.min(5, DURATION));
  await drain(indexOnly.url, headers);
  const executed = await drive(indexOnly.url, headers);
  await stopServer(indexOnly.child);

  // The same mix with LAKEQL_CATALOG_MAX_AGE=0: no index, no response cache, no ETags (a listing per request).
  const uncached = await startServer('lakeql', { ...env, LAKEQL_CATALOG_MAX_AGE: '0' });
  await drive(uncached.url, headers, Math.min(5, DURATION));
  await drain(uncached.url, headers);
  const off = await drive(uncached.url, headers);
  await stopServer(uncached.child);

  const onS3 = args.s3 ? await s3Rows(env, headers) : [];

  const bare = await startServer('bare', { BARE_BODY_BYTES: String(Math.round(bodyBytes / QUERIES.length)) });
  await drive(bare.url, {}, Math.min(5, DURATION));
  await drain(bare.url, {});
  const floor = await drive(bare.url, {});
  await stopServer(bare.child);

  console.log(line('lakeql mix (POST)', lake));
  console.log(line('lakeql mix GET+ETag', revalidated));
  console.log(line('lakeql mix, no resp. cache', executed));
  console.log(line('lakeql mix, caches off', off));
  console.log(line('lakeql { lake }', pipeline));
  console.log(line('bare node:http', floor));
  for (const row of onS3) console.log(row);
  const ratio = (r: Result) => (r.requests.average / floor.requests.average).toFixed(3);
  console.log(
    `ratio to bare (req/s): mix ${ratio(lake)}, mix GET+ETag ${ratio(revalidated)}, mix without response cache ${ratio(executed)}, mix caches off ${ratio(off)}, { lake } ${ratio(pipeline)}; response cache pays ×${(lake.requests.average / executed.requests.average).toFixed(1)}, the index ×${(executed.requests.average / off.requests.average).toFixed(1)}; average mix body ${Math.round(bodyBytes / QUERIES.length)} bytes`,
  );
  const target = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    `targets: mix ≥ 2000 req/s, p99 ≤ 250 ms, 0 errors: ${target(lake.requests.average >= 2000 && lake.latency.p99 <= 250 && failures(lake) === 0)}; { lake } ≥ 0.15 × bare: ${target(pipeline.requests.average >= 0.15 * floor.requests.average)}`,
  );
  if (args['cpu-prof']) await summarize(profileFile);
  const errors = [lake, pipeline, revalidated, executed, off].reduce((n, r) => n + failures(r), 0);
  if (errors > 0) {
    console.error(`lakeql answered ${errors} requests with errors`);
    process.exitCode = 1;
  }
}

await main();
