// Backfill globs: agreement with a reference on generated patterns × paths, bounded decisions on pathological ones, typed errors at the mutation, and a responsive gateway during a pathological dry run.
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { compileGlob, pathFilter } from '../../src/lake/uploads/glob.js';
import { tempDir } from './support.js';

/**
 * The reference: the dialect as a JavaScript RegExp (what lakeql compiled globs to before). Exact,
 * but it backtracks, so it is only ever given the small inputs generated below.
 */
function referenceRegExp(pattern: string): RegExp {
  const anchored = pattern.includes('/') ? pattern.replace(/^\/+/, '') : `**/${pattern}`;
  let out = '';
  let braces = 0;
  for (let i = 0; i < anchored.length; i++) {
    const c = anchored[i];
    if (c === '*') {
      if (anchored[i + 1] === '*') {
        const before = i === 0 || anchored[i - 1] === '/';
        const after = anchored[i + 2] === '/' || i + 2 === anchored.length;
        if (before && after) {
          out += i + 2 === anchored.length ? '.*' : '(?:[^/]+/)*';
          i += anchored[i + 2] === '/' ? 2 : 1;
          continue;
        }
      }
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = anchored.indexOf(']', i + 2);
      if (end < 0) throw new Error('unclosed [');
      let body = anchored.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^/' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|\\{}\]]/g, '\\$&');
  }
  if (braces !== 0) throw new Error('unclosed {');
  return new RegExp(`^${out}$`, 'u');
}

/** xorshift: a failing case is reproducible from its seed. */
function random(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  return { next, pick, int: (n: number) => Math.floor(next() * n) };
}

const ALPHABET = ['a', 'b', '.', 'x', 'é', '-'];

function generatePattern(r: ReturnType<typeof random>, depth = 0): string {
  const parts: string[] = [];
  const n = 1 + r.int(7);
  for (let i = 0; i < n; i++) {
    const kind = r.int(depth > 1 ? 7 : 9);
    if (kind <= 2) parts.push(r.pick(ALPHABET));
    else if (kind === 3) parts.push('*');
    else if (kind === 4) parts.push('?');
    else if (kind === 5) parts.push(r.pick(['/', '**/', '**', '/**/']));
    else if (kind === 6) parts.push(r.pick(['[ab]', '[!a]', '[a-c]', '[^.]', '[-a]', '[é-ë]']));
    else
      parts.push(
        `{${Array.from({ length: 1 + r.int(3) }, () => (r.next() < 0.2 ? '' : generatePattern(r, depth + 1))).join(',')}}`,
      );
  }
  return parts.join('');
}

function generatePath(r: ReturnType<typeof random>): string {
  const segments = Array.from({ length: 1 + r.int(4) }, () =>
    Array.from({ length: r.int(6) }, () => r.pick(ALPHABET)).join(''),
  );
  return segments.join('/');
}

describe('glob matching', () => {
  it('agrees with the reference on 3,000 generated patterns × 12 paths each, every decision bounded in work', () => {
    let compared = 0;
    let matches = 0;
    let mostWork = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const r = random(seed);
      const pattern = generatePattern(r);
      const reference = referenceRegExp(pattern);
      const glob = compileGlob(pattern);
      for (let p = 0; p < 12; p++) {
        const candidate = generatePath(r);
        const decided = glob.test(candidate);
        mostWork = Math.max(mostWork, glob.work);
        expect(decided, `seed ${seed}: ${JSON.stringify(pattern)} on ${JSON.stringify(candidate)}`).toBe(
          reference.test(candidate),
        );
        compared++;
        if (decided) matches++;
      }
    }
    expect(compared).toBe(36_000);
    // Both outcomes are exercised in earnest, not only "no match".
    expect(matches).toBeGreaterThan(2_000);
    // Work, not time: every pattern here fits in one or two words, and paths are under 30 characters.
    expect(mostWork).toBeLessThan(2_000);
  });

  it('decides pathological patterns against 1,024-character paths without backtracking', () => {
    const names = ['a'.repeat(1024), `${'a/'.repeat(511)}b`, `${'x/'.repeat(500)}${'a'.repeat(20)}.parq`];
    const patterns = [
      `${'**/'.repeat(300)}*.parquet`,
      `${'*a'.repeat(300)}b`,
      '*a*a*a*a*a*a*a*a*a*a*b',
      `${'*'.repeat(999)}b`,
      `${'{a,b}'.repeat(199)}`,
      `x/${'*a'.repeat(300)}b`,
      `${'**/*a'.repeat(150)}b`,
    ];
    for (const pattern of patterns) {
      expect(pattern.length).toBeLessThanOrEqual(1000);
      const glob = compileGlob(pattern);
      for (const name of names) {
        glob.test(name);
        // A backtracking matcher needs seconds to hours here; this one a few word passes per character
        // (⌈pattern/32⌉ words) plus one word per brace alternative (glob-bounded.test.ts checks the answers).
        const words = Math.floor((pattern.length + 4) / 32) + 1;
        expect(glob.work, `${pattern.slice(0, 30)}… on ${name.slice(0, 10)}…`).toBeLessThanOrEqual(
          (name.length + 1) * (5 * words + 3 * (pattern.match(/[{,]/g) ?? []).length) + 2 * (words + pattern.length),
        );
      }
    }
    expect(compileGlob(`${'**/'.repeat(300)}*.parquet`).test('a/b/c/ticks.parquet')).toBe(true);
    expect(compileGlob(`${'*a'.repeat(300)}b`).test(`${'a'.repeat(300)}b`)).toBe(true);
  });

  it('refuses invalid patterns with a typed error', () => {
    for (const bad of ['[z-a]', '[abc', '{a,b', '', 'x'.repeat(1001)]) {
      expect(() => compileGlob(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
    expect(() =>
      pathFilter(
        Array.from({ length: 65 }, () => '*.parquet'),
        [],
      ),
    ).toThrow(/at most 64/);
  });
});

describe('globs through the gateway', () => {
  let app: App;
  let url: string;
  let root: string;

  beforeAll(async () => {
    root = await tempDir('glob-root');
    const lake = await tempDir('glob-lake');
    // A tree with many long names: each file's decision is as costly as the dialect allows.
    for (let d = 0; d < 20; d++) {
      const dir = path.join(root, 'src', `d${d}`);
      await fs.mkdir(dir, { recursive: true });
      for (let f = 0; f < 30; f++) await fs.writeFile(path.join(dir, `${'a'.repeat(200)}${f}`), 'x');
    }
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_LAKE: lake, LAKEQL_UPLOAD_ROOT: root }));
    url = await app.start();
  });
  afterAll(() => app?.stop());

  const post = async (query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
  };
  const BACKFILL =
    'mutation($inc: [String!]) { startBackfill(source: "src", include: $inc, dryRun: true) { id state } }';

  it('an invalid pattern is BAD_USER_INPUT at startBackfill, and no job starts', async () => {
    const before = await post('{ jobs(first: 100) { edges { node { id } } } }');
    const refused = await post(BACKFILL, { inc: ['[z-a]'] });
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0].message).toMatch(/out of order/);
    const after = await post('{ jobs(first: 100) { edges { node { id } } } }');
    expect(after.data?.jobs.edges.length).toBe(before.data?.jobs.edges.length);
  });

  it('a pathological dry run never holds the event loop: concurrent queries answer promptly', async () => {
    const include = [
      `${'*a'.repeat(300)}b`,
      `d*/${'?*'.repeat(330)}b`,
      `${'**/'.repeat(300)}*.parquet`,
      `${'*{ab,cd}'.repeat(124)}x`,
    ];
    // Warm-up: the first requests compile code paths; that is start-up cost, not the globs'.
    await post(BACKFILL, { inc: ['*.none'] });
    await post('{ lake { kind } }');
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    // A dry run answers with its plan, so the mutation is pending for the whole planning.
    let done = false;
    const began = performance.now();
    const dryRun = post(BACKFILL, { inc: include }).finally(() => {
      done = true;
    });
    let answered = 0;
    let slowestQuery = 0;
    while (!done) {
      const asked = performance.now();
      const answer = await post('{ lake { kind } }');
      slowestQuery = Math.max(slowestQuery, performance.now() - asked);
      expect(answer.data?.lake.kind).toBeDefined();
      answered++;
    }
    delay.disable();
    const duration = performance.now() - began;
    const result = await dryRun;
    expect(result.errors).toBeUndefined();
    expect(result.data.startBackfill.state).toBe('SUCCEEDED');
    // The slowest turn of the event loop, in ms (the histogram is in ns).
    // Bounds relative to the run, as the test machine may be shared: the planning went on in
    // slices of ~10 ms, so queries kept being answered all along and no turn of the loop took long.
    expect(answered).toBeGreaterThanOrEqual(5);
    expect(delay.max / 1e6).toBeLessThan(Math.max(100, duration / 5));
    expect(slowestQuery).toBeLessThan(Math.max(250, duration / 3));
  });
});
