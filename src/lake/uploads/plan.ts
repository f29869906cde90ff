// Turns a backfill request into a plan: which files, to which keys, and which ones SKIP_EXISTING or SYNC leave alone.
import path from 'node:path';
import { CancelledError, isLakeError } from '../errors.js';
import type { PlanEntry } from '../jobs/types.js';
import { forEachBounded } from '../parallel.js';
import { listAll } from '../store/helpers.js';
import { assertValidKey } from '../store/keys.js';
import { MARKER_PREFIX } from '../store/own-uploads.js';
import type { ObjectMeta, ObjectStore } from '../store/types.js';
import { sameContent } from './checksum.js';
import { pathFilter } from './glob.js';
import { resolveInside, toPosix } from './paths.js';
import { isRefused, walkSource, type SourceFile } from './walk.js';

export type BackfillMode = 'OVERWRITE' | 'SKIP_EXISTING' | 'SYNC';

export interface BackfillRequest {
  /** Directory below the upload root (relative to it, or absolute inside it). */
  source: string;
  /** Key prefix; by default the source's path below the upload root, as the seed mirrors `data/ticks/daily`. */
  prefix?: string;
  include?: string[];
  exclude?: string[];
  mode?: BackfillMode;
}

export interface PlannedFile extends SourceFile, PlanEntry {}

export interface Plan {
  sourceDir: string;
  prefix: string;
  files: PlannedFile[];
  /** Files that cannot be uploaded at all (links out of the root, names that are not valid keys). */
  refused: { path: string; key: string; message: string }[];
}

/** The seed's rglob('*.parquet'): what a backfill takes when no include pattern is given. */
export const DEFAULT_INCLUDE = ['*.parquet'];

export async function planBackfill(
  store: ObjectStore,
  uploadRoot: string,
  request: BackfillRequest,
  partSize: number,
  signal?: AbortSignal,
): Promise<Plan> {
  const realRoot = await resolveInside(uploadRoot, '.', 'the upload root');
  const sourceDir = await resolveInside(uploadRoot, request.source, 'source');
  const prefix = (request.prefix ?? toPosix(path.relative(realRoot, sourceDir))).replace(/^\/+|\/+$/g, '');
  if (prefix !== '') assertValidKey(prefix);
  const filter = pathFilter(request.include?.length ? request.include : DEFAULT_INCLUDE, request.exclude);
  const files: PlannedFile[] = [];
  const refused: Plan['refused'] = [];
  for await (const entry of walkSource(realRoot, sourceDir, filter, signal)) {
    // The seed's key: f"{s3_prefix}/{relative_path}".
    const key = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
    if (isRefused(entry)) {
      refused.push({ path: entry.path, key, message: entry.message });
      continue;
    }
    const problem = keyProblem(key);
    if (problem) refused.push({ path: entry.path, key, message: problem });
    else files.push({ ...entry, key, action: 'UPLOAD' });
  }
  const mode = request.mode ?? 'OVERWRITE';
  if (mode !== 'OVERWRITE' && files.length > 0) await markSkips(store, prefix, files, mode, partSize, signal);
  return { sourceDir, prefix, files, refused };
}

function keyProblem(key: string): string | undefined {
  try {
    assertValidKey(key);
  } catch (error) {
    return isLakeError(error) ? error.message : String(error);
  }
  if (key.startsWith(`${MARKER_PREFIX.split('/')[0]}/`))
    return `keys under "${MARKER_PREFIX.split('/')[0]}/" are lakeql's own`;
  return undefined;
}

/** One listing of the prefix answers "exists" for every file; SYNC then compares size and checksum. */
async function markSkips(
  store: ObjectStore,
  prefix: string,
  files: PlannedFile[],
  mode: BackfillMode,
  partSize: number,
  signal?: AbortSignal,
): Promise<void> {
  const existing = new Map<string, ObjectMeta>();
  for await (const object of listAll(store, { prefix: prefix === '' ? '' : `${prefix}/` }))
    existing.set(object.key, object);
  const candidates = files.filter((f) => existing.has(f.key));
  await forEachBounded(
    candidates,
    8,
    async (file) => {
      const meta = existing.get(file.key)!;
      if (mode === 'SKIP_EXISTING') {
        file.action = 'SKIP';
        file.reason = 'exists';
      } else if (meta.size === file.size && (await sameContent(store, file.real, meta, partSize, signal))) {
        file.action = 'SKIP';
        file.reason = 'unchanged';
      }
    },
    { signal },
  );
  if (signal?.aborted) throw new CancelledError('planning cancelled');
}
