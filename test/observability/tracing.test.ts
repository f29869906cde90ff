// OpenTelemetry tracing: off with no OTEL_* set; on, a bars query over HTTP makes one trace from the caller's traceparent down to S3 requests and the Parquet decode.
import { randomBytes } from 'node:crypto';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { availableParallelism } from 'node:os';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { context, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { isWrapped } from '@opentelemetry/instrumentation';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { BarRow } from '../../src/lake/bars/types.js';
import { readBars, SPLIT_ROWS } from '../../src/lake/parquet/read.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import type { LakeLocation } from '../../src/lake/store/open.js';
import type { ObjectStore } from '../../src/lake/store/types.js';
import { schema } from '../../src/schema/index.js';
import { TRACED_FIELDS } from '../../src/schema/traced-fields.js';
import { JobService } from '../../src/lake/jobs/service.js';
import { MemoryJobRegistry } from '../../src/lake/jobs/memory-registry.js';
import { startTracing, tracingSettings } from '../../src/services/tracing.js';
import { mulberry32 } from '../../src/lake/demo/prng.js';
import { tempDir, writeSourceTree } from '../jobs/support.js';
import { traceContextCases } from './hostile-trace-context.js';
import { createBucket, s3Servers, s3StoreOn } from '../support/s3-servers.js';

const KEY = 'data/ticks/daily/TRC/2024/ticks.parquet';
/** The same bars under another symbol, read first over graphql-ws: decoded columns are cached, so only a first read shows the lake's spans. */
const WS_KEY = 'data/ticks/daily/TRW/2024/ticks.parquet';
const ROWS: BarRow[] = Array.from({ length: 30 }, (_, i) => ({
  time: Date.UTC(2024, 0, 2 + i),
  open: 10 + i,
  high: 11 + i,
  low: 9 + i,
  close: 10.5 + i,
  volume: 1000 + i,
}));
const QUERY =
  'query Bars($first: Int = 5) { symbol(ticker: "TRC") { ticker bars(timeframe: DAY, first: $first) { edges { node { date close } } pageInfo { hasNextPage } } } }';
const CONFIG = { LAKEQL_DEMO: 'never', LAKEQL_PORT: '0' };

/** The module whose `Client.prototype.send` the AWS SDK instrumentation patches, as the SDK itself loads it. */
const smithyClient = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/client-s3'))(
  '@smithy/core/client',
) as { Client: { prototype: { send: unknown } } };

async function lakeWithBars(store: ObjectStore): Promise<void> {
  await store.put(KEY, writeBarsParquet(ROWS, { resolution: 'DAILY' }), {
    contentType: 'application/vnd.apache.parquet',
  });
}

/** POSTs the query over a real socket, as a traced client would: with its own traceparent. */
async function query(url: string, traceparent?: string, first = 5): Promise<Record<string, any>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(traceparent ? { traceparent } : {}),
    },
    // A fresh `first` per query: the response cache would answer a repeated one without executing it.
    body: JSON.stringify({ query: QUERY, variables: { first } }),
  });
  const body = (await response.json()) as Record<string, any>;
  expect(body.errors).toBeUndefined();
  expect(body.data.symbol.bars.edges).toHaveLength(first);
  return body;
}

interface WsTrace {
  /** On the upgrade request. */
  headers?: Record<string, string>;
  /** The connection_init payload. */
  connectionParams?: Record<string, unknown>;
  /** The subscribe message's `extensions`. */
  extensions?: Record<string, unknown>;
}

/** Runs the bars query over graphql-ws on a connection of its own (a real `ws` socket), carrying trace context where `where` puts it. */
async function queryOverWs(url: string, where: WsTrace, first: number): Promise<void> {
  const headers = where.headers;
  class Socket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: Socket,
    connectionParams: where.connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  try {
    const result = await new Promise<Record<string, any>>((resolve, reject) => {
      let last: Record<string, any> = {};
      client.subscribe(
        { query: QUERY.replace('"TRC"', '"TRW"'), variables: { first }, extensions: where.extensions },
        {
          next: (value) => {
            last = value as Record<string, any>;
          },
          error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
          complete: () => resolve(last),
        },
      );
    });
    expect(result.errors).toBeUndefined();
    expect(result.data.symbol.bars.edges).toHaveLength(first);
  } finally {
    await client.dispose();
  }
}

/** POSTs a GraphQL request over node:http, which sends header values byte for byte (fetch refuses some of the hostile ones). */
function post(
  agent: Agent,
  url: string,
  body: object,
  headers: Record<string, string | string[]>,
): Promise<{ status: number; body: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            resolve({ status: response.statusCode ?? 0, body: { text } });
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

function otelVariablesUnset(): () => void {
  const saved = Object.entries(process.env).filter(([name]) => name.startsWith('OTEL_'));
  for (const [name] of saved) delete process.env[name];
  return () => Object.assign(process.env, Object.fromEntries(saved));
}

/** Parent-to-child lookups over the exported spans of one trace. */
function tree(spans: ReadableSpan[]) {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const parentOf = (span: ReadableSpan) => byId.get(span.parentSpanContext?.spanId ?? '');
  const named = (name: string) => spans.filter((s) => s.name === name);
  const one = (name: string) => {
    const found = named(name);
    expect(
      found.map((s) => s.name),
      `one span named ${name}`,
    ).toEqual([name]);
    return found[0];
  };
  const ancestors = (span: ReadableSpan) => {
    const chain: string[] = [];
    for (let p = parentOf(span); p; p = parentOf(p)) chain.push(p.name);
    return chain;
  };
  return { parentOf, named, one, ancestors };
}

describe('tracing settings from the OTEL_* environment', () => {
  it('stays off unless an exporter or an OTLP endpoint is configured', () => {
    expect(tracingSettings({}).exporters).toEqual([]);
    expect(tracingSettings({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }).exporters).toEqual([]);
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).exporters).toEqual(['otlp']);
    expect(
      tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }).exporters,
    ).toEqual(['otlp']);
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'console' }).exporters).toEqual(['console']);
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: ' OTLP , console,otlp' }).exporters).toEqual(['otlp', 'console']);
  });

  it('honours none and OTEL_SDK_DISABLED over everything else', () => {
    expect(
      tracingSettings({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).exporters,
    ).toEqual([]);
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'TRUE' }).exporters).toEqual([]);
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'false' }).exporters).toEqual(['otlp']);
  });

  it('warns of exporters and protocols it does not have, and keeps the rest', () => {
    const settings = tracingSettings({ OTEL_TRACES_EXPORTER: 'zipkin,console', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(settings.exporters).toEqual(['console']);
    expect(settings.warnings).toEqual([expect.stringContaining('"zipkin"')]);
    const grpc = tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' });
    expect(grpc.exporters).toEqual(['otlp']);
    expect(grpc.warnings).toEqual([expect.stringContaining('http/json')]);
    expect(
      tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }).warnings,
    ).toEqual([]);
  });

  it('names only fields the schema has', () => {
    const missing = TRACED_FIELDS.filter((name) => {
      const [type, field] = name.split('.');
      const found = schema.getType(type);
      return !(found && 'getFields' in found && (found.getFields() as Record<string, unknown>)[field]);
    });
    expect(missing).toEqual([]);
  });
});

describe('with no OTEL_* set', () => {
  it('registers nothing: no provider, no SDK patch, no spans', async () => {
    const restore = otelVariablesUnset();
    const dir = await tempDir('tracing-off');
    const store = new LocalStore(dir);
    await lakeWithBars(store);
    const app = await buildApp(loadConfig(CONFIG), {
      store,
      location: { kind: 'local', directory: dir },
      log: () => {},
    });
    try {
      const url = await app.start();
      await query(url, `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`);
      expect(app.services.tracing).toBeUndefined();
      const span = trace.getTracer('probe').startSpan('probe');
      expect(span.isRecording()).toBe(false);
      span.end();
      expect(isWrapped(smithyClient.Client.prototype.send)).toBe(false);
    } finally {
      await app.stop();
      restore();
    }
  });
});

const [server] = s3Servers();
describe.skipIf(!server)(`with an in-memory exporter, on ${server?.name ?? 'no S3 server'}`, () => {
  const exporter = new InMemorySpanExporter();
  let app: App;
  let url: string;
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(server, 'tracing');
    const store = s3StoreOn(server, bucket);
    await lakeWithBars(store);
    await store.put(WS_KEY, writeBarsParquet(ROWS, { resolution: 'DAILY' }));
    const location: LakeLocation = { kind: 's3', bucket, prefix: '' };
    const uploadRoot = await tempDir('tracing-upload');
    await writeSourceTree(uploadRoot, 'incoming', 3);
    app = await buildApp(loadConfig({ ...CONFIG, LAKEQL_UPLOAD_ROOT: uploadRoot }), {
      store,
      location,
      log: () => {},
      traceExporter: exporter,
    });
    url = await app.start();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("a bars query is one trace under the caller's traceparent: operation → resolvers → bar read → S3 GETs and the decode", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    exporter.reset();
    await query(url, `00-${traceId}-${callerSpan}-01`);
    await app.services.tracing!.flush();
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const { one, named, parentOf, ancestors } = tree(spans);

    const operation = one('query.Bars');
    expect(operation.kind).toBe(SpanKind.SERVER);
    expect(operation.parentSpanContext?.spanId).toBe(callerSpan);
    expect(operation.attributes['graphql.execute.operationName']).toBe('Bars');
    expect(operation.resource.attributes['service.name']).toBe('lakeql');

    expect(parentOf(one('Query.symbol'))).toBe(operation);
    // edges is selected first, so it reads the page; pageInfo gets the same page without reading.
    const edges = one('BarConnection.edges');
    expect(parentOf(edges)).toBe(operation);
    expect(edges.attributes['graphql.field.path']).toBe('symbol.bars.edges');
    expect(parentOf(one('BarConnection.pageInfo'))).toBe(operation);
    expect(named('Bar.close')).toEqual([]);

    // The page is planned from the footer (one suffix GET, which holds all of a file this small), then read.
    const footer = one('lakeql.parquet.footer');
    expect(parentOf(footer)).toBe(edges);
    expect(footer.attributes['lakeql.key']).toBe(KEY);
    const read = one('lakeql.bars.read');
    expect(parentOf(read)).toBe(edges);
    expect(read.attributes).toMatchObject({ 'lakeql.key': KEY, 'lakeql.rows': ROWS.length });
    const decode = one('lakeql.parquet.decode');
    expect(parentOf(decode)).toBe(read);
    expect(decode.attributes).toMatchObject({
      'lakeql.key': KEY,
      'lakeql.rows': ROWS.length,
      'lakeql.parquet.parts': 1,
      'lakeql.parquet.decoded_rows': ROWS.length,
      // time, open, high, low, close, volume as float64s, from the worker.
      'lakeql.parquet.decoded_bytes': ROWS.length * 6 * 8,
      'lakeql.parquet.fetches': 0,
    });
    // The span's time split: waiting for a worker (this thread) and the worker's own wait and decode, which fit inside.
    const ms = (name: string) => decode.attributes[`lakeql.parquet.${name}`] as number;
    for (const name of ['queue_ms', 'worker_ms', 'batch_wait_ms', 'decode_ms'])
      expect(ms(name), name).toBeGreaterThanOrEqual(0);
    expect(ms('decode_ms')).toBeGreaterThan(0);
    expect(ms('batch_wait_ms') + ms('decode_ms')).toBeLessThanOrEqual(ms('worker_ms'));
    expect(ms('queue_ms') + ms('worker_ms')).toBeLessThanOrEqual(hrTimeToMilliseconds(decode.duration));
    expect(decode.events).toEqual([]);

    const gets = named('S3.GetObject');
    expect(gets.length).toBeGreaterThanOrEqual(1);
    for (const get of gets) {
      expect(get.kind).toBe(SpanKind.CLIENT);
      expect(get.attributes).toMatchObject({
        'rpc.system': 'aws-api',
        'rpc.service': 'S3',
        'rpc.method': 'GetObject',
        'aws.s3.bucket': bucket,
        'http.response.status_code': expect.any(Number),
      });
      expect(ancestors(get).slice(-2)).toEqual(['BarConnection.edges', 'query.Bars']);
    }
    expect(gets.filter((get) => parentOf(get) === footer)).toHaveLength(1);
    // Every span of the request hangs off the caller's span: none lost its parent on the way.
    for (const span of spans) expect(ancestors(span).at(-1) ?? span.name, span.name).toBe('query.Bars');
    expect(spans.every((s) => s.status.code !== SpanStatusCode.ERROR)).toBe(true);
  });

  it('a query without a traceparent starts a trace of its own', async () => {
    exporter.reset();
    await query(url, undefined, 4);
    await app.services.tracing!.flush();
    const operations = exporter.getFinishedSpans().filter((s) => s.name === 'query.Bars');
    expect(operations).toHaveLength(1);
    expect(operations[0].parentSpanContext).toBeUndefined();
  });

  it("over graphql-ws, a query gets the same spans and continues the caller's trace from the upgrade request, connection_init or the operation's extensions", async () => {
    const context = () => ({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') });
    const header = (c: { traceId: string; spanId: string }) => `00-${c.traceId}-${c.spanId}-01`;
    const [upgrade, init, operation] = [context(), context(), context()];
    const cases: { name: string; where: WsTrace; expected?: typeof upgrade; state?: string }[] = [
      {
        name: 'upgrade headers',
        where: { headers: { traceparent: header(upgrade), tracestate: 'us=1' } },
        expected: upgrade,
        state: 'us=1',
      },
      {
        name: 'connection_init over the upgrade',
        where: {
          headers: { traceparent: header(upgrade) },
          connectionParams: { traceparent: header(init), tracestate: 'vendor=ci' },
        },
        expected: init,
        state: 'vendor=ci',
      },
      {
        name: 'extensions over connection_init and the upgrade',
        where: {
          headers: { traceparent: header(upgrade), tracestate: 'us=1' },
          connectionParams: { traceparent: header(init), tracestate: 'vendor=ci' },
          extensions: { traceparent: header(operation) },
        },
        expected: operation,
        state: '',
      },
      {
        name: 'connection_init headers, as clients put credentials',
        where: {
          headers: { traceparent: header(upgrade) },
          connectionParams: { headers: { TraceParent: header(init) } },
        },
        expected: init,
        state: '',
      },
      { name: 'none', where: {} },
      // A malformed one where the client put it starts a new trace: the connection's is not used instead.
      {
        name: 'malformed extensions',
        where: { connectionParams: { traceparent: header(init) }, extensions: { traceparent: 'nope' } },
      },
      {
        name: 'unicode in connection_init',
        where: { connectionParams: { traceparent: `00-${'é'.repeat(32)}-${upgrade.spanId}-01` } },
      },
      {
        name: 'line break in connection_init',
        where: { connectionParams: { traceparent: `${header(init)}\r\nx-evil: 1` } },
      },
      {
        name: 'not a string',
        where: { connectionParams: { traceparent: { traceId: init.traceId } }, extensions: { traceparent: null } },
      },
      {
        name: 'unicode tracestate',
        where: { extensions: { traceparent: header(operation), tracestate: 'ü=ü' } },
        expected: operation,
        state: '',
      },
    ];
    let first = 6;
    for (const { name, where, expected, state } of cases) {
      exporter.reset();
      await queryOverWs(url, where, first++);
      await app.services.tracing!.flush();
      const spans = exporter.getFinishedSpans();
      const { one, parentOf, ancestors, named } = tree(spans);
      const op = one('query.Bars');
      expect(op.kind, name).toBe(SpanKind.SERVER);
      if (expected) {
        expect(op.spanContext().traceId, name).toBe(expected.traceId);
        expect(op.parentSpanContext?.spanId, name).toBe(expected.spanId);
        expect(op.spanContext().traceState?.serialize() ?? '', name).toBe(state);
      } else {
        expect(op.parentSpanContext, name).toBeUndefined();
        expect(
          [upgrade, init, operation].map((c) => c.traceId),
          name,
        ).not.toContain(op.spanContext().traceId);
      }
      // The same tree as over HTTP: resolvers under the operation, and (on the first read, before the decoded
      // columns are cached) the lake's spans under the resolver that read.
      expect(parentOf(one('Query.symbol')), name).toBe(op);
      expect(parentOf(one('BarConnection.edges')), name).toBe(op);
      if (name === cases[0].name) {
        expect(ancestors(one('lakeql.parquet.decode')), name).toEqual([
          'lakeql.bars.read',
          'BarConnection.edges',
          'query.Bars',
        ]);
        const gets = named('S3.GetObject');
        expect(gets.length, name).toBeGreaterThanOrEqual(1);
        for (const get of gets) expect(ancestors(get).slice(-2), name).toEqual(['BarConnection.edges', 'query.Bars']);
      }
      for (const span of spans) {
        expect(span.spanContext().traceId, `${name}: ${span.name}`).toBe(op.spanContext().traceId);
        expect(ancestors(span).at(-1) ?? span.name, `${name}: ${span.name}`).toBe('query.Bars');
      }
    }
  });

  // One part per worker: a machine with one core never splits a file.
  it.skipIf(availableParallelism() < 2)(
    'a decode split across workers has an event per part with its timings, and the span follows the part answered last',
    async () => {
      const pool = app.services.bars.pool;
      const rows = SPLIT_ROWS + 100;
      const bars = Array.from({ length: rows }, (_, i) => ({
        ...ROWS[i % ROWS.length],
        time: Date.UTC(2024, 0, 2, 14, 30 + i),
      }));
      const key = 'data/ticks/daily/SPL/2024/ticks.parquet';
      const bytes = writeBarsParquet(bars, { resolution: 'MINUTE' });
      await app.services.store.put(key, bytes);
      exporter.reset();
      const decoded = await readBars(app.services.store, pool, { key, size: bytes.byteLength });
      expect(decoded.rows).toBe(rows);
      await app.services.tracing!.flush();
      const decode = tree(exporter.getFinishedSpans()).one('lakeql.parquet.decode');
      expect(decode.attributes['lakeql.parquet.parts']).toBe(Math.min(pool.size, 5));
      expect(decode.attributes['lakeql.parquet.decoded_rows']).toBe(rows);
      expect(decode.attributes['lakeql.parquet.decoded_bytes']).toBe(rows * 6 * 8);
      const parts = decode.events.filter((e) => e.name === 'lakeql.parquet.part');
      expect(parts.map((e) => e.attributes?.['lakeql.parquet.part'])).toEqual([
        ...Array(Math.min(pool.size, 5)).keys(),
      ]);
      const total = hrTimeToMilliseconds(decode.duration);
      const at = (attributes: Attributes | undefined, name: string) => attributes?.[`lakeql.parquet.${name}`] as number;
      for (const { attributes } of parts) {
        expect(at(attributes, 'decode_ms')).toBeGreaterThan(0);
        expect(at(attributes, 'batch_wait_ms') + at(attributes, 'decode_ms')).toBeLessThanOrEqual(
          at(attributes, 'worker_ms'),
        );
        expect(at(attributes, 'queue_ms') + at(attributes, 'worker_ms')).toBeLessThanOrEqual(total);
      }
      expect(parts.reduce((n, e) => n + at(e.attributes, 'decoded_bytes'), 0)).toBe(rows * 6 * 8);
      const longest = Math.max(...parts.map((e) => at(e.attributes, 'queue_ms') + at(e.attributes, 'worker_ms')));
      expect(at(decode.attributes, 'queue_ms') + at(decode.attributes, 'worker_ms')).toBe(longest);
    },
  );

  it('hostile traceparent and tracestate headers: every request answers, a malformed traceparent starts a fresh trace, a valid one is continued', async () => {
    const seed = 1612;
    const cases = traceContextCases(mulberry32(seed), 264);
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    exporter.reset();
    try {
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < cases.length; i = next++) {
          const { traceparent, tracestate } = cases[i];
          const headers: Record<string, string | string[]> = {};
          if (traceparent !== undefined) headers.traceparent = traceparent;
          if (tracestate !== undefined) headers.tracestate = tracestate;
          const { status, body } = await post(
            agent,
            url,
            { query: `query Fuzz${i} { lake { kind } symbol(ticker: "TRC") { ticker } }` },
            headers,
          );
          const label = `seed ${seed}, case ${i} (${cases[i].label}): ${JSON.stringify(traceparent)?.slice(0, 200)}`;
          expect(status, label).toBe(200);
          expect(body, label).toMatchObject({
            data: { lake: { kind: expect.any(String) }, symbol: { ticker: 'TRC' } },
          });
          expect(body.errors, label).toBeUndefined();
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    } finally {
      agent.destroy();
    }
    await app.services.tracing!.flush();
    const spans = exporter.getFinishedSpans();
    const { parentOf } = tree(spans);
    const counts = { joined: 0, unsampled: 0, fresh: 0 };
    for (const [i, c] of cases.entries()) {
      const label = `seed ${seed}, case ${i} (${c.label}): ${JSON.stringify(c.traceparent)?.slice(0, 200)}`;
      const operations = spans.filter((s) => s.name === `query.Fuzz${i}`);
      if (c.joins && !c.joins.sampled) {
        // The caller chose not to sample: the trace is continued unrecorded, not replaced by a recorded one of our own.
        expect(operations, label).toEqual([]);
        counts.unsampled++;
        continue;
      }
      expect(operations, label).toHaveLength(1);
      const [op] = operations;
      const traceId = op.spanContext().traceId;
      if (c.joins) {
        expect(traceId, label).toBe(c.joins.traceId);
        expect(op.parentSpanContext?.spanId, label).toBe(c.joins.spanId);
        // Only well-formed members are carried on, within the spec's bounds (32 members, 512 characters).
        const state = op.spanContext().traceState?.serialize() ?? '';
        expect(state.length, label).toBeLessThanOrEqual(512);
        expect(state === '' ? [] : state.split(','), label).toSatisfy(
          (members: string[]) =>
            members.length <= 32 && members.every((m) => /^[a-z0-9][_0-9a-z\-*/@]*=[!-~]([ -~]*[!-~])?$/.test(m)),
        );
        counts.joined++;
      } else {
        expect(op.parentSpanContext, label).toBeUndefined();
        expect(c.ids, label).not.toContain(traceId);
        counts.fresh++;
      }
      const symbol = spans.find((s) => s.name === 'Query.symbol' && parentOf(s) === op);
      expect(symbol?.spanContext().traceId, label).toBe(traceId);
    }
    // Every kind of case was met, both ways.
    expect(counts.joined).toBeGreaterThan(30);
    expect(counts.unsampled).toBeGreaterThan(5);
    expect(counts.fresh).toBeGreaterThan(150);
    // The process is still up and still traces.
    const traceId = randomBytes(16).toString('hex');
    exporter.reset();
    await query(url, `00-${traceId}-${randomBytes(8).toString('hex')}-01`, 3);
    await app.services.tracing!.flush();
    expect(
      exporter
        .getFinishedSpans()
        .filter((s) => s.name === 'query.Bars')[0]
        ?.spanContext().traceId,
    ).toBe(traceId);
  });

  it('a backfill has a span per file, each over its S3 PutObject, in the trace of the mutation that started it', async () => {
    const traceId = randomBytes(16).toString('hex');
    exporter.reset();
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({
        query: 'mutation Backfill { startBackfill(source: "incoming", prefix: "traced", validate: false) { id } }',
      }),
    });
    const { data } = (await response.json()) as { data: { startBackfill: { id: string } } };
    const state = (await app.services.transfers.jobs.wait(data.startBackfill.id))?.state;
    expect(state).toBe('SUCCEEDED');
    await app.services.tracing!.flush();
    const { named, parentOf, ancestors } = tree(
      exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId),
    );
    const items = named('lakeql.job.item');
    expect(items.map((item) => item.attributes['lakeql.key']).sort()).toEqual([
      expect.stringMatching(/^traced\//),
      expect.stringMatching(/^traced\//),
      expect.stringMatching(/^traced\//),
    ]);
    for (const item of items) {
      expect(item.attributes).toMatchObject({
        'lakeql.job.id': data.startBackfill.id,
        'lakeql.job.kind': 'BACKFILL',
        'lakeql.bytes': expect.any(Number),
      });
      expect(ancestors(item)).toEqual(expect.arrayContaining(['Mutation.startBackfill', 'mutation.Backfill']));
    }
    // Small files go by the fast path (src/lake/store/s3/put.ts), around the SDK: its spans are lakeql's own, named like the SDK's.
    const puts = named('S3.PutObject');
    expect(puts).toHaveLength(3);
    for (const put of puts) {
      expect(items).toContain(parentOf(put));
      expect(put.attributes).toMatchObject({
        'rpc.method': 'PutObject',
        'aws.s3.bucket': bucket,
        'http.response.status_code': 200,
      });
    }
  });

  it('stop() exports the last spans, then unregisters the provider and the SDK patch', async () => {
    expect(isWrapped(smithyClient.Client.prototype.send)).toBe(true);
    await app.stop();
    expect(isWrapped(smithyClient.Client.prototype.send)).toBe(false);
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  });
});

describe('configured by OTEL_* alone', () => {
  it('exports to the OTLP endpoint over HTTP, named by OTEL_SERVICE_NAME, when the gateway stops at the latest', async () => {
    const received: { path: string; type: string; body: string }[] = [];
    const collector = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        received.push({ path: request.url ?? '', type: request.headers['content-type'] ?? '', body });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const restore = otelVariablesUnset();
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      OTEL_SERVICE_NAME: 'lakeql-traced',
    });
    const dir = await tempDir('tracing-otlp');
    const store = new LocalStore(dir);
    await lakeWithBars(store);
    try {
      const app = await buildApp(loadConfig(CONFIG), {
        store,
        location: { kind: 'local', directory: dir },
        log: () => {},
      });
      const url = await app.start();
      const traceId = randomBytes(16).toString('hex');
      await query(url, `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
      await app.stop();
      const exported = received
        .filter((r) => r.path === '/v1/traces')
        .map((r) => JSON.parse(r.body) as { resourceSpans: any[] });
      expect(received.every((r) => r.type.startsWith('application/json'))).toBe(true);
      const resources = exported.flatMap((e) => e.resourceSpans);
      const spans = resources.flatMap((r) =>
        r.scopeSpans.flatMap((scope: { spans: { name: string; traceId: string }[] }) => scope.spans),
      );
      expect(spans.filter((span) => span.traceId === traceId).map((span) => span.name)).toEqual(
        expect.arrayContaining(['query.Bars', 'BarConnection.edges', 'lakeql.bars.read', 'lakeql.local.get']),
      );
      expect(resources[0].resource.attributes).toContainEqual({
        key: 'service.name',
        value: { stringValue: 'lakeql-traced' },
      });
    } finally {
      for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME']) delete process.env[name];
      restore();
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});

describe('a directory lake', () => {
  it('shows its reads as lakeql.local.* spans under the bar read', async () => {
    const dir = await tempDir('tracing-local');
    const store = new LocalStore(dir);
    await lakeWithBars(store);
    const exporter = new InMemorySpanExporter();
    const app = await buildApp(loadConfig(CONFIG), {
      store,
      location: { kind: 'local', directory: dir },
      log: () => {},
      traceExporter: exporter,
    });
    try {
      const url = await app.start();
      const traceId = randomBytes(16).toString('hex');
      await query(url, `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
      await app.services.tracing!.flush();
      const { one, named, parentOf } = tree(
        exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId),
      );
      const lakeSpans = [one('lakeql.parquet.footer'), one('lakeql.bars.read')];
      const gets = named('lakeql.local.get');
      expect(gets.length).toBeGreaterThanOrEqual(1);
      for (const get of gets) expect(lakeSpans).toContain(parentOf(get));
      expect(gets.map((g) => g.attributes['lakeql.key'])).toContain(KEY);
      expect(named('S3.GetObject')).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});

describe('jobs', () => {
  it('a job that waited for a slot runs in the trace of the request that started it, not of the job that freed the slot', async () => {
    const tracing = (await startTracing({}, { exporter: new InMemorySpanExporter() }))!;
    try {
      const jobs = new JobService({ registry: new MemoryJobRegistry(), maxRunningJobs: 1 });
      const tracer = trace.getTracer('test');
      const seen: Record<string, string | undefined> = {};
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const spec = (name: string, wait?: Promise<void>) => ({
        kind: 'BACKFILL' as const,
        description: name,
        work: async () => {
          seen[name] = trace.getSpan(context.active())?.spanContext().traceId;
          await wait;
        },
      });
      const started: Record<string, string> = {};
      const ids: string[] = [];
      for (const [name, wait] of [
        ['first', held],
        ['second', undefined],
      ] as const) {
        await tracer.startActiveSpan(name, async (span) => {
          started[name] = span.spanContext().traceId;
          ids.push((await jobs.start(spec(name, wait))).id);
          span.end();
        });
      }
      expect(seen).toEqual({ first: started.first });
      release();
      for (const id of ids) expect((await jobs.wait(id))?.state).toBe('SUCCEEDED');
      expect(started.first).not.toBe(started.second);
      expect(seen).toEqual({ first: started.first, second: started.second });
    } finally {
      await tracing.shutdown();
    }
  });
});
