// Byte-range rules shared by every backend, so a range means the same thing on disk and in S3.
import { InvalidInputError } from '../errors.js';
import type { ByteRange } from './types.js';

/**
 * Checked before any I/O: S3 silently ignores a malformed Range header and returns the whole
 * object with 200, which would turn a caller's bug into a large, quiet download.
 */
export function assertValidRange(range: ByteRange, key?: string): void {
  if ('suffix' in range) {
    if (!Number.isSafeInteger(range.suffix) || range.suffix <= 0)
      throw new InvalidInputError(`suffix range must be a positive integer, got ${range.suffix}`, { key });
    return;
  }
  if (!Number.isSafeInteger(range.start) || range.start < 0)
    throw new InvalidInputError(`range start must be a non-negative integer, got ${range.start}`, { key });
  if (range.end !== undefined && (!Number.isSafeInteger(range.end) || range.end < range.start)) {
    throw new InvalidInputError(`range end must be an integer ≥ start (${range.start}), got ${range.end}`, { key });
  }
}

/** The HTTP Range header value for a (valid) range. */
export function rangeHeader(range: ByteRange): string {
  if ('suffix' in range) return `bytes=-${range.suffix}`;
  return `bytes=${range.start}-${range.end ?? ''}`;
}

/**
 * The inclusive byte span a range selects from an object of `size` bytes, as S3 computes it:
 * an end past the object is clamped, a suffix longer than the object means all of it, and a
 * range that selects nothing (start at or past the end, or an empty object) is unsatisfiable.
 */
export function resolveRange(range: ByteRange, size: number, key?: string): { start: number; end: number } {
  if (size > 0) {
    if ('suffix' in range) return { start: Math.max(0, size - range.suffix), end: size - 1 };
    if (range.start < size) return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
  }
  throw new InvalidInputError(
    `range ${rangeHeader(range).slice(6)} is not satisfiable for an object of ${size} bytes`,
    { key, backendCode: 'InvalidRange' },
  );
}

/** Parses `Content-Range: bytes 0-99/1234` into the span and the object's full size. */
export function parseContentRange(
  header: string | undefined,
): { start: number; end: number; size: number } | undefined {
  const m = header ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), size: m[3] === '*' ? Number.NaN : Number(m[3]) };
}
