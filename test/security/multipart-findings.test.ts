// GraphQL multipart requests that used to crash, hang or leak the gateway: each now answers, typed, with nothing left on disk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BarRow } from '../../src/lake/bars/types.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';
import { API_KEYS, KEYS } from './support.js';
import {
  eventually,
  healthOn,
  multipartBody,
  sendRaw,
  spillFiles,
  startGateway,
  type Gateway,
  type Part,
  type RawOutcome,
} from './multipart-support.js';

const DAY = 86_400_000;
const daily = (year: number, n: number): BarRow[] =>
  Array.from({ length: n }, (_, i) => ({
    time: Date.UTC(year, 0, 2) + i * DAY,
    open: 10,
    high: 12,
    low: 9,
    close: 11,
    volume: 1000 + i,
  }));
const B = 'lakeqlFindingsBoundary';
const TYPE = { 'content-type': `multipart/form-data; boundary=${B}`, 'x-graphql-yoga-csrf': '1' };
const ops = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
const json = (outcome: RawOutcome) => (outcome.kind === 'response' ? JSON.parse(outcome.response.body) : outcome);

/** Two files read in the opposite order of the body: the first mutation reads the second part. */
const REVERSED = `mutation($a: File!, $b: File!) {
  x: uploadTickFile(symbol: "TWO", year: 2017, file: $b) { key size }
  y: uploadTickFile(symbol: "ONE", year: 2018, file: $a) { key size } }`;

describe('multipart findings, auth off', () => {
  let gw: Gateway;
  const one = writeBarsParquet(daily(2018, 30), { resolution: 'DAILY' });
  const two = writeBarsParquet(daily(2017, 40), { resolution: 'DAILY' });

  beforeAll(async () => {
    gw = await startGateway({ LAKEQL_REQUEST_TIMEOUT_MS: '1500' });
  });
  afterAll(() => gw.stop());

  const alive = async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gw.child.exitCode, gw.stderr()).toBeNull();
    expect((await fetch(new URL('/health', gw.url))).status).toBe(200);
  };

  it('a map naming a file that never arrives answers a typed error and the process stays up (finding 1)', async () => {
    const body = multipartBody(
      [
        { name: 'operations', data: ops('{ lake { kind } }', { x: null }) },
        { name: 'map', data: '{"0":["variables.x"]}' },
      ],
      B,
    );
    const outcome = await sendRaw(gw.port, { headers: TYPE, body });
    expect(outcome.kind).toBe('response');
    expect(json(outcome).errors[0].extensions.code).toBe('BAD_REQUEST');
    await alive();
    // Declared as a File but absent: an operation that reads it gets a typed error, one that does not gets its data.
    for (const [query, code] of [
      ['mutation($x: File!) { uploadTickFile(symbol: "ABS", year: 2024, file: $x) { key } }', 'BAD_REQUEST'],
      ['query($x: File) { lake { kind } }', 'GRAPHQL_VALIDATION_FAILED'], // $x is never used
    ]) {
      const missing = await sendRaw(gw.port, {
        headers: TYPE,
        body: multipartBody(
          [
            { name: 'operations', data: ops(query, { x: null }) },
            { name: 'map', data: '{"0":["variables.x"]}' },
          ],
          B,
        ),
      });
      expect(json(missing).errors[0].extensions.code, query).toBe(code);
      await alive();
    }
  });

  it('malformed bodies answer 400 BAD_REQUEST on a connection that stays usable (finding 1)', async () => {
    const file: Part = { name: '0', filename: 'f.parquet', data: one };
    const cases: [string, Part[]][] = [
      [
        'map before operations',
        [{ name: 'map', data: '{"0":["variables.f"]}' }, { name: 'operations', data: ops(REVERSED) }, file],
      ],
      [
        'a map value that is not an array',
        [{ name: 'operations', data: ops(REVERSED) }, { name: 'map', data: '{"0":"variables.a"}' }, file],
      ],
      [
        'operations that are not JSON',
        [{ name: 'operations', data: '{"query": mutation' }, { name: 'map', data: '{"0":["variables.a"]}' }, file],
      ],
      [
        'a map that is not JSON',
        [{ name: 'operations', data: ops(REVERSED) }, { name: 'map', data: '{0: [variables.a]}' }, file],
      ],
      [
        'a map naming a String variable',
        [
          { name: 'operations', data: ops('query($s: String!) { symbol(ticker: $s) { ticker } }') },
          { name: 'map', data: '{"0":["variables.s"]}' },
          file,
        ],
      ],
      [
        'a map path through __proto__',
        [{ name: 'operations', data: ops(REVERSED) }, { name: 'map', data: '{"0":["variables.__proto__.a"]}' }, file],
      ],
      [
        'a file before map',
        [{ name: 'operations', data: ops(REVERSED) }, file, { name: 'map', data: '{"0":["variables.a"]}' }],
      ],
      ['no map at all', [{ name: 'operations', data: ops(REVERSED) }, file]],
    ];
    for (const [name, parts] of cases) {
      const outcome = await sendRaw(gw.port, { headers: TYPE, body: multipartBody(parts, B) });
      expect(outcome.kind, name).toBe('response');
      if (outcome.kind !== 'response') continue;
      expect(outcome.response.status, name).toBe(400);
      expect(JSON.parse(outcome.response.body).errors[0].extensions.code, name).toBe('BAD_REQUEST');
      expect(await healthOn(outcome.socket), name).toBe(200);
      outcome.socket.destroy();
    }
    // Cut inside the closing boundary: the body is complete for HTTP, not for multipart.
    const whole = multipartBody(
      [
        { name: 'operations', data: ops(REVERSED) },
        { name: 'map', data: '{"0":["variables.a"],"1":["variables.b"]}' },
        file,
      ],
      B,
    );
    const truncated = await sendRaw(gw.port, { headers: TYPE, body: whole.subarray(0, whole.length - 6) });
    expect(truncated.kind).toBe('response');
    if (truncated.kind === 'response') {
      expect(JSON.parse(truncated.response.body).errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(await healthOn(truncated.socket)).toBe(200);
      truncated.socket.destroy();
    }
    expect(await spillFiles(gw.spillDir)).toEqual([]);
  });

  it('a file mapped into a String variable is a BAD_REQUEST that names no internal object (finding 8)', async () => {
    const body = multipartBody(
      [
        { name: 'operations', data: ops('query($s: String!) { symbol(ticker: $s) { ticker } }') },
        { name: 'map', data: '{"0":["variables.s"]}' },
        { name: '0', filename: 'x.bin', data: 'abc' },
      ],
      B,
    );
    const outcome = await sendRaw(gw.port, { headers: TYPE, body });
    expect(outcome.kind).toBe('response');
    if (outcome.kind !== 'response') return;
    expect(outcome.response.status).toBe(400);
    expect(outcome.response.body).not.toMatch(
      /StreamedFile|MultipartFile|UploadSlot|PassThrough|Readable|\[object Object\]/,
    );
    expect(JSON.parse(outcome.response.body).errors[0]).toMatchObject({
      extensions: { code: 'BAD_REQUEST' },
      message: expect.stringMatching(/String/),
    });
  });

  it("answers when a resolver reads file 1 before file 0's headers have arrived (finding 2)", async () => {
    const head = multipartBody(
      [
        { name: 'operations', data: ops(REVERSED, { a: null, b: null }) },
        { name: 'map', data: '{"0":["variables.a"],"1":["variables.b"]}' },
      ],
      B,
      { close: false },
    );
    const body = Buffer.concat([
      head,
      multipartBody(
        [
          { name: '0', filename: 'one.parquet', data: one },
          { name: '1', filename: 'two.parquet', data: two },
        ],
        B,
      ),
    ]);
    // The first write ends inside part 0's headers (after the delimiter that ends map): the mutation starts
    // reading part 1 while part 0's headers are still to come.
    const insideHeaders = head.length + `--${B}\r\nContent-Disp`.length;
    const outcome = await sendRaw(
      gw.port,
      { headers: TYPE, body, splits: [insideHeaders], pauseMs: () => 300 },
      10_000,
    );
    expect(outcome.kind).toBe('response');
    expect(json(outcome).data, JSON.stringify(json(outcome))).toEqual({
      x: { key: 'data/ticks/daily/TWO/2017/ticks.parquet', size: two.byteLength },
      y: { key: 'data/ticks/daily/ONE/2018/ticks.parquet', size: one.byteLength },
    });
    expect(await spillFiles(gw.spillDir)).toEqual([]);
  });

  it('a multipart request is held to LAKEQL_REQUEST_TIMEOUT_MS while its bytes do not flow (finding 2)', async () => {
    const query = 'mutation($a: File!) { uploadTickFile(symbol: "STALL", year: 2018, file: $a) { key } }';
    const body = multipartBody(
      [
        { name: 'operations', data: ops(query, { a: null }) },
        { name: 'map', data: '{"0":["variables.a"]}' },
        { name: '0', filename: 'one.parquet', data: one },
      ],
      B,
    );
    // The file's first bytes arrive, then the client goes quiet: no answer at all before.
    const started = Date.now();
    const stalled = await sendRaw(gw.port, { headers: TYPE, body, cutAt: body.length - 500, cut: 'stall' }, 8000);
    expect(stalled.kind).toBe('response');
    expect(json(stalled).errors[0].extensions.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(8000);
    // Before map: 408, the connection closed.
    const early = await sendRaw(gw.port, { headers: TYPE, body, cutAt: 40, cut: 'stall' }, 8000);
    expect(early.kind).toBe('response');
    if (early.kind === 'response') {
      expect(early.response.status).toBe(408);
      expect(JSON.parse(early.response.body).errors[0].extensions.code).toBe('TIMEOUT');
    }
    await alive();
  });

  it('an upload slower than LAKEQL_REQUEST_TIMEOUT_MS succeeds while its bytes keep flowing', async () => {
    const query = 'mutation($a: File!) { uploadTickFile(symbol: "SLOW", year: 2018, file: $a) { key size } }';
    const body = multipartBody(
      [
        { name: 'operations', data: ops(query, { a: null }) },
        { name: 'map', data: '{"0":["variables.a"]}' },
        { name: '0', filename: 'one.parquet', data: one },
      ],
      B,
    );
    const fileStart = body.indexOf(Buffer.from('PAR1'));
    // About 3 s of a steady trickle, twice the 1.5 s budget; no gap reaches FLOW_GAP_MS.
    const splits = Array.from({ length: 40 }, (_, i) => fileStart + Math.floor(((i + 1) * one.byteLength) / 41));
    const started = Date.now();
    const outcome = await sendRaw(gw.port, { headers: TYPE, body, splits, pauseMs: () => 75 }, 10_000);
    expect(Date.now() - started).toBeGreaterThan(2500);
    expect(json(outcome).data).toEqual({
      uploadTickFile: { key: 'data/ticks/daily/SLOW/2018/ticks.parquet', size: one.byteLength },
    });
  });

  it('leaves no temp file: a spilled file the operation never reads, and a client gone mid-upload (finding 3)', async () => {
    const skipping = REVERSED.replace('file: $a) { key size } }', 'file: $a) @skip(if: true) { key size } }');
    const head = multipartBody(
      [
        { name: 'operations', data: ops(skipping, { a: null, b: null }) },
        { name: 'map', data: '{"0":["variables.a"],"1":["variables.b"]}' },
      ],
      B,
      { close: false },
    );
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const body = Buffer.concat([
      head,
      multipartBody(
        [
          { name: '0', filename: 'big.bin', data: big },
          { name: '1', filename: 'two.parquet', data: two },
        ],
        B,
      ),
    ]);
    const outcome = await sendRaw(gw.port, { headers: TYPE, body, splits: [head.length], pauseMs: () => 300 });
    expect(json(outcome).data).toEqual({ x: { key: 'data/ticks/daily/TWO/2017/ticks.parquet', size: two.byteLength } });
    // Removed before the response went out: no polling.
    expect(await spillFiles(gw.spillDir)).toEqual([]);

    // The client disconnects while part 0 is being spilled (the mutation waits for part 1).
    const gone = await sendRaw(gw.port, {
      headers: TYPE,
      body,
      splits: [head.length, head.length + 1024 * 1024],
      pauseMs: () => 300,
      cutAt: head.length + 2 * 1024 * 1024,
      cut: 'abort',
    });
    expect(gone.kind).toBe('closed');
    expect(
      await eventually(
        () => spillFiles(gw.spillDir),
        (files) => files.length === 0,
      ),
    ).toEqual([]);
    await alive();
  });
});

describe('multipart findings, API keys on', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ LAKEQL_API_KEYS: API_KEYS });
  });
  afterAll(() => gw.stop());

  it('a key without the write scope is refused before its body is read (finding 1)', async () => {
    const body = multipartBody(
      [
        { name: 'operations', data: ops('{ lake { kind } }', { x: null }) },
        { name: 'map', data: '{"0":["variables.x"]}' },
      ],
      B,
    );
    // Only part of the body is sent, so an answer can only come from before parsing.
    const outcome = await sendRaw(
      gw.port,
      { headers: { ...TYPE, authorization: `Bearer ${KEYS.reader}` }, body, cutAt: 20, cut: 'stall' },
      5000,
    );
    expect(outcome.kind).toBe('response');
    if (outcome.kind !== 'response') return;
    expect(outcome.response.status).toBe(403);
    expect(JSON.parse(outcome.response.body).errors[0].extensions.code).toBe('FORBIDDEN');
    outcome.socket.destroy();
    expect(gw.child.exitCode).toBeNull();
  });
});
