// Include/exclude patterns for backfills: a small, documented glob dialect decided by a non-backtracking automaton.
import { InvalidInputError } from '../errors.js';

/*
 * Why not picomatch (or minimatch, or our earlier glob → RegExp): they compile to a JavaScript
 * RegExp, and V8's regex engine backtracks. Measured on Node 20 with picomatch 4.0.7:
 * `"*a" × 300 + "b"` against a 1,024-character name of `a`s did not finish in 120 s, and our
 * regex held the event loop 17.9 s on `*a*a*a*a*a*a*a*a*a*a*b`. So the pattern is compiled to a
 * Thompson NFA and simulated one character at a time over the set of live states (RE2's method):
 * a decision costs at most pattern length × path length steps, whatever the pattern.
 */

/** Longest pattern accepted, and the most patterns (include + exclude) one backfill may give. */
export const MAX_PATTERN_LENGTH = 1000;
export const MAX_PATTERNS = 64;

/** Which characters a state consumes: one code point, any but "/", any at all, or a class. */
type Test =
  | { kind: 'char'; cp: number }
  | { kind: 'segment' }
  | { kind: 'any' }
  | { kind: 'class'; negate: boolean; ranges: number[] };

/** A state consumes a character (then goes to `out`) or is a split to `out` and `alt` without consuming. */
interface State { test?: Test; out: number; alt: number }

const MATCH = -1;

export interface Glob {
  readonly source: string;
  test(path: string): boolean;
}

/**
 * Patterns match the file's path relative to the backfill source, with "/" separators:
 * `*` any run of characters except "/", `?` one such character, `**` any number of whole
 * directories, `[abc]` / `[a-z]` / `[!a-z]` a class, `{a,b}` alternatives. A pattern with no
 * "/" matches the file name at any depth (as `rglob('*.parquet')` in the seed does).
 */
export function compileGlob(pattern: string): Glob {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw new InvalidInputError(`glob "${pattern.slice(0, 40)}${pattern.length > 40 ? '…' : ''}" must be 1–${MAX_PATTERN_LENGTH} characters`);
  }
  const anchored = [...(pattern.includes('/') ? pattern.replace(/^\/+/, '') : `**/${pattern}`)];
  const states: State[] = [];
  const add = (state: State) => states.push(state) - 1;
  const consume = (test: Test, out: number) => add({ test, out, alt: MATCH });
  /** A split whose first branch loops back to itself through `body(self)`; its other branch is `next`. */
  const loop = (body: (self: number) => number, next: number) => {
    const self = add({ out: MATCH, alt: next });
    states[self].out = body(self);
    return self;
  };

  // Compiled right to left, each piece knowing where it continues; a group's alternatives all continue at its end.
  const groups: { next: number; alternatives: number[] }[] = [];
  let next = MATCH;
  const tokens = simplify(tokenize(anchored, pattern));
  for (let t = tokens.length - 1; t >= 0; t--) {
    const token = tokens[t];
    switch (token.kind) {
      case 'close': groups.push({ next, alternatives: [] }); break;
      case 'comma': {
        const group = groups[groups.length - 1];
        group.alternatives.push(next);
        next = group.next;
        break;
      }
      case 'open': {
        const group = groups.pop()!;
        group.alternatives.push(next);
        next = group.alternatives.reduce((rest, start) => (rest === undefined ? start : add({ out: start, alt: rest })), undefined as number | undefined)!;
        break;
      }
      case 'star': next = loop((self) => consume({ kind: 'segment' }, self), next); break;
      case 'globstar-end': next = loop((self) => consume({ kind: 'any' }, self), next); break;
      // Zero or more non-empty directories: ([^/]+/)*
      case 'globstar-dir': next = loop((self) => {
        const slash = consume({ kind: 'char', cp: 0x2f }, self);
        const more = loop((inner) => consume({ kind: 'segment' }, inner), slash);
        return consume({ kind: 'segment' }, more);
      }, next); break;
      case 'test': next = consume(token.test, next); break;
    }
  }
  const machine = flatten(states, next);
  const byName = nameMatcher(pattern);
  return {
    source: pattern,
    test: (path) => (byName && !path.startsWith('/') && !path.includes('//') ? byName(path.slice(path.lastIndexOf('/') + 1)) : simulate(machine, path)),
  };
}

/**
 * The common case, a file-name pattern of literals, `?` and `*` (`*.parquet`): the name's last
 * segment against the pieces between stars, each found at its leftmost place. Leftmost is always
 * right here, so nothing is retried: `*a` × 300 + `b` is decided in microseconds, where the
 * automaton below needs tens of milliseconds (its live set holds every star at once).
 */
function nameMatcher(pattern: string): ((name: string) => boolean) | undefined {
  if (/[/{}[\]]/.test(pattern)) return undefined;
  const pieces = pattern.split(/\*+/).map((piece) => [...piece]);
  const fits = (name: string[], at: number, piece: string[]) => piece.every((c, i) => (c === '?' ? name[at + i] !== undefined : name[at + i] === c));
  return (text) => {
    const name = [...text];
    const first = pieces[0];
    const last = pieces[pieces.length - 1];
    if (pieces.length === 1) return name.length === first.length && fits(name, 0, first);
    if (name.length < first.length + last.length || !fits(name, 0, first) || !fits(name, name.length - last.length, last)) return false;
    let at = first.length;
    const end = name.length - last.length;
    for (let p = 1; p < pieces.length - 1; p++) {
      const piece = pieces[p];
      while (at + piece.length <= end && !fits(name, at, piece)) at++;
      if (at + piece.length > end) return false;
      at += piece.length;
    }
    return true;
  };
}

// Two stars in a row (not a globstar), or two globstar directories in a row, mean what one does:
// merged, they cost one state instead of hundreds.
function simplify(tokens: Token[]): Token[] {
  return tokens.filter((token, i) => i === 0 || !((token.kind === 'star' || token.kind === 'globstar-dir') && tokens[i - 1].kind === token.kind));
}

type Token = { kind: 'open' | 'close' | 'comma' | 'star' | 'globstar-end' | 'globstar-dir' } | { kind: 'test'; test: Test };

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
      if (hi < lo) throw new InvalidInputError(`glob "${short(pattern)}" has a range "${body[i]}-${body[i + 2]}" out of order`);
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

/** The states in flat typed arrays: the simulation's inner loop then reads numbers, not objects of four shapes. */
interface Machine {
  start: number;
  /** 0 split, 1 one code point, 2 any but "/", 3 anything, 4 class, 5 negated class. */
  kind: Uint8Array;
  out: Int32Array;
  alt: Int32Array;
  /** The code point, or the class's index in `classes`. */
  arg: Int32Array;
  classes: number[][];
}

function flatten(states: State[], start: number): Machine {
  const n = states.length;
  const machine: Machine = { start, kind: new Uint8Array(n), out: new Int32Array(n), alt: new Int32Array(n), arg: new Int32Array(n), classes: [] };
  states.forEach((state, s) => {
    machine.out[s] = state.out;
    machine.alt[s] = state.alt;
    const test = state.test;
    if (!test) return;
    if (test.kind === 'char') { machine.kind[s] = 1; machine.arg[s] = test.cp; }
    else if (test.kind === 'segment') machine.kind[s] = 2;
    else if (test.kind === 'any') machine.kind[s] = 3;
    else { machine.kind[s] = test.negate ? 5 : 4; machine.arg[s] = machine.classes.push(test.ranges) - 1; }
  });
  return machine;
}

function accepts(m: Machine, s: number, cp: number): boolean {
  switch (m.kind[s]) {
    case 1: return cp === m.arg[s];
    case 2: return cp !== 0x2f;
    case 3: return true;
    default: {
      const negate = m.kind[s] === 5;
      if (negate && cp === 0x2f) return false;
      const ranges = m.classes[m.arg[s]];
      let inside = false;
      for (let r = 0; r < ranges.length && !inside; r += 2) inside = cp >= ranges[r] && cp <= ranges[r + 1];
      return inside !== negate;
    }
  }
}

/** The set of live states advanced one code point at a time; each state enters a set at most once per step. */
function simulate(m: Machine, path: string): boolean {
  const n = m.kind.length;
  const mark = new Int32Array(n).fill(-1);
  let current = new Int32Array(n);
  let following = new Int32Array(n);
  let size = 0;
  const stack = new Int32Array(2 * n + 2);
  let step = 0;
  let matched = false;
  /** Adds the states reachable from `from` without consuming to `into` (from index `count`); returns the new count. */
  const enter = (into: Int32Array, count: number, from: number): number => {
    let top = 0;
    stack[top++] = from;
    while (top > 0) {
      const s = stack[--top];
      if (s === MATCH) { matched = true; continue; }
      if (mark[s] === step) continue;
      mark[s] = step;
      if (m.kind[s] !== 0) into[count++] = s;
      else { stack[top++] = m.alt[s]; stack[top++] = m.out[s]; }
    }
    return count;
  };
  size = enter(current, 0, m.start);
  for (const char of path) {
    const cp = char.codePointAt(0)!;
    step++;
    matched = false;
    let count = 0;
    for (let i = 0; i < size; i++) {
      const s = current[i];
      if (accepts(m, s, cp)) count = enter(following, count, m.out[s]);
    }
    [current, following] = [following, current];
    size = count;
    if (size === 0 && !matched) return false;
  }
  return matched;
}

export type PathFilter = (relative: string) => boolean

/** Checks every pattern now, so a bad one is the caller's error (BAD_USER_INPUT), never a failed job. */
export function pathFilter(include: readonly string[] | undefined, exclude: readonly string[] | undefined): PathFilter {
  if ((include?.length ?? 0) + (exclude?.length ?? 0) > MAX_PATTERNS) throw new InvalidInputError(`at most ${MAX_PATTERNS} include and exclude patterns together`);
  const inc = (include ?? []).map(compileGlob);
  const exc = (exclude ?? []).map(compileGlob);
  return (relative) => (inc.length === 0 || inc.some((g) => g.test(relative))) && !exc.some((g) => g.test(relative));
}
