// Checks a backfill's source tick file on disk, before any byte is sent: the same checks as a single upload, from the file's head and footer.
import * as fs from 'node:fs/promises';
import { InvalidDataError } from '../errors.js';
import { parseKey } from '../layout.js';
import { parseFooter, type Footer } from '../parquet/footer.js';
import { checkFooter, MAX_FOOTER_BYTES, type TickTarget } from './validate.js';
import type { SourceFile } from './walk.js';

/** One read covers the footer of every ordinary tick file (a year of daily bars has a footer of a few KB). */
const FIRST_TAIL = 64 * 1024;
const MAGIC = Buffer.from('PAR1');

/** The tick target a key names, or undefined for keys that are not tick files (fundamentals, other writers' files). */
export function tickTargetOf(key: string): TickTarget | undefined {
  const parsed = parseKey(key);
  if (parsed?.kind !== 'ticks') return undefined;
  return parsed.resolution === 'MINUTE'
    ? { resolution: 'MINUTE', symbol: parsed.symbol, year: parsed.year, month: parsed.month }
    : { resolution: 'DAILY', symbol: parsed.symbol, year: parsed.year };
}

/**
 * Parquet magic at both ends, a footer that parses, the bar columns, and dates inside the year (or
 * month) the key names. A file small enough to be read whole is checked row by row when its footer
 * has no statistics, as single uploads are.
 */
export async function validateSourceTickFile(file: SourceFile, key: string, target: TickTarget): Promise<void> {
  const invalid = (message: string, cause?: unknown) => new InvalidDataError(`${key}: ${message}`, { key, cause });
  const handle = await fs.open(file.real, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 12) throw invalid('not a Parquet file (too short)');
    const read = async (start: number, length: number) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, start);
      return buffer.subarray(0, bytesRead);
    };
    if (!(await read(0, 4)).equals(MAGIC)) throw invalid('not a Parquet file (no PAR1 at the start)');
    let tail = await read(Math.max(0, size - FIRST_TAIL), Math.min(size, FIRST_TAIL));
    if (!tail.subarray(tail.length - 4).equals(MAGIC)) throw invalid('not a Parquet file (no PAR1 at the end)');
    const length = tail.readUInt32LE(tail.length - 8);
    if (length + 12 > size) throw invalid(`corrupt footer (length ${length} for a ${size}-byte file)`);
    if (length > MAX_FOOTER_BYTES)
      throw invalid(`footer of ${length} bytes is larger than the ${MAX_FOOTER_BYTES} bytes lakeql accepts`);
    if (length + 8 > tail.length) tail = await read(size - length - 8, length + 8);
    let footer: Footer;
    try {
      footer = parseFooter(tail.subarray(tail.length - 8 - length, tail.length - 8));
    } catch (cause) {
      throw invalid(`corrupt footer (${(cause as Error).message})`, cause);
    }
    checkFooter(key, footer, target, tail.length === size ? tail : undefined);
  } finally {
    await handle.close();
  }
}
