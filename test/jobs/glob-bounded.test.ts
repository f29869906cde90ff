// Globs at their limits: 1,000-character patterns on 1,024-character paths agree with a reference matcher, and the work of a decision is bounded by ⌈pattern/32⌉ words per character.
import { describe, expect, it } from 'vitest';
import { compileGlob, MAX_PATTERN_LENGTH } from '../../src/lake/uploads/glob.js';

/*
 * The reference: the dialect parsed on its own and decided by dynamic programming over the set of
 * path positions each piece of the pattern can end at (one left-to-right scan per piece), so it is
 * exact and never backtracks, and it shares no code with src/lake/uploads/glob*.ts.
 */
type Piece =
  | { k: 'test'; accepts: (cp: number) => boolean }
  | { k: 'star' }
  | { k: 'all' }
  | { k: 'dirs' }
  | { k: 'alt'; alternatives: Piece[][] };

const SLASH = 0x2f;

function parseReference(pattern: string): Piece[] {
  const chars = [...(pattern.includes('/') ? pattern.replace(/^\/+/, '') : `**/${pattern}`)];
  let i = 0;
  let depth = 0;
  const sequence = (): Piece[] => {
    const out: Piece[] = [];
    while (i < chars.length) {
      const c = chars[i];
      if (depth > 0 && (c === ',' || c === '}')) return out;
      if (
        c === '*' &&
        chars[i + 1] === '*' &&
        (i === 0 || chars[i - 1] === '/') &&
        (chars[i + 2] === '/' || i + 2 === chars.length)
      ) {
        out.push(i + 2 === chars.length ? { k: 'all' } : { k: 'dirs' });
        i += i + 2 === chars.length ? 2 : 3;
      } else if (c === '*') {
        out.push({ k: 'star' });
        i++;
      } else if (c === '?') {
        out.push({ k: 'test', accepts: (cp) => cp !== SLASH });
        i++;
      } else if (c === '[') {
        const end = chars.indexOf(']', i + 2);
        if (end < 0) throw new Error('unclosed [');
        let body = chars.slice(i + 1, end);
        const negate = body[0] === '!' || body[0] === '^';
        if (negate) body = body.slice(1);
        const ranges: [number, number][] = [];
        for (let j = 0; j < body.length; j++) {
          const lo = body[j].codePointAt(0)!;
          if (body[j + 1] === '-' && j + 2 < body.length) {
            const hi = body[j + 2].codePointAt(0)!;
            if (hi < lo) throw new Error('range out of order');
            ranges.push([lo, hi]);
            j += 2;
          } else ranges.push([lo, lo]);
        }
        const inside = (cp: number) => ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
        out.push({ k: 'test', accepts: negate ? (cp) => cp !== SLASH && !inside(cp) : inside });
        i = end + 1;
      } else if (c === '{') {
        i++;
        depth++;
        const alternatives = [sequence()];
        while (chars[i] === ',') {
          i++;
          alternatives.push(sequence());
        }
        if (chars[i] !== '}') throw new Error('unclosed {');
        i++;
        depth--;
        out.push({ k: 'alt', alternatives });
      } else {
        const cp = c.codePointAt(0)!;
        out.push({ k: 'test', accepts: (x) => x === cp });
        i++;
      }
    }
    return out;
  };
  return sequence();
}

/** Positions 0..n the pieces can end at, given the positions they may start at. */
function advance(pieces: readonly Piece[], from: Uint8Array, cps: readonly number[]): Uint8Array {
  const n = cps.length;
  let set = from;
  for (const piece of pieces) {
    const out = new Uint8Array(n + 1);
    if (piece.k === 'test') {
      for (let j = 0; j < n; j++) if (set[j] && piece.accepts(cps[j])) out[j + 1] = 1;
    } else if (piece.k === 'star') {
      let on = false;
      for (let j = 0; j <= n; j++) {
        if (set[j]) on = true;
        if (on) out[j] = 1;
        if (cps[j] === SLASH) on = false;
      }
    } else if (piece.k === 'all') {
      const first = set.indexOf(1);
      if (first >= 0) out.fill(1, first);
    } else if (piece.k === 'dirs') {
      // ([^/]+/)*: a position is reached from itself, or after "/" ending a non-empty name begun at a reached one.
      out.set(set);
      let named = false;
      for (let j = 0; j < n; j++) {
        if (cps[j] === SLASH) {
          if (named) out[j + 1] = 1;
          named = false;
        } else if (out[j]) named = true;
      }
    } else {
      for (const alternative of piece.alternatives) {
        const reached = advance(alternative, set, cps);
        for (let j = 0; j <= n; j++) out[j] |= reached[j];
      }
    }
    set = out;
  }
  return set;
}

function referenceTest(pieces: readonly Piece[], path: string): boolean {
  const cps = [...path].map((c) => c.codePointAt(0)!);
  const start = new Uint8Array(cps.length + 1);
  start[0] = 1;
  return advance(pieces, start, cps)[cps.length] === 1;
}

/** Upper bound on the automaton's words: one state per pattern character at most, plus the implied a directory globstar and the accepting state. */
const wordsFor = (pattern: string) => Math.floor((pattern.length + 4) / 32) + 1;
/** Brace alternatives: the only thing beyond the word passes a decision pays for per character (a jump's words and its targets' check). */
const alternativesIn = (pattern: string) => (pattern.match(/[{,]/g) ?? []).length;
/** Word operations allowed for one decision: five passes over the words per character (consume, "/" back, skip + fill, jump bookkeeping), the live jumps, and masks built. */
const workBound = (pattern: string, path: string) => {
  const words = wordsFor(pattern);
  const chars = [...path].length;
  return (
    (chars + 1) * (5 * words + 3 * alternativesIn(pattern)) + new Set(path).size * (words + pattern.length) + words
  );
};

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
type Random = ReturnType<typeof random>;

const PATH_CHARS = ['a', 'a', 'b', '/', '.', 'é', '😀', '-'];

function generatePattern(r: Random, budget: number, depth = 0): string {
  let out = '';
  while (out.length < budget) {
    const kind = r.int(depth > 2 ? 9 : 11);
    if (kind <= 2) out += r.pick(['a', 'b', '.', 'é', '😀', '-', '/']);
    else if (kind === 3) out += '*';
    else if (kind === 4) out += '?';
    else if (kind === 5) out += r.pick(['**/', '/**/', '**', '/**']);
    else if (kind === 6) out += r.pick(['[ab]', '[!a]', '[a-c]', '[^.]', '[-a]', '[é-😀]', '[/]', '[!/]']);
    else if (kind === 7) out += r.pick(['}', ',', '{a,b}', '{,a}', '{}']);
    else if (kind === 8) out += r.pick(['a', 'b']).repeat(1 + r.int(4));
    else
      out += `{${Array.from({ length: 1 + r.int(3) }, () => (r.next() < 0.2 ? '' : generatePattern(r, 1 + r.int(Math.max(1, budget / 4)), depth + 1))).join(',')}}`;
    if (budget < 300 && r.next() < 0.08) break;
  }
  return out;
}

function generatePath(r: Random, length: number): string {
  // Mostly from the characters patterns use, in runs, so matches happen.
  let out = '';
  while ([...out].length < length) out += r.next() < 0.3 ? r.pick(['ab', 'a/', 'aa', 'b.', '/']) : r.pick(PATH_CHARS);
  return out;
}

/** A path the pattern is meant to match (when every test has a character among PATH_CHARS), so matches are exercised in earnest. */
function instancePath(r: Random, pieces: readonly Piece[]): string {
  let out = '';
  const segmentChar = () => r.pick(PATH_CHARS.filter((c) => c !== '/'));
  for (const piece of pieces) {
    if (piece.k === 'test')
      out +=
        PATH_CHARS.find((c) => piece.accepts(c.codePointAt(0)!) && r.next() < 0.5) ??
        PATH_CHARS.find((c) => piece.accepts(c.codePointAt(0)!)) ??
        'z';
    else if (piece.k === 'star') out += Array.from({ length: r.int(4) }, segmentChar).join('');
    else if (piece.k === 'all') out += Array.from({ length: r.int(6) }, () => r.pick(PATH_CHARS)).join('');
    else if (piece.k === 'dirs') out += Array.from({ length: r.int(3) }, () => `${segmentChar()}/`).join('');
    else out += instancePath(r, r.pick(piece.alternatives));
  }
  return out;
}

/** Decides with both matchers and checks the work bound; returns the answer. */
function decide(pattern: string, path: string, pieces = parseReference(pattern), glob = compileGlob(pattern)): boolean {
  const expected = referenceTest(pieces, path);
  const decided = glob.test(path);
  // expect() only on a difference: tens of thousands of passing expect() calls cost more than the decisions.
  if (decided !== expected)
    expect(decided, `${JSON.stringify(pattern.slice(0, 200))} on ${JSON.stringify(path.slice(0, 200))}`).toBe(expected);
  if (glob.work > workBound(pattern, path))
    expect(glob.work, `work on ${JSON.stringify(pattern.slice(0, 80))}`).toBeLessThanOrEqual(workBound(pattern, path));
  return decided;
}

const A1024 = 'a'.repeat(1024);
const repeatTo = (unit: string, tail = '') =>
  `${unit.repeat(Math.floor((MAX_PATTERN_LENGTH - tail.length) / unit.length))}${tail}`;

describe('globs at their limits', () => {
  it('decides the worst cases at 1,000/1,024 characters as the reference does, in O(pattern/32 × path) word operations', () => {
    const patterns = [
      repeatTo('**/', '*.parquet'),
      repeatTo('**/'),
      repeatTo('*a', 'b'),
      repeatTo('*a'),
      repeatTo('?*'),
      repeatTo('?*', 'b'),
      repeatTo('[a-z]*'),
      repeatTo('[!b]*', 'b'),
      repeatTo('*?'),
      repeatTo('{a,b}'),
      repeatTo('{a,{b,{c,{d,ef}}}}'),
      repeatTo('*{ab,cd}'),
      repeatTo('*{,ab}'),
      repeatTo('{*,a/}'),
      repeatTo('**/*/'),
      repeatTo('**/*a'),
      repeatTo('a*', '**'),
      repeatTo('*', 'b'),
      repeatTo('{*a,*b}'),
      `${'{'.repeat(300)}a${'}'.repeat(300)}`,
      repeatTo('{a*,}'),
    ];
    const paths = [
      A1024,
      `${'a'.repeat(1023)}b`,
      `${'a/'.repeat(511)}b`,
      `${'ab'.repeat(512)}`,
      `${'x/'.repeat(500)}${'a'.repeat(20)}.parq`,
      `${'ef'.repeat(512)}`,
      'a/b/c/ticks.parquet',
    ];
    let matched = 0;
    let maxWorkPerChar = 0;
    for (const pattern of patterns) {
      expect(pattern.length).toBeLessThanOrEqual(MAX_PATTERN_LENGTH);
      const pieces = parseReference(pattern);
      const glob = compileGlob(pattern);
      for (const path of paths) {
        if (decide(pattern, path, pieces, glob)) matched++;
        const braceFree = !/[{}]/.test(pattern);
        // Without braces the bound is the word passes alone: ⌈pattern/32⌉ words, five passes, per character.
        if (braceFree)
          expect(glob.work).toBeLessThanOrEqual(
            ([...path].length + 1) * 5 * wordsFor(pattern) +
              new Set(path).size * (wordsFor(pattern) + pattern.length) +
              wordsFor(pattern),
          );
        maxWorkPerChar = Math.max(maxWorkPerChar, glob.work / path.length);
      }
    }
    expect(matched).toBeGreaterThan(10);
    // A few hundred word operations per character at most: tens of microseconds for a 1,024-character path.
    expect(maxWorkPerChar).toBeLessThan(700);
    expect(compileGlob(repeatTo('*a', 'b')).test(`${'a'.repeat(500)}b`)).toBe(true);
    expect(compileGlob(repeatTo('**/', '*.parquet')).test('a/b/c/ticks.parquet')).toBe(true);
  });

  it('agrees with the reference on 3,000 generated patterns (up to 1,000 characters) × 8 paths (up to 1,024), every decision within the work bound', () => {
    let compared = 0;
    let matches = 0;
    let refused = 0;
    let long = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const r = random(seed * 7919);
      const budget = seed % 20 === 0 ? 300 + r.int(MAX_PATTERN_LENGTH - 300) : 1 + r.int(40);
      const pattern = generatePattern(r, budget).slice(0, MAX_PATTERN_LENGTH) || 'a';
      let pieces: Piece[];
      try {
        pieces = parseReference(pattern);
      } catch {
        // The reference refuses it: so must the gateway, with a typed error.
        expect(() => compileGlob(pattern), pattern).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
        refused++;
        continue;
      }
      const glob = compileGlob(pattern);
      if (pattern.length >= 300) long++;
      for (let p = 0; p < 8; p++) {
        const length = p === 0 && seed % 20 === 0 ? 1024 : r.int(p < 4 ? 12 : 60);
        const path = p >= 6 ? instancePath(r, pieces) : generatePath(r, length);
        if (decide(pattern, path.slice(0, 1024), pieces, glob)) matches++;
        compared++;
      }
    }
    expect(compared + refused * 8).toBe(24_000);
    expect(long).toBeGreaterThan(100);
    // Both outcomes are exercised in earnest, and so are refusals.
    expect(matches).toBeGreaterThan(1_500);
    expect(compared - matches).toBeGreaterThan(1_500);
    expect(refused).toBeGreaterThan(0);
  });
});
