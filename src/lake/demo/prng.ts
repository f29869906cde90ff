// Deterministic randomness for the demo lake: counter-based hashing (same inputs, same numbers, any order) plus mulberry32 streams.

/** The seed of the shipped demo lake; changing it changes every byte. */
export const DEMO_SEED = 20_210_104;

/** lowbias32 finaliser (Chris Wellons): full avalanche in a few integer ops, identical on every JS engine. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A 32-bit hash of a list of integers; order matters. */
export function hashInts(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) h = mix32((h + mix32(v | 0)) ^ Math.imul(h, 31));
  return h;
}

/** FNV-1a over UTF-16 code units, then mixed: a stable number per ticker. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/** Uniform in (0, 1), never 0, so it is safe under a log. */
export function unit(hash: number): number {
  return ((hash >>> 0) + 0.5) / 4_294_967_296;
}

export type Rng = () => number;

/** mulberry32: a tiny sequential generator of uniforms in (0, 1), for streams of many draws (minute paths). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4_294_967_296;
  };
}

/** A standard normal from two uniforms (Box–Muller, cosine branch). */
export function gaussian(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function normal(rng: Rng): number {
  return gaussian(rng(), rng());
}

export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
