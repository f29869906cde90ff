// Lists the files of a backfill source: sorted, filtered, and never through a link that leaves the upload root.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PathFilter } from './glob.js';
import { isInside, toPosix } from './paths.js';

export interface SourceFile {
  /** Relative to the source directory, "/"-separated. */
  path: string;
  /** The real path the bytes are read from. */
  real: string;
  size: number;
  /** Identity at planning time: the file opened for upload must be this one (no swap-in of a link). */
  dev: number;
  ino: number;
}

export interface RefusedFile {
  path: string;
  message: string;
}

/** The longest the walk keeps the event loop before letting other work run. */
const SLICE_MS = 10;

/**
 * Depth first, names in code-point order, so plans are reproducible. Synchronous calls in
 * time slices, yielding to the event loop between them: a stat costs a few microseconds, a
 * thread-pool round trip for it several times that, and a plan stats every file. Slices are
 * measured, not counted, because a name's filter decision can cost far more than a stat. Symbolic links to files
 * inside the upload root are followed; links to directories are not (no cycles, no surprises);
 * links leading out of the root are refused by name.
 */
export async function* walkSource(
  uploadRoot: string,
  source: string,
  filter: PathFilter,
  signal?: AbortSignal,
): AsyncGenerator<SourceFile | RefusedFile> {
  const stack: string[] = [source];
  let sliceStart = performance.now();
  const pause = async () => {
    if (performance.now() - sliceStart < SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  };
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const dir = stack.pop()!;
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    const subdirs: string[] = [];
    for (const entry of entries) {
      await pause();
      const full = path.join(dir, entry.name);
      const relative = toPosix(path.relative(source, full));
      if (entry.isDirectory()) {
        subdirs.push(full);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      if (!filter(relative)) continue;
      let real = full;
      if (entry.isSymbolicLink()) {
        real = realpathOrEmpty(full);
        if (real === '') {
          yield { path: relative, message: 'a symbolic link whose target does not exist' };
          continue;
        }
        if (!isInside(uploadRoot, real)) {
          yield { path: relative, message: 'a symbolic link leading outside the upload root' };
          continue;
        }
      }
      const stats = statSync(real, { throwIfNoEntry: false });
      if (!stats?.isFile()) continue;
      yield { path: relative, real, size: stats.size, dev: stats.dev, ino: stats.ino };
    }
    // Reversed onto the stack so directories are visited in name order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
}

function realpathOrEmpty(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return '';
  }
}

export function isRefused(entry: SourceFile | RefusedFile): entry is RefusedFile {
  return 'message' in entry;
}
