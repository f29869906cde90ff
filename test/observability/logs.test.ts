// Structured request logs: one JSON line per request with its id (x-request-id in and out), and no credentials ever written.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { createLogger, redactedPath, requestScope, type LogLevel } from '../../src/log.js';
import { writeCatalogLake } from '../support/lake-fixture.js';

const API_KEY = 'obs-test-key-0123456789abcdef';
const JWT_SECRET = 'a-shared-secret-of-at-least-thirty-two-bytes!';

/** A pino destination that keeps every line, parsed. */
function capture(): { stream: Writable; lines: Record<string, any>[]; raw: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const raw = () => chunks.join('');
  return {
    stream,
    raw,
    get lines() {
      return raw()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    },
  };
}

describe('request logs', () => {
  let dir: string;
  let app: App;
  let logs: ReturnType<typeof capture>;
  const fetchApp = (pathname: string, init: RequestInit = {}) => app.yoga.fetch(`http://lakeql.test${pathname}`, init);

  async function build(level: LogLevel, env: Record<string, string> = {}): Promise<App> {
    logs = capture();
    return buildApp(loadConfig({ LAKEQL_DEMO: 'never', ...env }), {
      store: new LocalStore(dir),
      location: { kind: 'local', directory: dir },
      logger: createLogger({ level, destination: logs.stream }),
    });
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lakeql-logs-'));
    await writeCatalogLake(new LocalStore(dir), { symbols: 3, years: [2024] });
    app = await build('info', { LAKEQL_API_KEYS: `ci:${API_KEY}:read+write`, LAKEQL_JWT_SECRET: JWT_SECRET });
  });
  afterAll(async () => {
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each request a new id, returns it in x-request-id and writes one JSON line with it', async () => {
    const a = await fetchApp('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({
        query: 'query Catalog { symbols(first: 2) { nodes { ticker } } }',
        operationName: 'Catalog',
      }),
    });
    const b = await fetchApp('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ query: '{ lake { kind } }' }),
    });
    expect(a.status).toBe(200);
    const idA = a.headers.get('x-request-id');
    const idB = b.headers.get('x-request-id');
    expect(idA).toMatch(/^[0-9a-f-]{36}$/);
    expect(idB).toMatch(/^[0-9a-f-]{36}$/);
    expect(idA).not.toBe(idB);
    const line = logs.lines.find((l) => l.requestId === idA)!;
    expect(line).toMatchObject({
      level: 'info',
      msg: 'request',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operation: 'Catalog',
      service: 'lakeql',
    });
    expect(typeof line.ms).toBe('number');
    expect(new Date(line.time).toString()).not.toBe('Invalid Date');
  });

  it("keeps a caller's safe x-request-id and replaces an unsafe one", async () => {
    const kept = await fetchApp('/health', { headers: { 'x-request-id': 'trace-abc.123:9' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc.123:9');
    const replaced = await fetchApp('/health', { headers: { 'x-request-id': 'bad id\twith "quotes"' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs.raw()).not.toContain('quotes');
  });

  it('logs requests answered early (401) with their id, and writes no key, token or signature anywhere', async () => {
    const jwtLike = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldA';
    const denied = await fetchApp('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${jwtLike}` },
      body: JSON.stringify({ query: '{ lake { kind } }' }),
    });
    expect(denied.status).toBe(401);
    const id = denied.headers.get('x-request-id');
    expect(logs.lines.find((l) => l.requestId === id)).toMatchObject({ status: 401, level: 'info' });
    await fetchApp(`/files/data/x.parquet?expires=9999999999&signature=sig-secret-value-42`, {
      headers: { 'x-api-key': API_KEY },
    });
    await fetchApp(`/graphql?query=${encodeURIComponent('{lake{kind}}')}&token=tok-secret-value-42`, {
      headers: { 'x-api-key': API_KEY },
    });
    const text = logs.raw();
    expect(text).toContain('/files/data/x.parquet?expires=9999999999&signature=[redacted]');
    for (const secret of [API_KEY, jwtLike, 'sig-secret-value-42', 'tok-secret-value-42', JWT_SECRET])
      expect(text).not.toContain(secret);
  });

  it('redacts credential fields whoever logs them', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    logger.info(
      { headers: { authorization: 'Bearer s3cr3t', 'x-api-key': 'k3y' }, config: { apiKey: 'k3y', secret: 's3cr3t' } },
      'careless',
    );
    expect(out.raw()).not.toMatch(/s3cr3t|k3y/);
    expect(out.lines[0].headers.authorization).toBe('[redacted]');
  });

  it('puts the request id on lines logged while the request is handled', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    requestScope.run({ requestId: 'r-1' }, () => logger.info('inside'));
    logger.info('outside');
    expect(out.lines.map((l) => [l.msg, l.requestId])).toEqual([
      ['inside', 'r-1'],
      ['outside', undefined],
    ]);
  });

  it('honours the level: probes only at debug, nothing at warn for a successful request', async () => {
    const quiet = await build('info');
    await quiet.yoga.fetch('http://lakeql.test/ready');
    expect(logs.lines).toEqual([]);
    const debug = await build('debug');
    await debug.yoga.fetch('http://lakeql.test/ready');
    expect(logs.lines).toMatchObject([{ level: 'debug', msg: 'request', path: '/ready', status: 200 }]);
    const warn = await build('warn');
    await warn.yoga.fetch('http://lakeql.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ lake { kind } }"}',
    });
    expect(logs.lines).toEqual([]);
    await Promise.all([quiet.stop(), debug.stop(), warn.stop()]);
  });

  it('parses LAKEQL_LOG_LEVEL, naming the variable when it is wrong', () => {
    expect(loadConfig({ LAKEQL_LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(loadConfig({}).logLevel).toBe('info');
    expect(() => loadConfig({ LAKEQL_LOG_LEVEL: 'loud' })).toThrow(/LAKEQL_LOG_LEVEL/);
  });

  it('redacts signatures in paths but keeps other parameters', () => {
    expect(
      redactedPath(new URL('http://x/v1/bars/AAPL?from=2024-01-01&X-Amz-Signature=abc&X-Amz-Credential=def')),
    ).toBe('/v1/bars/AAPL?from=2024-01-01&X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]');
    expect(redactedPath(new URL('http://x/graphql'))).toBe('/graphql');
  });
});
