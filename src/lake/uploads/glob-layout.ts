// Backfill globs laid out as automaton states in pattern order: what each state consumes, where it goes without consuming.

/** Which characters a test consumes: one code point, any but "/", a class, or any of several tests. */
export type Test =
  | { kind: 'char'; cp: number }
  | { kind: 'segment' }
  | { kind: 'class'; negate: boolean; ranges: number[] }
  | { kind: 'union'; tests: Test[] };

/** A pattern parsed: tests (possibly optional), `*`, a trailing `**`, a directory globstar, and brace groups. */
export type Item =
  | { kind: 'test'; test: Test; optional?: boolean }
  | { kind: 'star' }
  | { kind: 'globstar-end' }
  | { kind: 'globstar-dir' }
  | { kind: 'group'; alternatives: Item[][] };

export function accepts(test: Test, cp: number): boolean {
  switch (test.kind) {
    case 'char':
      return cp === test.cp;
    case 'segment':
      return cp !== 0x2f;
    case 'union':
      return test.tests.some((t) => accepts(t, cp));
    case 'class': {
      if (test.negate && cp === 0x2f) return false;
      let inside = false;
      for (let r = 0; r < test.ranges.length && !inside; r += 2)
        inside = cp >= test.ranges[r] && cp <= test.ranges[r + 1];
      return inside !== test.negate;
    }
  }
}

export const STAY_NONE = 0;
export const STAY_SEGMENT = 1;
export const STAY_ANY = 2;
const SEGMENT: Test = { kind: 'segment' };

/** The states laid out in pattern order, before they are packed into words. */
export class Layout {
  readonly consume: (Test | undefined)[] = [];
  readonly stay: number[] = [];
  readonly nullable: boolean[] = [];
  readonly skip2: boolean[] = [];
  readonly back: boolean[] = [];
  readonly jumps: number[][] = [];

  add(): number {
    this.consume.push(undefined);
    this.stay.push(STAY_NONE);
    this.nullable.push(false);
    this.skip2.push(false);
    this.back.push(false);
    this.jumps.push([]);
    return this.consume.length - 1;
  }

  emit(items: readonly Item[]): void {
    let previous: Item['kind'] | undefined;
    for (const item of items) {
      // `**` then `**`, or `*` then `*`, mean what one does: one state instead of hundreds.
      if ((item.kind === 'star' || item.kind === 'globstar-dir') && previous === item.kind) continue;
      previous = item.kind;
      if (item.kind === 'test') {
        const s = this.add();
        this.consume[s] = item.test;
        this.nullable[s] = item.optional === true;
      } else if (item.kind === 'star' || item.kind === 'globstar-end') {
        const s = this.add();
        this.stay[s] = item.kind === 'star' ? STAY_SEGMENT : STAY_ANY;
        this.nullable[s] = true;
      } else if (item.kind === 'globstar-dir') {
        // ([^/]+/)*: a boundary state that skips both or starts a directory name, then the name, which "/" ends.
        const boundary = this.add();
        this.consume[boundary] = SEGMENT;
        this.skip2[boundary] = true;
        const name = this.add();
        this.stay[name] = STAY_SEGMENT;
        this.back[name] = true;
      } else {
        const start = this.add();
        this.nullable[start] = true; // into the first alternative, which follows it
        const exits: number[] = [];
        item.alternatives.forEach((alternative, j) => {
          if (j > 0) this.jumps[start].push(this.consume.length);
          this.emit(alternative);
          exits.push(this.add());
        });
        const after = this.consume.length;
        exits.forEach((exit, j) => {
          if (j < exits.length - 1) this.jumps[exit].push(after);
        });
        this.nullable[exits[exits.length - 1]] = true; // the last alternative's end is next to what follows
      }
    }
  }
}
