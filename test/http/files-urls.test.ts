// /files: canonical signed URLs (exact hex signature, decimal expiry) and RFC 9110 ranges, with generated hostile inputs.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { parseRangeHeader } from '../../src/http/range-header.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { UrlSigner } from '../../src/lake/url-signer.js';
import { rng } from '../security/hostile.js';

const SECRET = 'files-test-secret-files-test-secret';
const KEY = 'data/ticks/daily/AAPL/2024/ticks.parquet';
const SIZE = 12 * 1024;
const ORIGIN = 'http://lakeql.test';

describe('/files', () => {
  let dir: string;
  let app: App;
  let bytes: Buffer;
  let url: string;
  const signer = new UrlSigner(SECRET);

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'lakeql-files-'));
    const store = new LocalStore(dir);
    bytes = randomBytes(SIZE);
    await store.put(KEY, bytes);
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_URL_SECRET: SECRET, LAKEQL_RATE_LIMIT: 'off' }), {
      store,
      location: { kind: 'local', directory: dir },
      log: () => {},
    });
    url = signer.sign(ORIGIN, KEY, 600);
  });
  afterAll(async () => {
    await app?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const get = (u: string, headers: Record<string, string> = {}) => app.yoga.fetch(u, { headers });

  describe('signed URLs are accepted in their one canonical spelling', () => {
    it('serves the URL as signed', async () => {
      const r = await get(url);
      expect(r.status).toBe(200);
      expect(Buffer.from(await r.arrayBuffer()).equals(bytes)).toBe(true);
    });

    const expires = () => new URL(url).searchParams.get('expires')!;
    const signature = () => new URL(url).searchParams.get('signature')!;
    const variants: [string, () => string][] = [
      ['characters after the signature', () => `${url}00`],
      ['one hex digit after the signature', () => `${url}a`],
      ['non-hex after the signature', () => `${url}zz`],
      ['an upper-case signature', () => url.replace(signature(), signature().toUpperCase())],
      ['a truncated signature', () => url.replace(signature(), signature().slice(0, 62))],
      ['a second signature', () => `${url}&signature=${signature()}`],
      ['a second expires', () => `${url}&expires=${expires()}`],
      [
        'a hexadecimal expiry',
        () => url.replace(`expires=${expires()}`, `expires=0x${Number(expires()).toString(16)}`),
      ],
      ['a plus-signed expiry', () => url.replace(`expires=${expires()}`, `expires=%2B${expires()}`)],
      ['an exponent expiry', () => url.replace(`expires=${expires()}`, 'expires=1.9e9')],
      ['a leading-zero expiry', () => url.replace(`expires=${expires()}`, `expires=0${expires()}`)],
      ['a decimal-point expiry', () => url.replace(`expires=${expires()}`, `expires=${expires()}.0`)],
      ['an expiry with spaces', () => url.replace(`expires=${expires()}`, `expires=%20${expires()}`)],
    ];
    for (const [name, make] of variants) {
      it(`refuses ${name}`, async () => {
        const r = await get(make());
        expect(r.status).toBe(403);
        expect(await r.text()).toBe('signature invalid or expired');
      });
    }

    it('refuses an exponent or hex expiry even when signed with that value (no second spelling of one grant)', async () => {
      // 1.9e9 is an integer to Number(); a URL carrying it with the MAC of 1900000000 must still fail.
      const far = new UrlSigner(SECRET, () => (1_900_000_000 - 600) * 1000).sign(ORIGIN, KEY, 600);
      expect(far).toContain('expires=1900000000&');
      expect((await get(far)).status).toBe(200);
      expect((await get(far.replace('expires=1900000000', 'expires=1.9e9'))).status).toBe(403);
      expect((await get(far.replace('expires=1900000000', `expires=0x${(1_900_000_000).toString(16)}`))).status).toBe(
        403,
      );
      expect((await get(far.replace('expires=1900000000', 'expires=+1900000000'))).status).toBe(403);
    });
  });

  describe('ranges (RFC 9110 §14)', () => {
    it('clamps an end past the file: 206 with the real span', async () => {
      const r = await get(url, { range: 'bytes=0-999999999' });
      expect(r.status).toBe(206);
      expect(r.headers.get('content-range')).toBe(`bytes 0-${SIZE - 1}/${SIZE}`);
      expect(r.headers.get('content-length')).toBe(String(SIZE));
      expect(Buffer.from(await r.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it('clamps an end beyond any safe integer too', async () => {
      const r = await get(url, { range: 'bytes=100-99999999999999999999999' });
      expect(r.status).toBe(206);
      expect(r.headers.get('content-range')).toBe(`bytes 100-${SIZE - 1}/${SIZE}`);
      expect(Buffer.from(await r.arrayBuffer()).equals(bytes.subarray(100))).toBe(true);
    });

    it('serves a middle range and a suffix longer than the file', async () => {
      const mid = await get(url, { range: 'bytes=10-19' });
      expect(mid.status).toBe(206);
      expect(mid.headers.get('content-range')).toBe(`bytes 10-19/${SIZE}`);
      expect(Buffer.from(await mid.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
      const suffix = await get(url, { range: `bytes=-${SIZE * 10}` });
      expect(suffix.status).toBe(206);
      expect(suffix.headers.get('content-range')).toBe(`bytes 0-${SIZE - 1}/${SIZE}`);
    });

    for (const range of [`bytes=${SIZE}-`, `bytes=${SIZE}-${SIZE + 10}`, 'bytes=99999999999999999999-', 'bytes=-0']) {
      it(`answers ${range} with 416 and Content-Range: bytes */size`, async () => {
        const r = await get(url, { range });
        expect(r.status).toBe(416);
        expect(r.headers.get('content-range')).toBe(`bytes */${SIZE}`);
      });
    }

    for (const range of ['bytes=5-3', 'bytes=0-1,5-9', 'items=0-10', 'bytes=abc', 'bytes=-', 'bytes 0-10']) {
      it(`ignores the invalid or unsupported ${JSON.stringify(range)}: the whole file with 200`, async () => {
        const r = await get(url, { range });
        expect(r.status).toBe(200);
        expect(r.headers.get('content-range')).toBeNull();
        expect((await r.arrayBuffer()).byteLength).toBe(SIZE);
      });
    }
  });

  describe('generated inputs', () => {
    const PIECES = [
      'bytes',
      'BYTES',
      '=',
      '-',
      ',',
      ' ',
      '\t',
      '0',
      '1',
      '9',
      '00',
      '999999999999999999999',
      'e',
      '+',
      'x',
      '0x1f',
      '.',
      '*',
      '/',
      ';',
      '\u0660',
      '１',
    ];
    const pick = <T>(r: () => number, items: readonly T[]) => items[Math.floor(r() * items.length)];

    it('parses 20,000 generated Range headers into nothing or a valid range', () => {
      const r = rng(101);
      let ranges = 0;
      for (let i = 0; i < 20_000; i++) {
        const shape = r();
        const header =
          shape < 0.02
            ? `bytes=${'9'.repeat(1 + Math.floor(r() * 5000))}-`
            : shape < 0.5
              ? `${pick(r, ['bytes=', 'bytes =', 'Bytes=', 'bytes= '])}${pick(r, ['', '0', '7', '12288', '00012', '1e3'])}-${pick(r, ['', '0', '99', '999999999', '-5', '3,4-5'])}`
              : Array.from({ length: 1 + Math.floor(r() * 10) }, () => pick(r, PIECES)).join('');
        const range = parseRangeHeader(header);
        if (!range) continue;
        ranges++;
        if ('suffix' in range) {
          expect(Number.isSafeInteger(range.suffix) && range.suffix > 0).toBe(true);
        } else {
          expect(Number.isSafeInteger(range.start) && range.start >= 0).toBe(true);
          if (range.end !== undefined) expect(Number.isSafeInteger(range.end) && range.end >= range.start).toBe(true);
        }
      }
      expect(ranges).toBeGreaterThan(100);
    });

    it('answers 3,000 generated signed-URL and Range requests with 200, 206, 403 or 416, never an error page', async () => {
      const r = rng(202);
      const good = new URL(url);
      const outcomes = new Map<number, number>();
      for (let i = 0; i < 3_000; i++) {
        const u = new URL(good);
        const mutate = r();
        if (mutate < 0.3)
          u.searchParams.set(
            'expires',
            Array.from({ length: 1 + Math.floor(r() * 6) }, () => pick(r, PIECES)).join('') +
              good.searchParams.get('expires'),
          );
        else if (mutate < 0.6)
          u.searchParams.set(
            'signature',
            good.searchParams.get('signature')!.slice(0, Math.floor(r() * 66)) +
              Array.from({ length: Math.floor(r() * 3) }, () => pick(r, ['0', 'f', 'F', 'g', '%', ' '])).join(''),
          );
        else if (mutate < 0.7) u.searchParams.append(pick(r, ['expires', 'signature']), pick(r, PIECES));
        const headers: Record<string, string> = {};
        if (r() < 0.7) headers.range = Array.from({ length: 1 + Math.floor(r() * 8) }, () => pick(r, PIECES)).join('');
        const response = await get(u.toString(), headers);
        const body = await response.text();
        outcomes.set(response.status, (outcomes.get(response.status) ?? 0) + 1);
        expect([200, 206, 403, 416]).toContain(response.status);
        expect(body).not.toMatch(/at .*\.(ts|js):\d+/);
        if (response.status === 416) expect(response.headers.get('content-range')).toBe(`bytes */${SIZE}`);
        if (response.status === 200 || response.status === 206) {
          // Only the canonical expiry and signature ever grant the file.
          expect(u.searchParams.getAll('expires')).toEqual([good.searchParams.get('expires')]);
          expect(u.searchParams.getAll('signature')).toEqual([good.searchParams.get('signature')]);
        }
      }
      expect(outcomes.get(403)).toBeGreaterThan(500);
      expect((outcomes.get(200) ?? 0) + (outcomes.get(206) ?? 0)).toBeGreaterThan(100);
    });
  });
});
