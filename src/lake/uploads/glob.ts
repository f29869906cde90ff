// Include/exclude patterns for backfills: a small, documented glob dialect decided by a non-backtracking automaton.
import { InvalidInputError } from '../errors.js';
import type { Item, Test } from './glob-layout.js';
import { GlobMachine } from './glob-machine.js';

/*
 * Why not picomatch (or minimatch, or our earlier glob → RegExp): they compile to a JavaScript
 * RegExp, and V8's regex engine backtracks. Measured on Node 20 with picomatch 4.0.7:
 * `"*a" × 300 + "b"` against a 1,024-character name of `a`s did not finish in 120 s, and our
 * regex held the event loop 17.9 s on `*a*a*a*a*a*a*a*a*a*a*b`. Node's `path.matchesGlob`
 * (experimental on Node 20.17+ and 22) is minimatch inside, a RegExp too: bench/glob.ts saw it run
 * past 2 s on `*a` × 499 + `b`. So the pattern is compiled to an automaton whose live states are
 * simulated as a bitset (glob-machine.ts): a decision costs a few passes over ⌈pattern/32⌉ words
 * per character of the path, plus a word or two per brace alternative that is live, whatever the
 * pattern: tens to hundreds of microseconds at 1,000/1,024 characters (bench/glob.ts).
 */

/** Longest pattern accepted, and the most patterns (include + exclude) one backfill may give. */
export const MAX_PATTERN_LENGTH = 1000;
export const MAX_PATTERNS = 64;

export interface Glob {
  readonly source: string;
  test(path: string): boolean;
  /** Word operations the last `test` took (what tests bound instead of time). */
  readonly work: number;
}

/**
 * Patterns match the file's path relative to the backfill source, with "/" separators:
 * `*` any run of characters except "/", `?` one such character, `**` any number of whole
 * directories, `[abc]` / `[a-z]` / `[!a-z]` a class, `{a,b}` alternatives. A pattern with no
 * "/" matches the file name at any depth (as `rglob('*.parquet')` in the seed does).
 */
export function compileGlob(pattern: string): Glob {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw new InvalidInputError(
      `glob "${pattern.slice(0, 40)}${pattern.length > 40 ? '…' : ''}" must be 1–${MAX_PATTERN_LENGTH} characters`,
    );
  }
  const anchored = [...(pattern.includes('/') ? pattern.replace(/^\/+/, '') : `**/${pattern}`)];
  const tokens = tokenize(anchored, pattern);
  let at = 0;
  // Recursive descent over the tokens: a sequence ends at a "," or "}" of its group, or at the end.
  const sequence = (): Item[] => {
    const items: Item[] = [];
    while (at < tokens.length) {
      const token = tokens[at];
      if (token.kind === 'comma' || token.kind === 'close') break;
      at++;
      if (token.kind === 'open') {
        const alternatives = [sequence()];
        while (tokens[at]?.kind === 'comma') {
          at++;
          alternatives.push(sequence());
        }
        at++; // the "}" (tokenize checked the braces balance)
        items.push(...group(alternatives));
      } else if (token.kind === 'test') items.push({ kind: 'test', test: token.test });
      else items.push({ kind: token.kind });
    }
    return items;
  };
  const machine = new GlobMachine(sequence());
  return {
    source: pattern,
    test: (path) => machine.test(path),
    get work() {
      return machine.work;
    },
  };
}

/**
 * A group whose alternatives are single characters (or nothing) is one state consuming any of
 * them, optional if one is empty: `{a,b}` × 199 costs 199 states and no jumps. A group of one
 * alternative is that alternative, and a group alone in an alternative joins its parent's.
 */
function group(nested: Item[][]): Item[] {
  // `{a,{b,cd}}` is `{a,b,cd}`: one group's jumps instead of two.
  const alternatives = nested.flatMap((a) => (a.length === 1 && a[0].kind === 'group' ? a[0].alternatives : [a]));
  if (alternatives.length === 1) return alternatives[0];
  const single = alternatives.every(
    (a) => a.length === 0 || (a.length === 1 && a[0].kind === 'test' && !a[0].optional),
  );
  if (!single) return [{ kind: 'group', alternatives }];
  const tests = alternatives.flatMap((a) => (a.length === 1 && a[0].kind === 'test' ? [a[0].test] : []));
  if (tests.length === 0) return [];
  return [
    {
      kind: 'test',
      test: tests.length === 1 ? tests[0] : { kind: 'union', tests },
      optional: tests.length < alternatives.length,
    },
  ];
}

type Token =
  | { kind: 'open' | 'close' | 'comma' | 'star' | 'globstar-end' | 'globstar-dir' }
  | { kind: 'test'; test: Test };

function tokenize(chars: string[], pattern: string): Token[] {
  const tokens: Token[] = [];
  let braces = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '*') {
      if (chars[i + 1] === '*') {
        const before = i === 0 || chars[i - 1] === '/';
        const after = chars[i + 2] === '/' || i + 2 === chars.length;
        if (before && after) {
          // `**/` is zero or more directories; a trailing `**` is everything below.
          tokens.push({ kind: i + 2 === chars.length ? 'globstar-end' : 'globstar-dir' });
          i += chars[i + 2] === '/' ? 2 : 1;
          continue;
        }
      }
      tokens.push({ kind: 'star' });
    } else if (c === '?') {
      tokens.push({ kind: 'test', test: { kind: 'segment' } });
    } else if (c === '[') {
      const end = chars.indexOf(']', i + 2);
      if (end < 0) throw new InvalidInputError(`glob "${short(pattern)}" has an unclosed "["`);
      let body = chars.slice(i + 1, end);
      const negate = body[0] === '!' || body[0] === '^';
      if (negate) body = body.slice(1);
      tokens.push({ kind: 'test', test: { kind: 'class', negate, ranges: classRanges(body, pattern) } });
      i = end;
    } else if (c === '{') {
      braces++;
      tokens.push({ kind: 'open' });
    } else if (c === '}' && braces > 0) {
      braces--;
      tokens.push({ kind: 'close' });
    } else if (c === ',' && braces > 0) {
      tokens.push({ kind: 'comma' });
    } else {
      tokens.push({ kind: 'test', test: { kind: 'char', cp: c.codePointAt(0)! } });
    }
  }
  if (braces !== 0) throw new InvalidInputError(`glob "${short(pattern)}" has an unclosed "{"`);
  return tokens;
}

/** `a-z` is a range, a "-" first or last is itself; a range running backwards (`[z-a]`) is refused. */
function classRanges(body: string[], pattern: string): number[] {
  const ranges: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const lo = body[i].codePointAt(0)!;
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const hi = body[i + 2].codePointAt(0)!;
      if (hi < lo)
        throw new InvalidInputError(`glob "${short(pattern)}" has a range "${body[i]}-${body[i + 2]}" out of order`);
      ranges.push(lo, hi);
      i += 2;
    } else {
      ranges.push(lo, lo);
    }
  }
  return ranges;
}

function short(pattern: string): string {
  return pattern.length > 60 ? `${pattern.slice(0, 60)}…` : pattern;
}

export type PathFilter = (relative: string) => boolean;

/** Checks every pattern now, so a bad one is the caller's error (BAD_USER_INPUT), never a failed job. */
export function pathFilter(include: readonly string[] | undefined, exclude: readonly string[] | undefined): PathFilter {
  if ((include?.length ?? 0) + (exclude?.length ?? 0) > MAX_PATTERNS)
    throw new InvalidInputError(`at most ${MAX_PATTERNS} include and exclude patterns together`);
  const inc = (include ?? []).map(compileGlob);
  const exc = (exclude ?? []).map(compileGlob);
  return (relative) => (inc.length === 0 || inc.some((g) => g.test(relative))) && !exc.some((g) => g.test(relative));
}
