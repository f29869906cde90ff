// Include/exclude patterns for backfills: a small, documented glob dialect compiled to regular expressions.
import { InvalidInputError } from '../errors.js';

/**
 * Patterns match the file's path relative to the backfill source, with "/" separators:
 * `*` any run of characters except "/", `?` one such character, `**` any number of whole
 * directories, `[abc]` / `[a-z]` / `[!a-z]` a class, `{a,b}` alternatives. A pattern with no
 * "/" matches the file name at any depth (as `rglob('*.parquet')` in the seed does).
 */
export function compileGlob(pattern: string): RegExp {
  if (pattern.length === 0 || pattern.length > 1000) throw new InvalidInputError(`glob "${pattern.slice(0, 40)}" must be 1–1000 characters`);
  const anchored = pattern.includes('/') ? pattern.replace(/^\/+/, '') : `**/${pattern}`;
  let out = '';
  let braces = 0;
  for (let i = 0; i < anchored.length; i++) {
    const c = anchored[i];
    if (c === '*') {
      if (anchored[i + 1] === '*') {
        const before = i === 0 || anchored[i - 1] === '/';
        const after = anchored[i + 2] === '/' || i + 2 === anchored.length;
        if (before && after) {
          // `**/` is zero or more directories; a trailing `**` is everything below.
          out += i + 2 === anchored.length ? '.*' : '(?:[^/]+/)*';
          i += anchored[i + 2] === '/' ? 2 : 1;
          continue;
        }
      }
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = anchored.indexOf(']', i + 2);
      if (end < 0) throw new InvalidInputError(`glob "${pattern}" has an unclosed "["`);
      let body = anchored.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^/' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) {
      out += '|';
    } else {
      out += c.replace(/[.+^$()|\\{}]/g, '\\$&');
    }
  }
  if (braces !== 0) throw new InvalidInputError(`glob "${pattern}" has an unclosed "{"`);
  return new RegExp(`^${out}$`, 'u');
}

export interface PathFilter {
  (relative: string): boolean;
}

/** Included when some include pattern matches (all files when there are none) and no exclude pattern does. */
export function pathFilter(include: readonly string[] | undefined, exclude: readonly string[] | undefined): PathFilter {
  const inc = (include ?? []).map(compileGlob);
  const exc = (exclude ?? []).map(compileGlob);
  return (relative) => (inc.length === 0 || inc.some((r) => r.test(relative))) && !exc.some((r) => r.test(relative));
}
