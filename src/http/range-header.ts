// The Range request header of RFC 9110 §14.2, reduced to the one byte range /files serves.

import type { ByteRange } from '../lake/store/types.js';

/** Longer headers are not parsed at all: a single range needs well under 64 characters. */
const MAX_RANGE_HEADER = 200;

/**
 * The single byte range a header asks for, or undefined when the header is to be ignored, as
 * RFC 9110 §14.2 lets a server do with a range unit it does not know, a syntactically invalid
 * range set, or several ranges (we do not build multipart/byteranges answers): the client then
 * gets the whole representation with 200, never an error for a header it was free to send.
 *
 * Positions too large for a safe integer still name a real position: an end that large is
 * clamped like any other end past the object, a start that large is past every object (416).
 */
export function parseRangeHeader(header: string): ByteRange | undefined {
  if (header.length > MAX_RANGE_HEADER) return undefined;
  const m = /^[ \t]*bytes[ \t]*=[ \t]*([0-9]*)-([0-9]*)[ \t]*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = toPosition(m[2]);
    // `bytes=-0` selects nothing (§14.1.3): unsatisfiable, spelled as a start past every object.
    return suffix === 0 ? { start: Number.MAX_SAFE_INTEGER } : { suffix };
  }
  const start = toPosition(m[1]);
  if (m[2] === '') return { start };
  const end = toPosition(m[2]);
  // last-pos < first-pos makes the range-spec invalid (§14.1.2): ignored, like any invalid spec.
  if (end < start) return undefined;
  return { start, end };
}

/** Decimal digits as a safe integer, saturating: no real object has 2^53 bytes. */
function toPosition(digits: string): number {
  const trimmed = digits.replace(/^0+(?=\d)/, '');
  if (trimmed.length > 15) return Number.MAX_SAFE_INTEGER;
  return Number(trimmed);
}
