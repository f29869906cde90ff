// Seeded generators of hostile tickers, keys and paths, and a filesystem snapshot to prove nothing outside a root changed.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { mulberry32, type Rng } from '../../src/lake/demo/prng.js';

/** Pieces attackers and broken clients send: traversal, absolute paths, encodings, look-alikes, controls. */
export const ATOMS = [
  // traversal and its spellings
  '..',
  '.',
  '...',
  '../',
  '..\\',
  './',
  '%2e%2e',
  '%2E%2E',
  '%2e%2e%2f',
  '..%2f',
  '..%5c',
  '%252e%252e%252f',
  '.%2e',
  '%2e.',
  '..;',
  '..%00',
  '..%c0%af',
  '%c0%ae%c0%ae',
  // absolute and foreign roots
  '/',
  '//',
  '/etc/passwd',
  '/proc/self/environ',
  'C:\\Windows\\win.ini',
  'C:',
  '\\\\server\\share',
  'file:///etc/passwd',
  '~',
  '~root',
  '$HOME',
  // controls
  '\0',
  '%00',
  '\n',
  '\r',
  '\t',
  '\x7f',
  '\x1b[2J',
  // unicode look-alikes of "." and "/" and of tickers
  '\u2024',
  '\u2025',
  '\uFF0E',
  '\uFE52',
  '\u3002',
  '\u2215',
  '\u2044',
  '\uFF0F',
  '\u29F8',
  '\uFF3C',
  '\u0430\u0430pl',
  '\u0391\u0391PL',
  'A\u200BAPL',
  '\u202Eparquet',
  'A\u0307',
  'ﬀ',
  'ß',
  'İ',
  'ı',
  // reserved and odd names
  '.lakeql',
  '.lakeql/tmp',
  'CON',
  'NUL',
  'aux.txt',
  ' ',
  '  AAPL  ',
  '-',
  '.hidden',
  'data',
  'ticks',
  'daily',
  'minute',
  'fundamental',
  // valid pieces, so some generated keys are real and reach the store
  'AAPL',
  'BRK.B',
  'BF-B',
  'MSFT',
  '2024',
  '1899',
  '2101',
  '01',
  '13',
  'ticks.parquet',
  'Q1.json',
  'Q5.json',
  // links planted in the lake by the tests
  'EVIL',
  'evil.parquet',
  'LOOP',
];

const CHARS = 'ABCZaz09._-/\\%:*?"<>|~ \u00e9\u00df\u0130\u2024\uFF0E\u202E\u0000\u001f\uD83D\uDE00';
const SEPARATORS = ['/', '/', '/', '\\', '//', '', '/./', '%2f'];

export function rng(seed: number): Rng {
  return mulberry32(seed);
}

function pick<T>(r: Rng, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)];
}

/** One hostile string: atoms and random characters joined by path-ish separators; sometimes very long. */
export function hostileString(r: Rng): string {
  const shape = r();
  if (shape < 0.05) return pick(r, ['A', 'x', '../', '\u00df', '%2e']).repeat(1 + Math.floor(r() * 3000));
  if (shape < 0.15) return Array.from({ length: 1 + Math.floor(r() * 12) }, () => pick(r, [...CHARS])).join('');
  const parts = Array.from({ length: 1 + Math.floor(r() * 8) }, () =>
    r() < 0.8 ? pick(r, ATOMS) : pick(r, [...CHARS]).repeat(1 + Math.floor(r() * 300)),
  );
  let out = parts[0];
  for (const part of parts.slice(1)) out += pick(r, SEPARATORS) + part;
  return r() < 0.1 ? pick(r, ['/', '\\', '../', './', 'data/ticks/daily/']) + out : out;
}

/** Keys shaped like the lake's own, with one or two segments replaced by hostile ones. */
export function hostileKey(r: Rng): string {
  if (r() < 0.4) return hostileString(r);
  const segments = pick(r, [
    ['data', 'ticks', 'daily', 'AAPL', '2024', 'ticks.parquet'],
    ['data', 'ticks', 'minute', 'MSFT', '2024', '01', 'ticks.parquet'],
    ['data', 'fundamental', 'BRK.B', '2023', 'Q1.json'],
    ['data', 'corporate-actions', 'NVDA', '2024', 'actions.json'],
    ['data', 'ticks', 'daily', 'EVIL', 'sentinel-outside.txt'],
    ['data', 'evil.parquet'],
    ['data', 'LOOP', 'LOOP', 'ticks.parquet'],
  ]);
  const out = [...segments];
  for (let n = 1 + Math.floor(r() * 2); n > 0; n--)
    out[Math.floor(r() * out.length)] = r() < 0.7 ? pick(r, ATOMS) : hostileString(r);
  return out.join(r() < 0.9 ? '/' : pick(r, SEPARATORS));
}

export function hostileNumber(r: Rng): number {
  return pick(r, [
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    -1,
    0.5,
    1899,
    1900,
    2024,
    2100,
    2101,
    2024.5,
    1e21,
    Number.MAX_SAFE_INTEGER,
    13,
    5,
    4,
    1,
    12,
  ]);
}

/**
 * Every entry under `dir` (not following links), with type, size, mtime and a hash of file
 * contents, skipping `exclude` (the lake root itself, whose contents the store may change).
 */
export async function snapshot(dir: string, exclude: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const visit = async (at: string): Promise<void> => {
    for (const name of await fs.readdir(at)) {
      const full = path.join(at, name);
      if (full === exclude) continue;
      const stats = await fs.lstat(full);
      let detail = `${stats.mode}:${stats.size}:${stats.mtimeMs}`;
      if (stats.isFile())
        detail += `:${createHash('sha256')
          .update(await fs.readFile(full))
          .digest('hex')}`;
      if (stats.isSymbolicLink()) detail += `:${await fs.readlink(full)}`;
      out.set(full, detail);
      if (stats.isDirectory()) await visit(full);
    }
  };
  await visit(dir);
  return out;
}
