// HTTP caching: ETags, Cache-Control and 304s for GraphQL GETs and /v1/bars, the response cache, persisted and trusted documents — by counting store calls and executions.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { Metrics } from '../../src/http/metrics.js';
import { CONSOLE_DOCUMENTS_FILE, TrustedDocumentsError } from '../../src/http/persisted-documents.js';
import type { LakeVersionCounter } from '../../src/lake/lake-version.js';
import { dailyTicksKey, PARQUET_CONTENT_TYPE } from '../../src/lake/layout.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { writeDailySymbol } from '../bars/lakes.js';
import { duck } from '../bars/support.js';
import { writeCatalogLake } from '../support/lake-fixture.js';

const ORIGIN = 'http://lakeql.test';
const CSRF = { 'x-graphql-yoga-csrf': '1' };
const READ_KEY = 'reader-0123456789abcdef';
const WRITE_KEY = 'writer-0123456789abcdef';
const ADMIN_KEY = 'admin-0123456789abcdefg';
const YEARS_QUERY = '{ symbol(ticker: "S001") { years { year tickFile { size etag } } } }';

interface Harness {
  app: App;
  store: CountingStore;
  metrics: Metrics;
  dir: string;
}

async function harness(env: Record<string, string> = {}, consoleDirectory?: string): Promise<Harness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lakeql-http-cache-'));
  const local = new LocalStore(dir);
  await writeCatalogLake(local, { symbols: 3, years: [2022, 2023], quarters: 1 });
  const store = new CountingStore(local);
  const metrics = new Metrics({ processMetrics: false });
  const app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_RATE_LIMIT: 'off', ...env }), {
    store,
    location: { kind: 'local', directory: dir },
    metrics,
    consoleDirectory: consoleDirectory ?? dir,
  });
  return { app, store, metrics, dir };
}

/** GraphQL operations executed so far (resolvers run only inside an execution). */
async function executions(metrics: Metrics): Promise<number> {
  const text = await metrics.registry.getSingleMetricAsString('lakeql_graphql_operation_duration_seconds');
  return [...text.matchAll(/^lakeql_graphql_operation_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

async function get(app: App, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return app.yoga.fetch(`${ORIGIN}/graphql?${new URLSearchParams(params)}`, {
    method: 'GET',
    headers: { accept: 'application/graphql-response+json', ...CSRF, ...headers },
  });
}

async function post(app: App, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return app.yoga.fetch(`${ORIGIN}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('GraphQL over GET: ETag, Cache-Control, 304', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => rm(h.dir, { recursive: true, force: true }));

  it('tags a read-only GET and answers a matching If-None-Match with 304, no store call and no execution', async () => {
    const first = await get(h.app, { query: YEARS_QUERY });
    expect(first.status).toBe(200);
    const body = await first.json();
    expect(body.data.symbol.years).toHaveLength(2);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=30');
    expect(first.headers.get('vary')).toBe('Accept');

    const calls = h.store.total();
    const ran = await executions(h.metrics);
    const again = await get(h.app, { query: YEARS_QUERY }, { 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('public, max-age=30');
    // A list of tags, and a weak form a proxy may have added, match too.
    expect((await get(h.app, { query: YEARS_QUERY }, { 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
    expect(h.store.total()).toBe(calls);
    expect(await executions(h.metrics)).toBe(ran);
  });

  it('gives different variables, documents and Accept headers different tags', async () => {
    const doc = 'query Y($t: String!) { symbol(ticker: $t) { ticker } }';
    const a = await get(h.app, { query: doc, variables: JSON.stringify({ t: 'S001' }) });
    const b = await get(h.app, { query: doc, variables: JSON.stringify({ t: 'S002' }) });
    const c = await get(
      h.app,
      { query: doc, variables: JSON.stringify({ t: 'S001' }) },
      { accept: 'application/json' },
    );
    const tags = new Set([a, b, c].map((r) => r.headers.get('etag')));
    expect(tags.size).toBe(3);
  });

  it('changes the tag after an own write, and never serves an overwritten file under its old tag', async () => {
    const before = await get(h.app, { query: YEARS_QUERY });
    const oldTag = before.headers.get('etag')!;
    const oldSize = (await before.json()).data.symbol.years[0].tickFile.size;
    // An own write: through the services' store, as uploads, writeBars and backfills do.
    await h.app.services.store.put(dailyTicksKey('S001', 2022), 'PAR1 a longer replacement file PAR1', {
      contentType: PARQUET_CONTENT_TYPE,
    });
    const after = await get(h.app, { query: YEARS_QUERY }, { 'if-none-match': oldTag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(oldTag);
    const year = (await after.json()).data.symbol.years[0];
    expect(year.tickFile.size).not.toBe(oldSize);
  });

  it('changes the tag when the lake version moves (another writer seen by the catalog, or another instance)', async () => {
    const before = await get(h.app, { query: YEARS_QUERY });
    const tag = before.headers.get('etag')!;
    (h.app.services.lakeVersion as LakeVersionCounter).bump();
    const after = await get(h.app, { query: YEARS_QUERY }, { 'if-none-match': tag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(tag);
  });

  it('sends no-store, and no tag, for mutations, errors, jobs and signed URLs', async () => {
    const mutation = await post(h.app, { query: 'mutation { cancelJob(id: "nope") { id } }' });
    expect(mutation.headers.get('cache-control')).toBe('no-store');
    const postQuery = await post(h.app, { query: YEARS_QUERY });
    expect(postQuery.headers.get('etag')).toBeNull();
    expect(postQuery.headers.get('cache-control')).toBe('no-store');
    const invalid = await get(h.app, { query: '{ symbol(ticker: "S001") { nope } }' });
    expect(invalid.headers.get('etag')).toBeNull();
    expect(invalid.headers.get('cache-control')).toBe('no-store');
    const jobs = await get(h.app, { query: '{ jobs { id } }' });
    expect(jobs.status).toBe(200);
    expect(jobs.headers.get('etag')).toBeNull();
    const signed = await get(h.app, { query: '{ symbol(ticker: "S001") { years { tickFile { downloadUrl } } } }' });
    expect(signed.status).toBe(200);
    expect(signed.headers.get('etag')).toBeNull();
    expect(signed.headers.get('cache-control')).toBe('no-store');
  });
});

describe('auth on: private answers, per-scope tags and cache entries', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ LAKEQL_API_KEYS: `r:${READ_KEY}:read,w:${WRITE_KEY}:write,a:${ADMIN_KEY}:read+write` });
  });
  afterAll(async () => rm(h.dir, { recursive: true, force: true }));

  it('marks answers private and varies them by credentials', async () => {
    const response = await get(h.app, { query: YEARS_QUERY }, { authorization: `Bearer ${READ_KEY}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, max-age=30');
    expect(response.headers.get('vary')).toBe('Accept, Authorization, X-API-Key');
  });

  it('never shares a tag or a cached answer between callers whose scopes differ', async () => {
    const query = '{ symbol(ticker: "S002") { years { year } } }';
    const read = await get(h.app, { query }, { authorization: `Bearer ${READ_KEY}` });
    const tag = read.headers.get('etag')!;
    // The write-only key must not get a 304 for the reader's tag, nor the reader's cached answer.
    const writer = await get(h.app, { query }, { authorization: `Bearer ${WRITE_KEY}`, 'if-none-match': tag });
    expect(writer.status).toBe(403);
    expect((await writer.json()).errors[0].extensions.code).toBe('FORBIDDEN');
    const writerPost = await post(h.app, { query }, { authorization: `Bearer ${WRITE_KEY}` });
    expect((await writerPost.json()).errors[0].extensions.code).toBe('FORBIDDEN');
    // read+write is another class: its own tag, and the answer is executed for it, not taken from the reader's entry.
    const ran = await executions(h.metrics);
    const admin = await get(h.app, { query }, { authorization: `Bearer ${ADMIN_KEY}`, 'if-none-match': tag });
    expect(admin.status).toBe(200);
    expect(admin.headers.get('etag')).not.toBe(tag);
    expect(await executions(h.metrics)).toBe(ran + 1);
  });
});

describe('response cache', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => rm(h.dir, { recursive: true, force: true }));

  it('answers a repeated read-only POST without executing or touching the store, until the lake version moves', async () => {
    const query = '{ symbols(first: 3) { edges { node { ticker years { year } } } } }';
    const first = await (await post(h.app, { query })).json();
    expect(first.data.symbols.edges).toHaveLength(3);
    const calls = h.store.total();
    const ran = await executions(h.metrics);
    const second = await (await post(h.app, { query })).json();
    expect(second).toEqual(first);
    expect(h.store.total()).toBe(calls);
    expect(await executions(h.metrics)).toBe(ran);

    (h.app.services.lakeVersion as LakeVersionCounter).bump();
    await post(h.app, { query });
    // Executed again (the catalog index may answer it without a store call).
    expect(await executions(h.metrics)).toBe(ran + 1);
  });

  it('is refreshed by an own write', async () => {
    const query = '{ symbol(ticker: "S003") { years { year } } }';
    const before = await (await post(h.app, { query })).json();
    expect(before.data.symbol.years.map((y: { year: number }) => y.year)).toEqual([2022, 2023]);
    await h.app.services.store.put(dailyTicksKey('S003', 2024), 'PAR1 new PAR1', { contentType: PARQUET_CONTENT_TYPE });
    const after = await (await post(h.app, { query })).json();
    expect(after.data.symbol.years.map((y: { year: number }) => y.year)).toEqual([2022, 2023, 2024]);
  });

  it('is off with LAKEQL_RESPONSE_CACHE_ENTRIES=0: every repeat executes', async () => {
    const off = await harness({ LAKEQL_RESPONSE_CACHE_ENTRIES: '0' });
    try {
      const query = '{ symbols(first: 3) { edges { node { ticker } } } }';
      await post(off.app, { query });
      const ran = await executions(off.metrics);
      await post(off.app, { query });
      await post(off.app, { query });
      expect(await executions(off.metrics)).toBe(ran + 2);
    } finally {
      await rm(off.dir, { recursive: true, force: true });
    }
  });

  it('keeps jobs out of the cache', async () => {
    const ran = await executions(h.metrics);
    await post(h.app, { query: '{ jobs { id } }' });
    await post(h.app, { query: '{ jobs { id } }' });
    expect(await executions(h.metrics)).toBe(ran + 2);
  });
});

describe('persisted and trusted documents', () => {
  const LAKE_DOC = 'query Lake { lake { kind } }';
  const YEARS_DOC = 'query Years($t: String!) { symbol(ticker: $t) { years { year } } }';

  it('runs a console document by id over GET, with an ETag', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lakeql-console-docs-'));
    await writeFile(
      path.join(dir, CONSOLE_DOCUMENTS_FILE),
      JSON.stringify({ abc123: YEARS_DOC, jobs1: 'query Jobs { jobs { id } }' }),
    );
    const h = await harness({}, dir);
    const response = await get(h.app, { documentId: 'abc123', variables: JSON.stringify({ t: 'S001' }) });
    expect(response.status).toBe(200);
    expect((await response.json()).data.symbol.years).toHaveLength(2);
    expect(response.headers.get('etag')).toMatch(/^"/);
    // APQ's form names the same document.
    const apq = await get(h.app, {
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: 'abc123' } }),
      variables: JSON.stringify({ t: 'S002' }),
    });
    expect((await apq.json()).data.symbol.years).toHaveLength(2);
    // Volatile documents by id are judged by their text too.
    const jobs = await get(h.app, { documentId: 'jobs1' });
    expect(jobs.status).toBe(200);
    expect(jobs.headers.get('etag')).toBeNull();
    expect(jobs.headers.get('cache-control')).toBe('no-store');
    // Without trusted documents, text is still accepted.
    expect((await (await post(h.app, { query: LAKE_DOC })).json()).data.lake.kind).toBe('LOCAL');
    await rm(h.dir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it('with LAKEQL_TRUSTED_DOCUMENTS, executes only known documents and refuses the rest with typed errors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lakeql-trusted-'));
    const file = path.join(dir, 'trusted.json');
    await writeFile(file, JSON.stringify({ lake: LAKE_DOC, years: YEARS_DOC }));
    const h = await harness({ LAKEQL_TRUSTED_DOCUMENTS: file });
    const ok = await get(h.app, { documentId: 'lake' });
    expect((await ok.json()).data).toEqual({ lake: { kind: 'LOCAL' } });
    const byPost = await post(h.app, { documentId: 'years', variables: { t: 'S001' } });
    expect((await byPost.json()).data.symbol.years).toHaveLength(2);

    const calls = h.store.total();
    const text = await post(h.app, { query: '{ symbols(first: 3) { nodes { ticker } } }' });
    expect(text.status).toBe(400);
    expect((await text.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
    const unknown = await get(h.app, { documentId: 'nope' });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const none = await post(h.app, { variables: {} });
    expect((await none.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_ID_REQUIRED');
    expect(h.store.total()).toBe(calls);
    await rm(h.dir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to start on a bad trusted-documents file, naming the variable', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lakeql-trusted-bad-'));
    const cases = ['not json', '[]', '{"a": 1}', '{"a": "query {"}', '{"bad id!": "{ lake { kind } }"}'];
    for (const [i, content] of cases.entries()) {
      const file = path.join(dir, `t${i}.json`);
      await writeFile(file, content);
      await expect(
        buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_LAKE: dir, LAKEQL_TRUSTED_DOCUMENTS: file })),
      ).rejects.toThrow(TrustedDocumentsError);
    }
    await expect(
      buildApp(
        loadConfig({
          LAKEQL_DEMO: 'never',
          LAKEQL_LAKE: dir,
          LAKEQL_TRUSTED_DOCUMENTS: path.join(dir, 'missing.json'),
        }),
      ),
    ).rejects.toThrow(/LAKEQL_TRUSTED_DOCUMENTS/);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('/v1/bars: ETag and 304', () => {
  let dir: string;
  let db: DuckDBConnection;
  let app: App;
  let store: CountingStore;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lakeql-bars-etag-'));
    db = await duck();
    await writeDailySymbol(db, dir, { symbol: 'EX', years: { 2022: 'TSUS', 2023: 'VEND' } }, 3);
    store = new CountingStore(new LocalStore(dir));
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store });
  });
  afterAll(async () => {
    db?.closeSync();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a matching If-None-Match with 304 before any store call, and retags after a write', async () => {
    const url = `${ORIGIN}/v1/bars/EX?from=2022-01-01&to=2023-12-31&format=csv`;
    const first = await app.yoga.fetch(url);
    expect(first.status).toBe(200);
    await first.text();
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=30');
    const calls = store.total();
    const again = await app.yoga.fetch(url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(store.total()).toBe(calls);
    const otherFormat = await app.yoga.fetch(url.replace('csv', 'json'), { headers: { 'if-none-match': etag } });
    expect(otherFormat.status).toBe(200);
    await otherFormat.text();

    const bytes = await readFile(path.join(dir, dailyTicksKey('EX', 2022)));
    await app.services.store.put(dailyTicksKey('EX', 2022), bytes, { contentType: PARQUET_CONTENT_TYPE });
    const after = await app.yoga.fetch(url, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    await after.text();
  });

  it('sends no-store with errors', async () => {
    const missing = await app.yoga.fetch(`${ORIGIN}/v1/bars/NOPE`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('etag')).toBeNull();
    expect(missing.headers.get('cache-control')).toBe('no-store');
  });
});
