// ListObjectsV2 semantics over a directory tree: UTF-8 key order, prefix, delimiter, pages and tokens.
import type { Dirent } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from '../../errors.js';
import { compareKeys, MAX_KEY_BYTES } from '../keys.js';
import type { NormalizedListOptions } from '../list-options.js';
import { translateFsError } from './errors.js';
import { etagOf, INTERNAL_DIR, type LocalFs, mtimeOf } from './fs.js';
import type { ListPage, ObjectMeta } from '../types.js';

/** What the walker must skip right now; the page builder widens it as it rolls keys up. */
interface WalkState {
  skipPrefix?: string;
}

interface Entry {
  /** The name as it sorts among its siblings: directories as "name/", because every key below starts so. */
  sortKey: Buffer;
  rel: string;
  dir: boolean;
  /** For symlinks: the resolved target, already checked to be inside the lake. */
  target?: string;
}

/** A key the walk found, not yet stat-ed. */
interface Candidate {
  key: string;
  /** Where to stat it: the file, or for a link its resolved target (already checked to be in the lake). */
  path: string;
  link: boolean;
}

/** Continuation tokens say where the last page stopped: after a key, or after everything under a common prefix. */
interface Token {
  after: string;
  prefix: boolean;
}

export function encodeToken(token: Token): string {
  return Buffer.from(JSON.stringify({ a: token.after, p: token.prefix ? 1 : 0 }), 'utf8').toString('base64url');
}

export function decodeToken(text: string): Token {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { a?: unknown; p?: unknown };
    if (typeof parsed.a === 'string') return { after: parsed.a, prefix: parsed.p === 1 };
  } catch {
    // fall through
  }
  throw new InvalidInputError('continuationToken was not issued by this store', { store: 'local' });
}

/**
 * Up to this many stats in flight while a listing walks on: each is a thread-pool round trip,
 * and overlapping them is most of what makes a listing cheap. Listings that roll keys up (a
 * delimiter) walk strictly in step instead, so that no subtree they skip is read.
 */
const STATS_AHEAD = 8;

export async function listLocal(local: LocalFs, options: NormalizedListOptions): Promise<ListPage> {
  const realRoot = await local.realRoot();
  const { prefix, delimiter, maxKeys } = options;
  const token = options.continuationToken === undefined ? undefined : decodeToken(options.continuationToken);
  const state: WalkState = { skipPrefix: token?.prefix ? token.after : undefined };
  const after = token?.after ?? options.startAfter;
  const page: ListPage = { objects: [], commonPrefixes: [] };
  let last: Token | undefined;
  // Start at the deepest directory the prefix names outright; nothing outside it can match.
  const startDir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  if (startDir.split('/')[0] === INTERNAL_DIR) return page;
  // Linked directories are never descended (see readSorted), so a prefix running through one lists
  // nothing: starting the walk inside it would list whatever the link points at, outside the lake too.
  if (
    startDir !== '' &&
    (await fs.realpath(path.join(realRoot, startDir)).catch(() => undefined)) !== path.resolve(realRoot, startDir)
  )
    return page;
  const walked = walk(local, realRoot, startDir, { prefix, after, endBefore: options.endBefore }, state);
  // A page needs at most maxKeys + 1 objects (the last only says there are more): no stat beyond.
  const width = delimiter === undefined ? Math.min(STATS_AHEAD, maxKeys + 1) : 1;
  for await (const found of inOrder(walked, width, (candidate) => describe(candidate, prefix, delimiter))) {
    if (found === undefined) continue;
    if (page.objects.length + page.commonPrefixes.length === maxKeys) {
      page.nextContinuationToken = encodeToken(last!);
      break;
    }
    const rest = found.key.slice(prefix.length);
    const at = delimiter === undefined ? -1 : rest.indexOf(delimiter);
    if (at >= 0) {
      const common = prefix + rest.slice(0, at + delimiter!.length);
      page.commonPrefixes.push(common);
      // Keys under one common prefix are contiguous in key order: skip the rest of them unread.
      state.skipPrefix = common;
      last = { after: common, prefix: true };
    } else {
      page.objects.push(found.meta!);
      last = { after: found.key, prefix: false };
    }
  }
  return page;
}

/**
 * What a candidate key turns out to be: an object with its stats, a key that only needs to exist
 * (it rolls up into a common prefix), or nothing (gone since readdir, or a link to a directory).
 * Never rejects: inOrder runs it ahead of the consumer.
 */
async function describe(
  candidate: Candidate,
  prefix: string,
  delimiter: string | undefined,
): Promise<{ key: string; meta?: ObjectMeta } | undefined> {
  const { key } = candidate;
  // readdir's entry type already says a plain file is one; a link's target may be a directory, so links are always checked.
  if (delimiter !== undefined && !candidate.link && key.slice(prefix.length).includes(delimiter)) return { key };
  let stats;
  try {
    // lstat for plain files: one swapped for a link since readdir is skipped, not followed out of the lake.
    stats = candidate.link
      ? await fs.stat(candidate.path, { bigint: true })
      : await fs.lstat(candidate.path, { bigint: true });
  } catch {
    return undefined; // deleted since readdir: S3 listings are not snapshots either
  }
  if (!stats.isFile()) return undefined;
  return { key, meta: { key, size: Number(stats.size), etag: etagOf(stats), lastModified: mtimeOf(stats) } };
}

/** `fn` over `items` with up to `width` calls in flight, results in input order. `fn` must not reject. */
async function* inOrder<T, R>(items: AsyncIterable<T>, width: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  for await (const item of items) {
    pending.push(fn(item));
    if (pending.length >= width) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;
}

interface Bounds {
  prefix: string;
  after?: string;
  endBefore?: string;
}

/**
 * Yields candidate keys in UTF-8 byte order of their full keys. Sorting siblings by name is not
 * enough ("a-c" < "a/b" although the directory "a" sorts before the file "a-c"), so directories
 * sort as "name/". Subtrees that cannot hold a key matching the prefix, or one after `after`, or
 * one outside the current skip prefix, are never read; the walk ends at the first key at or past
 * `endBefore` (every key under a directory sorts after the directory's "name/"). Returns true
 * once it has ended so.
 */
async function* walk(
  local: LocalFs,
  realRoot: string,
  dir: string,
  bounds: Bounds,
  state: WalkState,
): AsyncGenerator<Candidate, boolean> {
  const { prefix, after, endBefore } = bounds;
  for (const entry of await readSorted(local, realRoot, dir)) {
    const rel = entry.rel;
    if (entry.dir) {
      if (!rel.startsWith(prefix) && !prefix.startsWith(rel)) continue;
      if (after !== undefined && !after.startsWith(rel) && compareKeys(rel, after) < 0) continue;
      if (endBefore !== undefined && compareKeys(rel, endBefore) >= 0) return true;
      if (state.skipPrefix !== undefined && rel.startsWith(state.skipPrefix)) continue;
      if (yield* walk(local, realRoot, rel, bounds, state)) return true;
      continue;
    }
    if (!rel.startsWith(prefix)) continue;
    if (after !== undefined && compareKeys(rel, after) <= 0) continue;
    if (endBefore !== undefined && compareKeys(rel, endBefore) >= 0) return true;
    if (state.skipPrefix !== undefined && rel.startsWith(state.skipPrefix)) continue;
    yield { key: rel, path: entry.target ?? path.join(realRoot, rel), link: entry.target !== undefined };
  }
  return false;
}

async function readSorted(local: LocalFs, realRoot: string, dir: string): Promise<Entry[]> {
  let dirents: Dirent<Buffer>[];
  try {
    dirents = await fs.readdir(path.join(realRoot, dir), { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw translateFsError(error, dir, 'list');
  }
  const entries: Entry[] = [];
  for (const dirent of dirents) {
    const name = dirent.name.toString('utf8');
    // Names that are not valid UTF-8, or not valid key segments, cannot be addressed by a key.
    if (!Buffer.from(name, 'utf8').equals(dirent.name) || !isKeySegment(name)) continue;
    if (dir === '' && name === INTERNAL_DIR) continue;
    const rel = dir + name;
    if (Buffer.byteLength(rel, 'utf8') > MAX_KEY_BYTES) continue;
    if (dirent.isDirectory()) {
      entries.push({ sortKey: Buffer.from(`${name}/`, 'utf8'), rel: `${rel}/`, dir: true });
    } else if (dirent.isFile()) {
      entries.push({ sortKey: dirent.name, rel, dir: false });
    } else if (dirent.isSymbolicLink()) {
      // Files linked from inside the lake are objects; links leaving it are not. Linked
      // directories are not descended: a link to an ancestor would make the walk endless.
      const target = await fs.realpath(path.join(realRoot, rel)).catch(() => undefined);
      if (target === undefined) continue;
      try {
        local.confined(realRoot, target, rel);
      } catch {
        continue;
      }
      entries.push({ sortKey: dirent.name, rel, dir: false, target });
    }
  }
  return entries.sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
}

function isKeySegment(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name !== '.' && name !== '..' && !/[\u0000-\u001f\u007f\\]/.test(name);
}
