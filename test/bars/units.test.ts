// Unit tests of the pieces under the bars: New York dates, buckets, cursors, the byte-bounded LRU, ISO parsing, the Thrift footer reader.
import { describe, expect, it } from 'vitest';
import { ByteLru } from '../../src/lake/bars/cache.js';
import { newYorkDay, newYorkDayStart, newYorkOffset } from '../../src/lake/calendar/new-york.js';
import { decodeBarCursor, encodeBarCursor } from '../../src/lake/bars/page.js';
import { bucketOf } from '../../src/lake/bars/timeframe.js';
import { InvalidInputError } from '../../src/lake/errors.js';
import { parseIsoTime } from '../../src/lake/parquet/decode-arrow.js';
import { readStruct, ThriftError } from '../../src/lake/parquet/thrift.js';

const ms = (iso: string) => Date.parse(iso);
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe('New York dates', () => {
  it('follows DST: offsets and the date of instants around both 2024 switches', () => {
    expect(newYorkOffset(ms('2024-03-10T06:59:00Z'))).toBe(-5 * 3_600_000);
    expect(newYorkOffset(ms('2024-03-10T07:00:00Z'))).toBe(-4 * 3_600_000);
    expect(newYorkOffset(ms('2024-11-03T05:59:00Z'))).toBe(-4 * 3_600_000);
    expect(newYorkOffset(ms('2024-11-03T06:00:00Z'))).toBe(-5 * 3_600_000);
    expect(newYorkDay(ms('2024-01-31T04:59:00Z'))).toBe(day('2024-01-30'));
    expect(newYorkDay(ms('2024-01-31T05:00:00Z'))).toBe(day('2024-01-31'));
    expect(newYorkDay(ms('2024-07-01T03:59:00Z'))).toBe(day('2024-06-30'));
    expect(newYorkDay(ms('2024-07-01T04:00:00Z'))).toBe(day('2024-07-01'));
  });

  it('agrees with Intl for every hour of 2023–2025 and older rule years', () => {
    const format = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/New_York',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    for (const [from, to] of [
      ['2023-01-01', '2026-01-01'],
      ['1999-01-01', '2000-01-01'],
    ]) {
      for (let t = ms(`${from}T00:30:00Z`); t < ms(`${to}T00:00:00Z`); t += 3_600_000) {
        expect(newYorkDay(t)).toBe(day(format.format(t)));
      }
    }
  });

  it('finds the first instant of a New York date', () => {
    expect(newYorkDayStart(day('2024-01-15'))).toBe(ms('2024-01-15T05:00:00Z'));
    expect(newYorkDayStart(day('2024-07-15'))).toBe(ms('2024-07-15T04:00:00Z'));
    expect(newYorkDayStart(day('2024-03-10'))).toBe(ms('2024-03-10T05:00:00Z'));
    expect(newYorkDayStart(day('2024-11-03'))).toBe(ms('2024-11-03T04:00:00Z'));
  });
});

describe('buckets', () => {
  it('weeks start on Monday; periods are labelled by their first calendar date', () => {
    expect(bucketOf('WEEK', 0, day('2024-03-10')).start).toBe(day('2024-03-04')); // a Sunday
    expect(bucketOf('WEEK', 0, day('2024-03-11')).start).toBe(day('2024-03-11')); // a Monday
    expect(bucketOf('WEEK', 0, day('1970-01-01'))).toEqual({ start: day('1969-12-29'), end: day('1970-01-05') });
    expect(bucketOf('MONTH', 0, day('2024-02-29'))).toEqual({ start: day('2024-02-01'), end: day('2024-03-01') });
    expect(bucketOf('QUARTER', 0, day('2024-06-30'))).toEqual({ start: day('2024-04-01'), end: day('2024-07-01') });
    expect(bucketOf('YEAR', 0, day('2024-12-31'))).toEqual({ start: day('2024-01-01'), end: day('2025-01-01') });
    expect(bucketOf('MINUTE', ms('2024-03-08T14:31:42.5Z'), 0).start).toBe(ms('2024-03-08T14:31:00Z'));
    expect(bucketOf('DAY', ms('2024-03-08T14:31:42Z'), day('2024-03-08')).start).toBe(day('2024-03-08'));
  });
});

describe('cursors', () => {
  it('round-trip and are refused for another timeframe or when forged', () => {
    const cursor = encodeBarCursor('WEEK', day('2024-03-04'));
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeBarCursor(cursor, 'WEEK')).toBe(day('2024-03-04'));
    expect(() => decodeBarCursor(cursor, 'DAY')).toThrow(InvalidInputError);
    expect(() => decodeBarCursor('bars:v1:WEEK:1', 'WEEK')).toThrow(/not a cursor/);
    expect(() => decodeBarCursor(Buffer.from('bars:v1:SECOND:5').toString('base64url'), 'WEEK')).toThrow(
      /not a cursor/,
    );
  });
});

describe('ByteLru', () => {
  it('evicts least recently used entries to stay within its bytes, and skips values above the budget', () => {
    const lru = new ByteLru<string>(100);
    lru.set('a', 'A', 40);
    lru.set('b', 'B', 40);
    expect(lru.get('a')).toBe('A'); // a is now the most recent
    lru.set('c', 'C', 40);
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c'), lru.bytes]).toEqual(['A', 'C', 80]);
    lru.set('huge', 'H', 101);
    expect([lru.get('huge'), lru.size]).toEqual([undefined, 2]);
    lru.set('a', 'A2', 10);
    expect([lru.get('a'), lru.bytes]).toEqual(['A2', 50]);
    lru.deletePrefix('a');
    expect([lru.size, lru.bytes]).toEqual([1, 40]);
  });
});

describe('ISO time strings', () => {
  it('reads dates, times with and without zones, and refuses the rest', () => {
    expect(parseIsoTime('2024-03-08')).toBe(day('2024-03-08'));
    expect(parseIsoTime('2024-03-08T14:30:00Z')).toBe(ms('2024-03-08T14:30:00Z'));
    expect(parseIsoTime('2024-03-08 14:30')).toBe(ms('2024-03-08T14:30:00Z'));
    expect(parseIsoTime('2024-03-08T09:30:00.123456-05:00')).toBe(ms('2024-03-08T14:30:00.123Z'));
    expect(parseIsoTime('2024-03-08T15:30:00+0100')).toBe(ms('2024-03-08T14:30:00Z'));
    for (const bad of ['2024-02-30', '2024-13-01', 'yesterday', '2024-03-08T25:00:00Z', ''])
      expect(parseIsoTime(bad), bad).toBeNaN();
  });
});

describe('Thrift compact protocol', () => {
  it('reads nested structs, lists, binaries and zigzag integers', () => {
    // struct { 1: i32 = -3, 2: binary "ab", 3: list<i64> [1, 300], 5: struct { 1: bool true }, 6: bool false }
    const bytes = Uint8Array.from([
      0x15, 0x05, 0x18, 0x02, 0x61, 0x62, 0x19, 0x26, 0x02, 0xd8, 0x04, 0x2c, 0x11, 0x00, 0x12, 0x00,
    ]);
    const { value, end } = readStruct(bytes);
    expect(value.get(1)).toBe(-3);
    expect(new TextDecoder().decode(value.get(2) as Uint8Array)).toBe('ab');
    expect(value.get(3)).toEqual([1, 300]);
    expect((value.get(5) as Map<number, unknown>).get(1)).toBe(true);
    expect(value.get(6)).toBe(false);
    expect(end).toBe(bytes.length);
  });

  it('refuses truncated input and absurd sizes instead of reading past the end', () => {
    expect(() => readStruct(Uint8Array.from([0x18, 0x05, 0x61]))).toThrow(ThriftError);
    expect(() => readStruct(Uint8Array.from([0x19, 0xf6, 0xff, 0xff, 0xff, 0x0f]))).toThrow(ThriftError);
  });
});
