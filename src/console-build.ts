// Builds the web console with Vite when console/dist is missing or older than its sources, so `npm start` needs no extra step.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** console/ beside src/ or dist/. */
export const CONSOLE_ROOT = fileURLToPath(new URL('../console/', import.meta.url));

export type ConsoleBuild =
  | { status: 'fresh' }
  | { status: 'built'; ms: number }
  /** No sources and no build (a trimmed install), or no vite (production dependencies only). */
  | { status: 'unavailable'; reason: string };

export interface ConsoleBuildOptions {
  root?: string;
  log?: (message: string) => void;
  /** Build even when dist looks fresh. */
  force?: boolean;
}

const STAMP = '.built';
/** A lock older than this was left by a crashed build. */
const STALE_LOCK_MS = 5 * 60_000;

export async function ensureConsoleBuilt(options: ConsoleBuildOptions = {}): Promise<ConsoleBuild> {
  const root = options.root ?? CONSOLE_ROOT;
  const log = options.log ?? (() => {});
  if (!(await exists(root))) return { status: 'unavailable', reason: `no console folder at ${root}` };
  const lock = path.join(root, '.build-lock');
  // Two processes starting at once (tests, a second server) must not write the same folder.
  await acquire(lock);
  try {
    const reason = await whyBuild(root);
    if (reason === undefined && !options.force) return { status: 'fresh' };
    if (reason === 'no-sources') {
      return (await exists(path.join(root, 'dist', 'index.html')))
        ? { status: 'fresh' }
        : { status: 'unavailable', reason: `no console sources in ${root}` };
    }
    let vite: typeof import('vite');
    try {
      vite = await import('vite');
    } catch {
      return {
        status: 'unavailable',
        reason: 'vite is not installed (production dependencies only); build the console where dev dependencies are',
      };
    }
    log(`building the web console (${reason ?? 'forced'})`);
    const started = Date.now();
    const tmp = path.join(root, `.dist-${process.pid}-${started}`);
    try {
      await vite.build({
        root,
        configFile: path.join(root, 'vite.config.ts'),
        logLevel: 'warn',
        build: { outDir: tmp, emptyOutDir: true },
      });
      await writeFile(path.join(tmp, STAMP), String(started));
      await swap(tmp, path.join(root, 'dist'));
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return { status: 'built', ms: Date.now() - started };
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Undefined when dist is at least as new as every source; else why it is not. */
async function whyBuild(root: string): Promise<string | undefined> {
  const sources = await newestSource(root);
  if (sources === undefined) return 'no-sources';
  const stamp = Number(await readFile(path.join(root, 'dist', STAMP), 'utf8').catch(() => NaN));
  if (!Number.isFinite(stamp)) return 'not built yet';
  return sources > stamp ? 'sources changed' : undefined;
}

/** Newest mtime of the console's sources and of the lockfile (a dependency upgrade changes the bundle). */
async function newestSource(root: string): Promise<number | undefined> {
  if (!(await exists(path.join(root, 'src')))) return undefined;
  let newest = 0;
  const visit = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await visit(full);
      else newest = Math.max(newest, (await stat(full)).mtimeMs);
    }
  };
  await visit(path.join(root, 'src'));
  for (const file of ['index.html', 'vite.config.ts', 'tsconfig.json', '../package-lock.json']) {
    const s = await stat(path.join(root, file)).catch(() => undefined);
    if (s) newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
}

/** Readers see the old build or the new one, never half of one: rename is atomic, only the brief gap between the two has no folder. */
async function swap(fresh: string, dist: string): Promise<void> {
  const old = `${dist}.old-${process.pid}`;
  const hadOld = await rename(dist, old).then(
    () => true,
    () => false,
  );
  await rename(fresh, dist);
  if (hadOld) await rm(old, { recursive: true, force: true });
}

async function acquire(lock: string): Promise<void> {
  for (;;) {
    try {
      await mkdir(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
