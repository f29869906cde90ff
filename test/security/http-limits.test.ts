// Request-level limits: body size (413), timeout (504), rate limit (429 + Retry-After), CSRF, error masking; each at its value and one above.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSchema, createYoga } from 'graphql-yoga';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { securityPlugins } from '../../src/http/security.js';
import { NotFoundError } from '../../src/lake/errors.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import type { ListPage, ObjectStore } from '../../src/lake/store/types.js';
import { maskError } from '../../src/schema/errors.js';
import { MULTIPART_OVERHEAD_BYTES } from '../../src/http/security.js';
import { API_KEYS, bearer, jobSchemaYoga, KEYS, lakeApp, nodeSchemaYoga, send } from './support.js';

/** A JSON body of exactly `bytes` bytes carrying `{ value }`, padded with spaces JSON ignores. */
function bodyOf(bytes: number): string {
  const head = '{"query":"{ value }"';
  return `${head}${' '.repeat(bytes - head.length - 1)}}`;
}

function post(
  yoga: { fetch: (url: string, init: RequestInit) => Response | Promise<Response> },
  body: BodyInit,
  headers: Record<string, string> = {},
) {
  return yoga.fetch('http://lakeql.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
}

/** The body as a stream of 1 KiB chunks, so no Content-Length is known up front (chunked upload). */
function streamed(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + 1024));
      at += 1024;
    },
  });
}

describe('request body size', () => {
  const yoga = nodeSchemaYoga({ LAKEQL_MAX_BODY_BYTES: '2048' });

  it('answers a body of exactly LAKEQL_MAX_BODY_BYTES and refuses one byte more with 413, by Content-Length', async () => {
    const ok = await post(yoga, bodyOf(2048), { 'content-length': '2048' });
    expect(ok.status).toBe(200);
    expect((await ok.json()).data.value).toBe(1);
    const over = await post(yoga, bodyOf(2049), { 'content-length': '2049' });
    expect(over.status).toBe(413);
    expect((await over.json()).errors[0].extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limit: 2048 });
  });

  it('counts a body without Content-Length as it streams, with the same limit', async () => {
    const ok = await post(yoga, streamed(bodyOf(2048)));
    expect(ok.status).toBe(200);
    const over = await post(yoga, streamed(bodyOf(2049)));
    expect(over.status).toBe(413);
    expect((await over.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a Content-Length that is not one plain number', async () => {
    for (const value of ['1, 1', '-1', '12abc']) {
      expect((await post(yoga, '{}', { 'content-length': value })).status).toBe(400);
    }
  });

  it('defaults to 4 MiB: exactly 4 MiB answers, one byte more is 413', async () => {
    const defaults = nodeSchemaYoga();
    expect((await post(defaults, streamed(bodyOf(4_194_304)))).status).toBe(200);
    expect((await post(defaults, streamed(bodyOf(4_194_305)))).status).toBe(413);
  });

  it('answers 413 over a real socket, with and without Content-Length', async () => {
    const lake = await lakeApp({ LAKEQL_PORT: '0', LAKEQL_MAX_BODY_BYTES: '2048' });
    try {
      const url = await lake.app.start();
      const json = { 'content-type': 'application/json' };
      expect((await fetch(url, { method: 'POST', headers: json, body: bodyOf(1_000_000) })).status).toBe(413);
      // A stream body goes out chunked, with no Content-Length.
      const chunked = await fetch(url, {
        method: 'POST',
        headers: json,
        body: streamed(bodyOf(1_000_000)),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      const small = JSON.stringify({ query: '{ lake { kind } }' });
      expect(
        (await fetch(url, { method: 'POST', headers: json, body: streamed(small), duplex: 'half' } as RequestInit))
          .status,
      ).toBe(200);
      expect((await fetch(url, { method: 'POST', headers: json, body: small })).status).toBe(200);
      // Signed PUT URLs are bounded by their own grant, not by LAKEQL_MAX_BODY_BYTES: a forged one is 403, not 413.
      const put = await fetch(url.replace('/graphql', '/uploads/data/x.parquet?expires=9999999999&signature=00'), {
        method: 'PUT',
        body: new Uint8Array(10_000),
      });
      expect(put.status).not.toBe(413);
    } finally {
      await lake.app.stop();
      await lake.close();
    }
  });
});

/** A virtual clock whose timers fire only when the test advances it. */
function fakeClock(start = 0) {
  let now = start;
  const timers: { at: number; fire: () => void; cancelled: boolean }[] = [];
  return {
    now: () => now,
    setTimer: (fire: () => void, ms: number) => {
      const timer = { at: now + ms, fire, cancelled: false };
      timers.push(timer);
      return () => void (timer.cancelled = true);
    },
    /** Fires due timers one at a time, letting promise continuations run after each. */
    async advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const next = timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        now = next.at;
        next.cancelled = true;
        next.fire();
        await new Promise((resolve) => setImmediate(resolve));
      }
      now = until;
    },
    pending: () => timers.filter((t) => !t.cancelled).length,
  };
}

describe('multipart upload size', () => {
  /** A multipart body of exactly `bytes` bytes: operations, map, and one file padded to fit. */
  function multipart(bytes: number): { body: Uint8Array; type: string } {
    const boundary = 'lakeqlboundary';
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ value }"}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const tail = `\r\n--${boundary}--\r\n`;
    const body = new Uint8Array(bytes).fill(0x61);
    body.set(new TextEncoder().encode(head), 0);
    body.set(new TextEncoder().encode(tail), bytes - tail.length);
    return { body, type: `multipart/form-data; boundary=${boundary}` };
  }

  it("allows LAKEQL_MAX_UPLOAD_BYTES plus the fields' overhead, and refuses one byte more with 413", async () => {
    const yoga = nodeSchemaYoga({ LAKEQL_MAX_UPLOAD_BYTES: '4096', LAKEQL_MAX_BODY_BYTES: '1024' });
    const cap = 4096 + MULTIPART_OVERHEAD_BYTES;
    const send = (bytes: number) => {
      const { body, type } = multipart(bytes);
      return yoga.fetch('http://lakeql.test/graphql', {
        method: 'POST',
        headers: { 'content-type': type, 'content-length': String(bytes), 'x-graphql-yoga-csrf': '1' },
        body,
      });
    };
    const ok = await send(cap);
    expect(ok.status).toBe(200);
    expect((await ok.json()).data.value).toBe(1);
    const over = await send(cap + 1);
    expect(over.status).toBe(413);
    expect((await over.json()).errors[0]).toMatchObject({ extensions: { code: 'PAYLOAD_TOO_LARGE', limit: cap } });
    expect(loadConfig({}).limits.maxUploadBytes).toBe(1_073_741_824);
  });
});

describe('request timeout', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lakeql-timeout-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** A directory store whose listings answer `delayMs` of virtual time after they are asked, without I/O. */
  function slowStore(clock: ReturnType<typeof fakeClock>, delayMs: number, asked: () => void): ObjectStore {
    const store = new LocalStore(dir);
    const page: ListPage = { objects: [], commonPrefixes: [] };
    store.list = () =>
      new Promise((resolve) => {
        asked();
        clock.setTimer(() => resolve(page), delayMs);
      });
    return store;
  }

  async function run(delayMs: number) {
    const clock = fakeClock();
    let asked!: () => void;
    const storeAsked = new Promise<void>((resolve) => (asked = resolve));
    const app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_REQUEST_TIMEOUT_MS: '5000' }), {
      store: slowStore(clock, delayMs, asked),
      location: { kind: 'local', directory: dir },
      security: { setTimer: clock.setTimer, now: clock.now },
      log: () => {},
    });
    const response = send(app.yoga, '{ symbols(first: 1) { edges { cursor } } }');
    await Promise.race([
      storeAsked,
      response.then((r) => {
        throw new Error(`answered before asking the store: ${JSON.stringify(r.body)}`);
      }),
    ]);
    // The index lists its dataset roots concurrently, a few microtasks apart: let all of them ask before time moves.
    await new Promise((resolve) => setImmediate(resolve));
    await clock.advance(10_000);
    return { ...(await response), pending: clock.pending() };
  }

  it('answers a query that finishes 1 ms inside LAKEQL_REQUEST_TIMEOUT_MS and cancels its timer', async () => {
    const r = await run(4999);
    expect(r.status).toBe(200);
    expect(r.body.data.symbols.edges).toEqual([]);
    expect(r.pending).toBe(0);
  });

  it('answers 504 TIMEOUT for one that would finish 1 ms after, without waiting for it', async () => {
    const r = await run(5001);
    expect(r.status).toBe(504);
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'TIMEOUT', timeoutMs: 5000 });
  });
});

describe('rate limit', () => {
  // rate-limiter-flexible reads Date.now: a fake clock steps the window without waiting.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets LAKEQL_RATE_LIMIT requests through per key, then 429 with Retry-After until the window ends', async () => {
    const yoga = jobSchemaYoga({ LAKEQL_API_KEYS: API_KEYS, LAKEQL_RATE_LIMIT: '5/60s' });
    for (let i = 0; i < 5; i++)
      expect((await send(yoga, '{ lake }', { headers: bearer(KEYS.reader) })).status).toBe(200);
    const limited = await send(yoga, '{ lake }', { headers: bearer(KEYS.reader) });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    // Another key has its own count.
    expect((await send(yoga, '{ jobs { id } }', { headers: bearer(KEYS.writer) })).status).toBe(200);
    vi.setSystemTime(1_000_000 + 59_001);
    expect((await send(yoga, '{ lake }', { headers: bearer(KEYS.reader) })).headers.get('retry-after')).toBe('1');
    vi.setSystemTime(1_000_000 + 60_000);
    for (let i = 0; i < 5; i++)
      expect((await send(yoga, '{ lake }', { headers: bearer(KEYS.reader) })).status).toBe(200);
    expect((await send(yoga, '{ lake }', { headers: bearer(KEYS.reader) })).status).toBe(429);
  });

  it('counts anonymous callers per client address, and 1200/60s by default', async () => {
    const yoga = nodeSchemaYoga({});
    const from = (ip: string) => ({ req: { socket: { remoteAddress: ip } } });
    for (let i = 0; i < 1200; i++) {
      const r = await send(yoga, '{ value }', { ctx: from('10.0.0.1') });
      if (r.status !== 200) throw new Error(`request ${i + 1} answered ${r.status}`);
    }
    const limited = await send(yoga, '{ value }', { ctx: from('10.0.0.1') });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect((await send(yoga, '{ value }', { ctx: from('10.0.0.2') })).status).toBe(200);
  });

  it('can be turned off', async () => {
    const yoga = nodeSchemaYoga({ LAKEQL_RATE_LIMIT: 'off' });
    for (let i = 0; i < 1300; i++) {
      if ((await send(yoga, '{ value }')).status !== 200) throw new Error(`request ${i + 1} limited`);
    }
  });
});

describe('CSRF prevention', () => {
  const yoga = nodeSchemaYoga();

  it('refuses GET and simple-content-type requests without the header, and answers them with it', async () => {
    const get = (headers: Record<string, string> = {}) =>
      yoga.fetch('http://lakeql.test/graphql?query=%7B%20value%20%7D', { headers });
    expect((await get()).status).toBe(403);
    expect((await get({ 'x-graphql-yoga-csrf': '1' })).status).toBe(200);
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: '{ value }' }));
    form.set('map', '{}');
    expect((await yoga.fetch('http://lakeql.test/graphql', { method: 'POST', body: form })).status).toBe(403);
    expect(
      (
        await yoga.fetch('http://lakeql.test/graphql', {
          method: 'POST',
          body: form,
          headers: { 'x-graphql-yoga-csrf': '1' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await yoga.fetch('http://lakeql.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: '{"query":"{ value }"}',
        })
      ).status,
    ).toBe(403);
    expect((await send(yoga, '{ value }')).status).toBe(200);
  });
});

describe('error masking', () => {
  it('masks unexpected errors and keeps typed ones with their code', async () => {
    const config = loadConfig({ LAKEQL_DEMO: 'never' });
    const schema = createSchema({
      typeDefs: 'type Query { boom: Int  missing: Int }',
      resolvers: {
        Query: {
          boom: () => {
            throw new Error('ECONNREFUSED 10.1.2.3:9000 secret-bucket');
          },
          missing: () => {
            throw new NotFoundError('no object "data/x"', { key: 'data/x' });
          },
        },
      },
    });
    const yoga = createYoga({ schema, maskedErrors: { maskError }, logging: false, plugins: securityPlugins(config) });
    const r = await send(yoga, '{ boom missing }');
    const [boom, missing] = r.body.errors;
    expect(boom).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(r.body)).not.toMatch(/ECONNREFUSED|secret-bucket|at .*\.ts/);
    expect(missing).toMatchObject({ message: 'no object "data/x"', extensions: { code: 'NOT_FOUND', key: 'data/x' } });
  });
});
