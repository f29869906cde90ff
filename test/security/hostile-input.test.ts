// ≥ 10,000 generated hostile tickers, keys and paths against the layout, the key rules, the directory store, /files and the upload root.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { isLakeError } from '../../src/lake/errors.js';
import {
  assertMonth,
  assertQuarter,
  assertYear,
  DATASETS,
  corporateActionsKey,
  fundamentalsKey,
  minuteTicksKey,
  normalizeTicker,
  parseKey,
  parseSymbolPrefix,
  ROOTS,
  dailyTicksKey,
} from '../../src/lake/layout.js';
import { assertValidKey, MAX_KEY_BYTES } from '../../src/lake/store/keys.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { ensureDirectoryInside, resolveInside } from '../../src/lake/uploads/paths.js';
import { UrlSigner } from '../../src/lake/url-signer.js';
import { hostileKey, hostileNumber, hostileString, rng, snapshot } from './hostile.js';

const CASES = 10_000;
const TICKER = /^[A-Z][A-Z0-9]{0,9}(?:[.-][A-Z0-9]{1,5})?$/;

/** Runs `fn`; returns its value, or the LakeError it threw. Anything else thrown fails the test. */
async function lakeOutcome<T>(
  fn: () => T | Promise<T>,
  input: string,
): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (!isLakeError(error))
      throw new Error(`${JSON.stringify(input).slice(0, 200)} raised a non-lake error: ${String(error)}`);
    return { ok: false, code: error.code };
  }
}

describe('layout: tickers and keys', () => {
  it(`normalizes or refuses ${CASES} hostile tickers; every key it builds is valid and parses back`, async () => {
    const r = rng(1);
    let accepted = 0;
    for (let i = 0; i < CASES; i++) {
      const input = hostileString(r);
      const outcome = await lakeOutcome(() => normalizeTicker(input), input);
      if (!outcome.ok) {
        expect(outcome.code).toBe('INVALID_KEY');
        continue;
      }
      accepted++;
      const ticker = outcome.value;
      expect(ticker).toMatch(TICKER);
      for (const key of [
        dailyTicksKey(ticker, 2024),
        minuteTicksKey(ticker, 2024, 1),
        fundamentalsKey(ticker, 2024, 4),
      ]) {
        assertValidKey(key);
        expect(path.posix.normalize(key)).toBe(key);
        expect(Object.values(ROOTS).some((root) => key.startsWith(root))).toBe(true);
        expect(parseKey(key)).toMatchObject({ symbol: ticker, year: 2024 });
      }
    }
    // The generator also produces real tickers, so both branches ran.
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(CASES / 2);
  });

  it(`parses ${CASES} hostile keys to null or to parts that rebuild the very same key`, () => {
    const r = rng(2);
    for (let i = 0; i < CASES; i++) {
      const key = hostileKey(r);
      const parsed = parseKey(key);
      if (parsed === null) continue;
      const rebuilt =
        parsed.kind === 'fundamentals'
          ? fundamentalsKey(parsed.symbol, parsed.year, parsed.quarter)
          : parsed.kind === 'corporate-actions'
            ? corporateActionsKey(parsed.symbol, parsed.year)
            : parsed.resolution === 'DAILY'
              ? dailyTicksKey(parsed.symbol, parsed.year)
              : minuteTicksKey(parsed.symbol, parsed.year, parsed.month);
      expect(rebuilt).toBe(key);
      for (const dataset of DATASETS) {
        const symbol = parseSymbolPrefix(dataset, key);
        if (symbol !== null) expect(symbol).toMatch(TICKER);
      }
    }
  });

  it('refuses every odd number as a year, quarter or month', () => {
    const r = rng(3);
    for (let i = 0; i < CASES; i++) {
      const n = hostileNumber(r);
      for (const [check, lo, hi] of [
        [assertYear, 1900, 2100],
        [assertQuarter, 1, 4],
        [assertMonth, 1, 12],
      ] as const) {
        const valid = Number.isInteger(n) && n >= lo && n <= hi;
        if (valid) expect(check(n)).toBe(n);
        else expect(() => check(n)).toThrow(/out of range/);
      }
    }
  });
});

describe('key rules', () => {
  it(`accepts only keys that stay under any root: ${CASES} hostile keys`, async () => {
    const r = rng(4);
    const root = '/srv/lake';
    let accepted = 0;
    for (let i = 0; i < CASES; i++) {
      const key = hostileKey(r);
      const outcome = await lakeOutcome(() => assertValidKey(key), key);
      if (!outcome.ok) {
        expect(outcome.code).toBe('INVALID_KEY');
        continue;
      }
      accepted++;
      expect(Buffer.byteLength(key)).toBeLessThanOrEqual(MAX_KEY_BYTES);
      expect(key).not.toMatch(/[\u0000-\u001f\u007f\\]/);
      expect(key.startsWith('/')).toBe(false);
      expect(key.split('/').every((s) => s !== '' && s !== '.' && s !== '..')).toBe(true);
      const resolved = path.posix.resolve(root, key);
      expect(resolved.startsWith(`${root}/`)).toBe(true);
      expect(path.posix.relative(root, resolved)).toBe(key);
    }
    expect(accepted).toBeGreaterThan(500);
  });
});

describe('the directory store, /files and the upload root on a real file system', () => {
  let base: string;
  let lake: string;
  let uploads: string;
  let secret: string;
  let before: Map<string, string>;

  beforeAll(async () => {
    base = await fs.realpath(await fs.mkdtemp(path.join(tmpdir(), 'lakeql-hostile-')));
    lake = path.join(base, 'lake');
    uploads = path.join(base, 'uploads');
    secret = `SENTINEL-${randomBytes(16).toString('hex')}`;
    const outside = path.join(base, 'outside');
    // Files outside every root, named and placed so that escaping keys would hit them.
    await fs.mkdir(path.join(outside, '2024'), { recursive: true });
    await fs.writeFile(path.join(outside, 'sentinel-outside.txt'), secret);
    await fs.writeFile(path.join(outside, '2024', 'ticks.parquet'), secret);
    await fs.writeFile(path.join(base, 'ticks.parquet'), secret);
    await fs.mkdir(path.join(base, 'lake-evil'), { recursive: true });
    await fs.writeFile(path.join(base, 'lake-evil', 'sentinel-outside.txt'), secret);
    // Inside the lake: real data, and links that lead out (and one loop that stays in).
    const store = new LocalStore(lake);
    await fs.mkdir(lake, { recursive: true });
    await store.put('data/ticks/daily/AAPL/2024/ticks.parquet', 'PAR1 AAPL 2024 PAR1');
    await store.put('data/fundamental/BRK.B/2023/Q1.json', '{"revenue":1}');
    await plantLinks();
    await fs.mkdir(uploads);
    await fs.writeFile(path.join(uploads, 'ok.parquet'), 'PAR1');
    await fs.symlink(outside, path.join(uploads, 'EVIL'));
    await fs.symlink(path.join(outside, 'sentinel-outside.txt'), path.join(uploads, 'evil.parquet'));
    before = await snapshot(base, lake);
  });
  afterAll(() => fs.rm(base, { recursive: true, force: true }));
  beforeEach(() => plantLinks());

  /** (Re)creates the links in the lake: a put may legitimately replace a link with a file of its own. */
  async function plantLinks() {
    const outside = path.join(base, 'outside');
    const links: [string, string][] = [
      [outside, 'data/ticks/daily/EVIL'],
      [path.join(outside, 'sentinel-outside.txt'), 'data/evil.parquet'],
      [path.join(base, 'lake-evil'), 'data/PREFIX'],
      ['..', 'data/ticks/UP'],
      ['/', 'data/ROOT'],
      [path.join(lake, 'data'), 'data/LOOP'],
    ];
    for (const [target, at] of links) {
      await fs.rm(path.join(lake, at), { recursive: true, force: true });
      await fs.mkdir(path.dirname(path.join(lake, at)), { recursive: true });
      await fs.symlink(target, path.join(lake, at));
    }
  }

  const expectOutsideUnchanged = async () => {
    const after = await snapshot(base, lake);
    // The upload root may gain directories the test asked for; everything else must be identical.
    // The upload root's own entry changes when directories are made in it; its old children may not.
    for (const [entry, detail] of before) if (entry !== uploads) expect(after.get(entry), entry).toBe(detail);
    for (const entry of after.keys())
      if (!before.has(entry)) expect(entry.startsWith(`${uploads}${path.sep}`), entry).toBe(true);
  };

  it('refuses the planted links outright', async () => {
    const store = new LocalStore(lake);
    for (const key of [
      'data/ticks/daily/EVIL/sentinel-outside.txt',
      'data/evil.parquet',
      'data/PREFIX/sentinel-outside.txt',
      'data/ROOT/etc/hostname',
      'data/ticks/UP/../ticks.parquet',
    ]) {
      const read = await lakeOutcome(async () => (await store.get(key)).head, key);
      expect(read.ok, key).toBe(false);
      // Listing through a linked directory shows nothing (walks never descend links).
      const listed = await lakeOutcome(() => store.list({ prefix: `${key.slice(0, key.lastIndexOf('/') + 1)}` }), key);
      if (listed.ok)
        expect(
          listed.value.objects.filter((o) => o.key.includes('sentinel-outside') || o.key.endsWith('/etc/hostname')),
          key,
        ).toEqual([]);
      // A put either fails or, for a link to a file, replaces the link itself (rename does not follow links).
      const write = await lakeOutcome(() => store.put(key, 'pwned'), key);
      if (write.ok) {
        expect((await fs.lstat(path.join(lake, key))).isFile(), key).toBe(true);
        expect((await fs.realpath(path.join(lake, key))).startsWith(`${lake}${path.sep}`)).toBe(true);
      }
    }
    await expectOutsideUnchanged();
  });

  it(`runs ${CASES} get/head/put/delete/list calls with hostile keys without reaching outside the lake`, async () => {
    const store = new LocalStore(lake);
    const r = rng(5);
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < CASES; i++) {
      const key = hostileKey(r);
      const op = Math.floor(r() * 5);
      const outcome = await lakeOutcome(async () => {
        if (op === 0) {
          const got = await store.get(key);
          const chunks: Buffer[] = [];
          for await (const chunk of got.body) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks).toString('utf8');
        }
        if (op === 1) return JSON.stringify(await store.head(key));
        if (op === 2) return JSON.stringify(await store.put(key, `written ${i}`, { metadata: { n: String(i) } }));
        if (op === 3) return String(await store.delete(key));
        const prefix = key.endsWith('/') ? key : `${key.slice(0, key.lastIndexOf('/') + 1)}`;
        const page = await store.list({ prefix, maxKeys: 1000 });
        // A listed key is something the store would serve: it must lie inside the lake, links resolved.
        for (const object of page.objects) {
          const real = await fs.realpath(path.join(lake, object.key));
          if (!real.startsWith(`${lake}${path.sep}`)) throw new Error(`listed ${object.key}, which is ${real}`);
        }
        return JSON.stringify(page);
      }, key);
      const name = `${['get', 'head', 'put', 'delete', 'list'][op]}:${outcome.ok ? 'ok' : outcome.code}`;
      outcomes[name] = (outcomes[name] ?? 0) + 1;
      if (outcome.ok) {
        expect(outcome.value).not.toContain(secret);
      }
    }
    // Both kinds of outcome happened for the calls that matter.
    expect(outcomes['put:ok']).toBeGreaterThan(50);
    expect(outcomes['get:ok']).toBeGreaterThan(5);
    expect(outcomes['put:INVALID_KEY']).toBeGreaterThan(100);
    await expectOutsideUnchanged();
    // Every file the store holds really lies under the lake's real path.
    const visit = async (dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isSymbolicLink()) continue;
        expect((await fs.realpath(full)).startsWith(`${lake}${path.sep}`)).toBe(true);
        if (entry.isDirectory()) await visit(full);
      }
    };
    await visit(lake);
  });

  it(`serves /files for ${CASES} signed hostile keys and raw hostile paths without ever answering outside bytes`, async () => {
    const app = await buildApp(
      loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_URL_SECRET: 'hostile-secret', LAKEQL_RATE_LIMIT: 'off' }),
      {
        store: new LocalStore(lake),
        location: { kind: 'local', directory: lake },
        log: () => {},
      },
    );
    const signer = new UrlSigner('hostile-secret');
    const r = rng(6);
    const statuses: Record<number, number> = {};
    for (let i = 0; i < CASES; i++) {
      const key = hostileKey(r);
      const raw = i % 5 === 0;
      // Four in five are URLs lakeql itself signed for a hostile key; one in five a raw path with a forged signature.
      const url = raw
        ? `http://lakeql.test/files/${key.replace(/[?#]/g, '')}?expires=9999999999&signature=${'0'.repeat(64)}`
        : signer.sign('http://lakeql.test', key, 600);
      let response: Response;
      try {
        response = await app.yoga.fetch(url);
      } catch {
        // The URL parser itself refused it (e.g. a bare NUL): nothing was served.
        continue;
      }
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      const body = await response.text();
      expect(body).not.toContain(secret);
      // 302: the URL parser resolved the path out of /files/ (to "/", which redirects to GraphiQL).
      expect(
        [200, 206, 302, 400, 403, 404, 416],
        `${response.status} for ${JSON.stringify(key).slice(0, 120)}`,
      ).toContain(response.status);
      if (raw && new URL(url).pathname.startsWith('/files/')) expect(response.status).not.toBe(200);
      // A 200 from /files is an object the key rules accept; "/files/../health" is the probe, not a file.
      if (response.status === 200 && new URL(url).pathname.startsWith('/files/'))
        expect(() => assertValidKey(key)).not.toThrow();
    }
    expect(statuses[200]).toBeGreaterThan(0);
    expect(statuses[403]).toBeGreaterThan(0);
    await expectOutsideUnchanged();
  });

  it(`confines ${CASES} hostile upload paths to the upload root, links included`, async () => {
    const r = rng(7);
    let resolved = 0;
    for (let i = 0; i < CASES; i++) {
      const requested = r() < 0.2 ? path.join(uploads, hostileString(r)) : hostileKey(r);
      const fn =
        i % 2 === 0
          ? () => resolveInside(uploads, requested, 'source')
          : () => ensureDirectoryInside(uploads, requested, 'destination');
      const outcome = await lakeOutcome(fn, requested);
      if (outcome.ok) {
        resolved++;
        const real = await fs.realpath(outcome.value);
        expect(real === uploads || real.startsWith(`${uploads}${path.sep}`), real).toBe(true);
      }
    }
    expect(resolved).toBeGreaterThan(100);
    await expectOutsideUnchanged();
  });
});
