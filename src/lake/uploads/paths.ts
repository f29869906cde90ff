// Confinement of server-side paths to the upload and download roots, symlinks included.
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError, NotFoundError, PermissionDeniedError } from '../errors.js';

export function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** The root's real path and `requested` resolved against it, refused when it names a place outside. */
async function underRoot(
  root: string,
  requested: string,
  what: string,
): Promise<{ realRoot: string; candidate: string }> {
  if (requested.includes('\0')) throw new InvalidInputError(`${what} contains a NUL byte`);
  const realRoot = await fs.realpath(root).catch(() => {
    throw new NotFoundError(`${what}: the root directory ${root} does not exist`);
  });
  const candidate = path.resolve(realRoot, requested);
  if (!isInside(realRoot, candidate)) throw new PermissionDeniedError(`${what} "${requested}" is outside ${root}`);
  return { realRoot, candidate };
}

/**
 * `requested` (relative to the root, or absolute) as a real path inside the root's real path.
 * Everything is resolved through symlinks first, so a link inside the root pointing out of it
 * is refused like `..` is. The path must exist.
 */
export async function resolveInside(root: string, requested: string, what: string): Promise<string> {
  const { realRoot, candidate } = await underRoot(root, requested, what);
  let real: string;
  try {
    real = await fs.realpath(candidate);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(`${what} "${requested}" does not exist`);
    throw new PermissionDeniedError(
      `${what} "${requested}" cannot be resolved: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  if (!isInside(realRoot, real))
    throw new PermissionDeniedError(`${what} "${requested}" leads outside ${root} through a symbolic link`);
  return real;
}

/**
 * Like resolveInside, but for a directory that may not exist yet: the deepest existing ancestor
 * must be inside the root (through links), and the missing rest is created below it.
 */
export async function ensureDirectoryInside(root: string, requested: string, what: string): Promise<string> {
  const { realRoot, candidate } = await underRoot(root, requested, what);
  const relative = path.relative(realRoot, candidate);
  let current = realRoot;
  for (const segment of relative === '' ? [] : relative.split(path.sep)) {
    const next = path.join(current, segment);
    await fs.mkdir(next).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST')
        throw new PermissionDeniedError(`cannot create ${what} "${requested}": ${error.code ?? error.message}`);
    });
    // Each step is resolved before the next is created in it, so a link can never carry us out.
    current = await fs.realpath(next);
    if (!isInside(realRoot, current))
      throw new PermissionDeniedError(`${what} "${requested}" leads outside ${root} through a symbolic link`);
    const stats = await fs.stat(current);
    if (!stats.isDirectory()) throw new InvalidInputError(`${what} "${requested}": ${segment} is not a directory`);
  }
  return current;
}

/**
 * Checks, without creating anything, that ensureDirectoryInside would succeed: the path is inside
 * the root and its deepest existing ancestor is a directory inside the root (through links).
 */
export async function checkDirectoryInside(root: string, requested: string, what: string): Promise<void> {
  const { realRoot, candidate } = await underRoot(root, requested, what);
  let existing = candidate;
  for (;;) {
    const real = await fs
      .realpath(existing)
      .catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (real !== undefined) {
      if (!isInside(realRoot, real))
        throw new PermissionDeniedError(`${what} "${requested}" leads outside ${root} through a symbolic link`);
      if (!(await fs.stat(real)).isDirectory())
        throw new InvalidInputError(
          `${what} "${requested}": ${path.relative(realRoot, existing) || '.'} is not a directory`,
        );
      return;
    }
    existing = path.dirname(existing);
  }
}

/** "a/b/c" with forward slashes, whatever the platform. */
export function toPosix(relative: string): string {
  return relative.split(path.sep).join('/');
}
