// The automaton behind backfill globs: the set of live states as bits in 32-bit words, advanced a whole word at a time.

/*
 * States are laid out in pattern order, and almost every move is to a neighbour: a test consumes
 * one character and moves to the next state (a shift left by one), a star consumes and stays (an
 * AND), the directory name inside `**` + `/` goes back one on "/" (a shift right), and a nullable
 * state (star, optional, group start) passes control to the next without consuming — a run of
 * those is filled in one addition per word ((A + R) ^ R carries a set bit across the run of R's
 * bits). The only jumps are brace groups' (start → each alternative, each alternative's end →
 * after the group) and a directory globstar skipping its two states; their targets' closures are
 * precomputed, and a jump whose targets are inside a closure already added this step is skipped.
 * What the jumps add depends only on which sources are live, and a pattern repeated under stars
 * keeps the same few live sets step after step, so the last few unions are remembered.
 *
 * A decision thus costs three or four passes over ⌈states/32⌉ words per character, plus a word or
 * two per live brace jump when the live set is new; `work` counts those word operations, so tests
 * bound the work instead of timing it (test/jobs/glob-bounded.test.ts).
 */

import { accepts, Layout, STAY_ANY, STAY_NONE, type Item, type Test } from './glob-layout.js';

/** Masks kept per glob for characters outside ASCII (a directory walk meets the same few again and again). */
const MAX_CACHED_MASKS = 1024;
/** Sets of live jump sources remembered per glob. */
const JUMP_MEMO = 4;

export class GlobMachine {
  private readonly words: number;
  private readonly accept: number;
  private readonly start: Uint32Array;
  /** Per-word masks: nullable states, directory-globstar (`**` + `/`) boundaries, states staying on any character / on any but "/", states going back on "/", jump sources. */
  private readonly fill: Uint32Array;
  private readonly boundary: Uint32Array;
  private readonly stayAny: Uint32Array;
  private readonly stayAll: Uint32Array;
  private readonly backOnSlash: Uint32Array;
  private readonly hasBack: boolean;
  private readonly sourceWords: number[];
  private readonly sources: Uint32Array;
  /** Jump source state → its closure's index; closures as (word, bits) pairs. */
  private readonly closureOf: Int32Array;
  private readonly closures: Int32Array[];
  /** Each closure's targets (states), in the same order. */
  private readonly targets: Int32Array[] = [];
  private readonly added: Int32Array;
  private stamp = 0;
  /** States that consume with a given test: "?"-like states in one mask, literals by code point, the rest by test. */
  private readonly segmentForward: Uint32Array;
  private readonly literals = new Map<number, number[]>();
  private readonly others: { test: Test; states: number[] }[] = [];
  private readonly ascii: (Uint32Array | undefined)[] = new Array(128);
  private readonly wide = new Map<number, Uint32Array>();
  private current: Uint32Array;
  private next: Uint32Array;
  private readonly hits: Uint32Array;
  private readonly covered: Uint32Array;
  /** Recent sets of live jump sources and the union of closures each adds (all zero at first, which is also right). */
  private readonly memoHits: Uint32Array[];
  private readonly memoJumps: Uint32Array[];
  private readonly memoHash = new Int32Array(JUMP_MEMO);
  private memoNext = 0;
  /** Word operations spent building masks during the current decision. */
  private built = 0;
  /** Word operations of the last decision: ≈ (2 or 3) × words per character + the words of live jumps + masks built. */
  work = 0;

  constructor(items: readonly Item[]) {
    const layout = new Layout();
    layout.emit(items);
    this.accept = layout.add();
    const n = layout.consume.length;
    const words = (n >>> 5) + 1;
    this.words = words;
    const mask = () => new Uint32Array(words);
    const set = (bits: Uint32Array, s: number) => {
      bits[s >>> 5] |= 1 << (s & 31);
    };
    [this.fill, this.boundary, this.stayAny, this.stayAll, this.backOnSlash, this.sources, this.segmentForward] = [
      mask(),
      mask(),
      mask(),
      mask(),
      mask(),
      mask(),
      mask(),
    ];
    const others = new Map<string, { test: Test; states: number[] }>();
    for (let s = 0; s < n; s++) {
      if (layout.nullable[s]) set(this.fill, s);
      if (layout.skip2[s]) set(this.boundary, s);
      if (layout.stay[s] === STAY_ANY) set(this.stayAny, s);
      if (layout.stay[s] !== STAY_NONE) set(this.stayAll, s);
      if (layout.back[s]) set(this.backOnSlash, s);
      const test = layout.consume[s];
      if (test?.kind === 'segment') set(this.segmentForward, s);
      else if (test?.kind === 'char') this.literals.set(test.cp, [...(this.literals.get(test.cp) ?? []), s]);
      else if (test) {
        const key = JSON.stringify(test);
        const entry = others.get(key) ?? others.set(key, { test, states: [] }).get(key)!;
        entry.states.push(s);
      }
    }
    this.others = [...others.values()];
    this.hasBack = this.backOnSlash.some((w) => w !== 0);

    // Closures without consuming, right to left (every move without a character goes right).
    const closure: Uint32Array[] = new Array(n);
    for (let s = n - 1; s >= 0; s--) {
      const c = mask();
      set(c, s);
      const targets = [...layout.jumps[s], ...(layout.nullable[s] ? [s + 1] : []), ...(layout.skip2[s] ? [s + 2] : [])];
      for (const t of targets) if (t < n) for (let w = 0; w < words; w++) c[w] |= closure[t][w];
      closure[s] = c;
    }
    this.start = closure[0];
    // Jump sources: group starts and ends, and any directory-globstar boundary reached without consuming (the fill and the
    // shift by two run once per step, so a boundary they reach takes its jump through its closure).
    this.closureOf = new Int32Array(n).fill(-1);
    this.closures = [];
    const byTargets = new Map<string, number>();
    for (let s = 0; s < n; s++) {
      const reachedFree =
        layout.skip2[s] &&
        ((s > 0 && layout.nullable[s - 1]) ||
          (s > 1 && layout.skip2[s - 2]) ||
          layout.jumps.some((j) => j.includes(s)));
      const targets = reachedFree ? [s + 2] : layout.jumps[s];
      if (targets.length === 0) continue;
      const key = targets.join(',');
      let id = byTargets.get(key);
      if (id === undefined) {
        const union = mask();
        for (const t of targets) if (t < n) for (let w = 0; w < words; w++) union[w] |= closure[t][w];
        const pairs: number[] = [];
        union.forEach((bits, w) => {
          if (bits !== 0) pairs.push(w, bits | 0);
        });
        id = this.closures.push(Int32Array.from(pairs)) - 1;
        this.targets.push(Int32Array.from(targets.filter((t) => t < n)));
        byTargets.set(key, id);
      }
      this.closureOf[s] = id;
      set(this.sources, s);
    }
    this.sourceWords = [...this.sources.keys()].filter((w) => this.sources[w] !== 0);
    this.added = new Int32Array(this.closures.length);
    this.current = mask();
    this.next = mask();
    this.hits = new Uint32Array(this.sourceWords.length);
    this.memoHits = Array.from({ length: JUMP_MEMO }, () => new Uint32Array(this.sourceWords.length));
    this.memoJumps = Array.from({ length: JUMP_MEMO }, () => mask());
    this.covered = mask();
  }

  /** States that consume `cp` and move on, built once per code point. */
  private forward(cp: number): Uint32Array {
    const cached = cp < 128 ? this.ascii[cp] : this.wide.get(cp);
    if (cached) return cached;
    const bits = cp === 0x2f ? new Uint32Array(this.words) : Uint32Array.from(this.segmentForward);
    const on = (s: number) => {
      bits[s >>> 5] |= 1 << (s & 31);
    };
    for (const s of this.literals.get(cp) ?? []) on(s);
    for (const { test, states } of this.others) if (accepts(test, cp)) states.forEach(on);
    this.built += this.words + this.others.length;
    if (cp < 128) this.ascii[cp] = bits;
    else {
      if (this.wide.size >= MAX_CACHED_MASKS) this.wide.clear();
      this.wide.set(cp, bits);
    }
    return bits;
  }

  /**
   * The union of the closures of the live jump sources (in `hits`) into `covered`, left to right: a source inside a
   * closure already added is skipped (its closure is inside that one), and so is one whose targets all are.
   */
  private addJumps(): number {
    const { hits, covered, sourceWords, closureOf, closures, targets, added } = this;
    const step = ++this.stamp;
    let work = this.words;
    covered.fill(0);
    for (let k = 0; k < sourceWords.length; k++) {
      const w = sourceWords[k];
      let bits = hits[k];
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        if ((covered[w] & low) !== 0) continue;
        const id = closureOf[(w << 5) | (31 - Math.clz32(low))];
        if (added[id] === step) continue;
        added[id] = step;
        const aims = targets[id];
        let inside = true;
        for (let a = 0; a < aims.length && inside; a++)
          inside = ((covered[aims[a] >>> 5] >>> (aims[a] & 31)) & 1) === 1;
        work += aims.length;
        if (inside) continue;
        const pairs = closures[id];
        for (let p = 0; p < pairs.length; p += 2) covered[pairs[p]] |= pairs[p + 1];
        work += pairs.length >>> 1;
      }
    }
    return work;
  }

  test(path: string): boolean {
    const words = this.words;
    const { fill, boundary, backOnSlash, hits, covered, sources, sourceWords } = this;
    const jumpy = sourceWords.length > 0;
    let current = this.current;
    let next = this.next;
    current.set(this.start);
    let work = words;
    this.built = 0;
    if (this.stamp > 0x3fff_0000) {
      this.stamp = 0;
      this.added.fill(0);
    }
    let alive = true;
    for (let i = 0; i < path.length; i++) {
      let cp = path.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < path.length) {
        const low = path.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = (cp - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
          i++;
        }
      }
      const forward = (cp < 128 ? this.ascii[cp] : this.wide.get(cp)) ?? this.forward(cp);
      const slash = cp === 0x2f;
      const stay = slash ? this.stayAny : this.stayAll;
      // Consume: tests move right by one, stars stay, a directory name ended by "/" goes back to its boundary.
      let carry = 0;
      for (let w = 0; w < words; w++) {
        const live = current[w];
        const moved = live & forward[w];
        next[w] = (moved << 1) | carry | (live & stay[w]);
        carry = moved >>> 31;
      }
      if (slash && this.hasBack) {
        for (let w = 0; w < words; w++) {
          const back = current[w] & backOnSlash[w];
          next[w] |= back >>> 1;
          if (w > 0) next[w - 1] |= back << 31;
        }
        work += words;
      }
      // Without consuming: boundaries skip their two states, then each run of nullable states is filled.
      let skipCarry = 0;
      let fillCarry = 0;
      let any = 0;
      for (let w = 0; w < words; w++) {
        let bits = next[w];
        const skipping = bits & boundary[w];
        bits |= (skipping << 2) | skipCarry;
        skipCarry = skipping >>> 30;
        const run = fill[w];
        const sum = ((bits & run) >>> 0) + run + fillCarry;
        fillCarry = sum > 0xffff_ffff ? 1 : 0;
        bits |= (sum >>> 0) ^ run;
        next[w] = bits;
        any |= bits;
      }
      work += 2 * words;
      if (any === 0) {
        alive = false;
        break;
      }
      if (jumpy) {
        // What the jumps add depends only on which sources are live: a pattern repeated under stars keeps the
        // same few sets of live sources step after step, so their unions are remembered (a few, most recent first).
        let hash = 0;
        for (let k = 0; k < sourceWords.length; k++) {
          const live = next[sourceWords[k]] & sources[sourceWords[k]];
          hits[k] = live;
          hash = (Math.imul(hash, 31) + live) | 0;
        }
        work += sourceWords.length;
        let found = -1;
        for (let e = 0; e < JUMP_MEMO && found < 0; e++) {
          const slot = (this.memoNext + JUMP_MEMO - 1 - e) % JUMP_MEMO;
          if (this.memoHash[slot] !== hash) continue;
          const seen = this.memoHits[slot];
          let same = true;
          for (let k = 0; k < hits.length && same; k++) same = seen[k] === hits[k];
          work += hits.length;
          if (same) found = slot;
        }
        if (found < 0) {
          work += this.addJumps();
          found = this.memoNext;
          this.memoNext = (found + 1) % JUMP_MEMO;
          this.memoHits[found].set(hits);
          this.memoHash[found] = hash;
          this.memoJumps[found].set(covered);
          work += words + hits.length;
        }
        const jump = this.memoJumps[found];
        for (let w = 0; w < words; w++) next[w] |= jump[w];
        work += words;
      }
      const swap = current;
      current = next;
      next = swap;
    }
    this.current = current;
    this.next = next;
    this.work = work + this.built;
    return alive && ((current[this.accept >>> 5] >>> (this.accept & 31)) & 1) === 1;
  }
}
