// Single-object writes over GraphQL on every backend: streamed multipart uploads, fundamentals, bars, upload URLs.
import { createHash } from 'node:crypto';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { BarRow } from '../../src/lake/bars/types.js';
import { barsTable, writeBarsParquet } from '../../src/lake/parquet/write.js';
import { listAll } from '../../src/lake/store/helpers.js';
import { isMultipartStore, type ObjectStore } from '../../src/lake/store/types.js';
import { gql } from '../support/graphql.js';
import { lakeSetups, startOn } from '../support/lake-setups.js';
import { skippedS3Servers } from '../support/s3-servers.js';
import { MiB, objectBytes } from '../jobs/support.js';

const DAY = 86_400_000;
const daily = (year: number, n: number, seed = 1): BarRow[] =>
  Array.from({ length: n }, (_, i) => {
    const close = 100 + ((i * 37 + seed) % 50);
    return {
      time: Date.UTC(year, 0, 2) + (i % 360) * DAY,
      open: close - 1,
      high: close + 2,
      low: close - 2,
      close,
      volume: 1000 + i,
    };
  });

/** More than one 5 MiB part: rows of incompressible values (dates repeat; the checks only bound them). */
function bigDailyFile(year: number): Uint8Array {
  const rnd = Math.random;
  const rows: BarRow[] = Array.from({ length: 150_000 }, (_, i) => ({
    time: Date.UTC(year, 0, 1) + (i % 365) * DAY,
    open: rnd(),
    high: rnd() + 1,
    low: rnd() - 1,
    close: rnd(),
    volume: Math.floor(rnd() * 1e9),
    vwap: rnd(),
    trades: i,
  }));
  return writeBarsParquet(rows, { resolution: 'DAILY' });
}

const UPLOAD = `mutation($file: File!, $symbol: String!, $year: Int!) {
  uploadTickFile(symbol: $symbol, year: $year, file: $file) { key size etag contentType metadata }
}`;

const setups = lakeSetups('uploads');

for (const setup of setups) {
  describe(`uploads over GraphQL on ${setup.name}`, () => {
    let app: App;
    let url: string;
    let store: ObjectStore;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      ({ app, url, store, stop } = await startOn(setup));
    });
    afterAll(() => stop());

    /** A GraphQL multipart request over real HTTP, the way browsers and Apollo/urql clients send it. */
    const upload = async (bytes: Uint8Array, variables: Record<string, unknown>) => {
      const form = new FormData();
      form.append('operations', JSON.stringify({ query: UPLOAD, variables: { ...variables, file: null } }));
      form.append('map', JSON.stringify({ 0: ['variables.file'] }));
      form.append('0', new Blob([new Uint8Array(bytes)], { type: 'application/vnd.apache.parquet' }), 'ticks.parquet');
      const response = await fetch(url, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': '1' } });
      return (await response.json()) as { data?: any; errors?: { message: string; extensions?: any }[] };
    };

    /** Over real HTTP, so URLs lakeql signs carry the server's own origin. */
    const post = async (query: string, variables?: Record<string, unknown>) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: any; errors?: { message: string; extensions?: any }[] };
    };

    const leftovers = async (prefix: string) => {
      const uploads = isMultipartStore(store) ? await store.listMultipartUploads(prefix) : [];
      const markers: string[] = [];
      for await (const o of listAll(store, { prefix: '_lakeql/' })) markers.push(o.key);
      return { uploads, markers };
    };

    it("uploadTickFile streams a valid Parquet file to its key with the seed's metadata", async () => {
      const bytes = writeBarsParquet(daily(2024, 250), { resolution: 'DAILY' });
      const result = await upload(bytes, { symbol: 'aapl', year: 2024 });
      expect(result.errors).toBeUndefined();
      expect(result.data.uploadTickFile).toMatchObject({
        key: 'data/ticks/daily/AAPL/2024/ticks.parquet',
        size: bytes.byteLength,
        contentType: 'application/vnd.apache.parquet',
        metadata: { symbol: 'AAPL', year: '2024', 'data-type': 'daily-ticks' },
      });
      expect(
        Buffer.compare(await objectBytes(store, 'data/ticks/daily/AAPL/2024/ticks.parquet'), Buffer.from(bytes)),
      ).toBe(0);
      const catalog = await gql(app, '{ symbol(ticker: "AAPL") { year(year: 2024) { tickFile { size metadata } } } }');
      expect(catalog.data.symbol.year.tickFile).toEqual({
        size: bytes.byteLength,
        metadata: { symbol: 'AAPL', year: '2024', 'data-type': 'daily-ticks' },
      });
    });

    it('a file larger than a part goes up in parts, checked before completion', async () => {
      const bytes = bigDailyFile(2023);
      expect(bytes.byteLength).toBeGreaterThan(5 * MiB);
      const result = await upload(bytes, { symbol: 'BIG', year: 2023 });
      expect(result.errors).toBeUndefined();
      expect(result.data.uploadTickFile.size).toBe(bytes.byteLength);
      if (setup.name !== 'directory') expect(result.data.uploadTickFile.etag).toMatch(/-2"$/);
      expect(
        Buffer.compare(await objectBytes(store, 'data/ticks/daily/BIG/2023/ticks.parquet'), Buffer.from(bytes)),
      ).toBe(0);
      // Out of its year, the same large file is refused and its parts are aborted.
      const wrong = await upload(bytes, { symbol: 'BIG', year: 2022 });
      expect(wrong.errors![0].extensions!.code).toBe('INVALID_DATA');
      await expect(store.head('data/ticks/daily/BIG/2022/ticks.parquet')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await leftovers('data/')).toEqual({ uploads: [], markers: [] });
    });

    it.each([
      [
        "dates outside the key's year",
        () => writeBarsParquet(daily(2023, 20), { resolution: 'DAILY' }),
        /outside 2024/,
      ],
      ['not Parquet at all', () => new TextEncoder().encode('date,open,close\n2024-01-02,1,2\n'), /not a Parquet file/],
      [
        'a truncated Parquet file',
        () => writeBarsParquet(daily(2024, 20), { resolution: 'DAILY' }).subarray(0, 300),
        /not a Parquet file|corrupt/,
      ],
      [
        'no volume column',
        () => {
          const table = barsTable(daily(2024, 20), 'DAILY').select(['date', 'open', 'high', 'low', 'close']);
          return pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, 'stream')));
        },
        /missing required column volume/,
      ],
    ])('refuses %s with INVALID_DATA and leaves nothing behind', async (_name, make, message) => {
      const result = await upload(make(), { symbol: 'BAD', year: 2024 });
      expect(result.errors![0].extensions!.code).toBe('INVALID_DATA');
      expect(result.errors![0].message).toMatch(message);
      await expect(store.head('data/ticks/daily/BAD/2024/ticks.parquet')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await leftovers('data/ticks/daily/BAD/')).toEqual({ uploads: [], markers: [] });
    });

    it('streams several files of one request whatever their order, and answers when the operation reads none of them', async () => {
      const one = writeBarsParquet(daily(2018, 30, 1), { resolution: 'DAILY' });
      const two = writeBarsParquet(daily(2017, 40, 2), { resolution: 'DAILY' });
      const form = new FormData();
      form.append(
        'operations',
        JSON.stringify({
          query: `mutation($a: File!, $b: File!) {
          a: uploadTickFile(symbol: "ONE", year: 2018, file: $a) { key size }
          b: uploadTickFile(symbol: "TWO", year: 2017, file: $b) { key size } }`,
          variables: { a: null, b: null },
        }),
      );
      // The file the second mutation reads comes first: it waits on disk while the first one streams.
      form.append('map', JSON.stringify({ x: ['variables.b'], y: ['variables.a'] }));
      form.append('x', new Blob([new Uint8Array(two)]), 'two.parquet');
      form.append('y', new Blob([new Uint8Array(one)]), 'one.parquet');
      const response = await fetch(url, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': '1' } });
      const result = (await response.json()) as { data?: any; errors?: unknown };
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({
        a: { key: 'data/ticks/daily/ONE/2018/ticks.parquet', size: one.byteLength },
        b: { key: 'data/ticks/daily/TWO/2017/ticks.parquet', size: two.byteLength },
      });

      const unread = new FormData();
      unread.append(
        'operations',
        JSON.stringify({ query: UPLOAD, variables: { file: null, symbol: 'NOPE', year: 'not a year' } }),
      );
      unread.append('map', JSON.stringify({ 0: ['variables.file'] }));
      unread.append('0', new Blob([new Uint8Array(bigDailyFile(2016))]), 'ticks.parquet');
      const refused = await fetch(url, { method: 'POST', body: unread, headers: { 'x-graphql-yoga-csrf': '1' } });
      const body = (await refused.json()) as { errors: { message: string }[] };
      expect(body.errors[0].message).toMatch(/year/);
      await expect(store.head('data/ticks/daily/NOPE/2016/ticks.parquet')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it("putFundamentals stores JSON with content type and the seed's metadata", async () => {
      const result = await gql(
        app,
        'mutation($d: JSON!) { putFundamentals(symbol: "MSFT", year: 2024, quarter: 2, data: $d) { key contentType metadata } }',
        { d: { revenue: 64.7e9, eps: 2.95 } },
      );
      expect(result.data.putFundamentals).toEqual({
        key: 'data/fundamental/MSFT/2024/Q2.json',
        contentType: 'application/json',
        metadata: { symbol: 'MSFT', year: '2024', quarter: '2', 'data-type': 'fundamentals' },
      });
      const read = await gql(app, '{ symbol(ticker: "MSFT") { fundamentals(year: 2024) { quarter revenue eps } } }');
      expect(read.data.symbol.fundamentals).toEqual([{ quarter: 2, revenue: 64.7e9, eps: 2.95 }]);
      const bad = await gql(
        app,
        'mutation { putFundamentals(symbol: "MSFT", year: 2024, quarter: 5, data: {}) { key } }',
      );
      expect(bad.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    });

    it('writeBars writes zstd Parquet; REPLACE sets the rows, MERGE replaces same-time rows and keeps the others', async () => {
      const bars = (from: number, n: number, close: number) =>
        Array.from({ length: n }, (_, i) => ({
          time: new Date(Date.UTC(2022, 0, 3) + (from + i) * DAY).toISOString(),
          open: close,
          high: close + 1,
          low: close - 1,
          close,
          volume: 10 + i,
        }));
      const write = (mode: string, rows: unknown[]) =>
        gql(
          app,
          `mutation($b: [BarInput!]!) { writeBars(symbol: "NVDA", year: 2022, bars: $b, mode: ${mode}) { rows object { key size } } }`,
          { b: rows },
        );
      expect((await write('REPLACE', bars(0, 10, 5))).data.writeBars.rows).toBe(10);
      const merged = await write('MERGE', bars(5, 10, 7));
      expect(merged.errors).toBeUndefined();
      expect(merged.data.writeBars.rows).toBe(15);
      const bytes = await objectBytes(store, 'data/ticks/daily/NVDA/2022/ticks.parquet');
      const table = tableFromIPC(pw.readParquet(bytes).intoIPCStream());
      expect(table.getChild('close')!.toArray()).toEqual(
        Float64Array.from([...Array(5).fill(5), ...Array(10).fill(7)]),
      );
      const outside = await write('REPLACE', bars(400, 1, 5));
      expect(outside.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
      expect(outside.errors![0].message).toMatch(/outside the year 2022/);
    });

    it('createUploadUrl gives a PUT URL for exactly these bytes (at most an hour); completeUpload validates and deletes what fails', async () => {
      const good = writeBarsParquet(daily(2021, 100), { resolution: 'DAILY' });
      const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('base64');
      const ask = (bytes: Uint8Array, year = 2021, expiresIn = 600) =>
        post(
          `mutation($n: SafeInt!, $c: String!) {
        createUploadUrl(symbol: "AMD", year: ${year}, contentLength: $n, checksum: $c, expiresIn: ${expiresIn}) { url method key headers expiresAt completionToken } }`,
          { n: bytes.byteLength, c: sha(bytes) },
        );
      const tooLong = await ask(good, 2021, 3601);
      expect(tooLong.errors![0].extensions!.code).toBe('BAD_USER_INPUT');

      const granted = (await ask(good)).data.createUploadUrl;
      expect(granted).toMatchObject({ method: 'PUT', key: 'data/ticks/daily/AMD/2021/ticks.parquet' });
      expect(Date.parse(granted.expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
      // Other bytes than granted are refused by whoever serves the URL.
      const tampered = Buffer.from(good);
      tampered[100] ^= 1;
      // moto 5 ignores x-amz-checksum-sha256 on PUT (AWS S3 answers 400 BadDigest), so only lakeql's own URLs are held to it here.
      if (setup.name === 'directory') {
        const refused = await fetch(granted.url, {
          method: 'PUT',
          headers: granted.headers,
          body: new Uint8Array(tampered),
        });
        expect(refused.status, await refused.clone().text()).toBe(400);
        expect(await refused.text()).toMatch(/BadDigest/);
        const short = await fetch(granted.url, {
          method: 'PUT',
          headers: granted.headers,
          body: new Uint8Array(good.subarray(1)),
        });
        expect(short.status).toBe(400);
        await expect(store.head(granted.key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
        const forged = new URL(granted.url);
        forged.searchParams.set('length', String(good.byteLength + 1));
        expect(
          (await fetch(forged, { method: 'PUT', headers: granted.headers, body: new Uint8Array(good) })).status,
        ).toBe(403);
      }

      const put = await fetch(granted.url, { method: 'PUT', headers: granted.headers, body: new Uint8Array(good) });
      expect(put.status, await put.clone().text()).toBe(200);
      const COMPLETE =
        'mutation($k: String!, $t: String!) { completeUpload(key: $k, token: $t) { key size metadata } }';
      // Only with the token this lake gave for this key: a forged one, or one for another key, is FORBIDDEN.
      const forgedToken = granted.completionToken.replace(/[0-9a-f]$/, (c: string) => (c === '0' ? '1' : '0'));
      for (const [k, t] of [
        [granted.key, forgedToken],
        [granted.key, 'x'],
        ['data/ticks/daily/AMD/2022/ticks.parquet', granted.completionToken],
      ]) {
        const refused = await gql(app, COMPLETE, { k, t });
        expect(refused.errors![0].extensions!.code).toBe('FORBIDDEN');
      }
      const completed = await gql(app, COMPLETE, { k: granted.key, t: granted.completionToken });
      expect(completed.errors).toBeUndefined();
      expect(completed.data.completeUpload).toEqual({
        key: granted.key,
        size: good.byteLength,
        metadata: { symbol: 'AMD', year: '2021', 'data-type': 'daily-ticks' },
      });

      // A well-formed upload of the wrong year passes the URL's checks but not completeUpload, which removes it.
      const wrongYear = writeBarsParquet(daily(2019, 10), { resolution: 'DAILY' });
      const grant2 = (await ask(wrongYear, 2020)).data.createUploadUrl;
      expect(
        (await fetch(grant2.url, { method: 'PUT', headers: grant2.headers, body: new Uint8Array(wrongYear) })).status,
      ).toBe(200);
      const invalid = await gql(
        app,
        'mutation($k: String!, $t: String!) { completeUpload(key: $k, token: $t) { key } }',
        { k: grant2.key, t: grant2.completionToken },
      );
      expect(invalid.errors![0].extensions!.code).toBe('INVALID_DATA');
      await expect(store.head(grant2.key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('completeUpload never touches an object this lake did not grant: fundamentals from another tool survive', async () => {
      const COMPLETE = 'mutation($k: String!, $t: String!) { completeUpload(key: $k, token: $t) { key } }';
      const key = 'data/fundamental/AMD/2021/Q1.json';
      // Not JSON at all: the old completeUpload validated it and deleted it.
      await store.put(key, 'revenue,eps\n1,2\n', { contentType: 'text/csv' });
      const missing = await gql(app, 'mutation($k: String!) { completeUpload(key: $k) { key } }', { k: key });
      expect(missing.errors).toBeDefined();
      const forged = await gql(app, COMPLETE, { k: key, t: `9999999999.16.${'A'.repeat(43)}=.${'0'.repeat(64)}` });
      expect(forged.errors![0].extensions!.code).toBe('FORBIDDEN');
      expect(Buffer.from(await objectBytes(store, key)).toString()).toBe('revenue,eps\n1,2\n');

      // A real grant, but the object at its key is another writer's (not the granted size): NOT_FOUND, left alone.
      const tickKey = 'data/ticks/daily/AMD/2018/ticks.parquet';
      await store.put(tickKey, 'not parquet, written by pandas by mistake', {
        contentType: 'application/octet-stream',
      });
      const sha = createHash('sha256').update('x').digest('base64');
      const grant = (
        await post(
          `mutation { createUploadUrl(symbol: "AMD", year: 2018, contentLength: 5000, checksum: "${sha}") { completionToken } }`,
        )
      ).data.createUploadUrl;
      const other = await gql(app, COMPLETE, { k: tickKey, t: grant.completionToken });
      expect(other.errors![0].extensions!.code).toBe('NOT_FOUND');
      expect(Buffer.from(await objectBytes(store, tickKey)).toString()).toBe(
        'not parquet, written by pandas by mistake',
      );
    });
  });
}

for (const { name, reason } of skippedS3Servers()) it.skip(`uploads over GraphQL on ${name}: ${reason}`, () => {});
