// Finds the bar columns (time, open, high, low, close, volume, vwap, trades) in a footer, whatever their case, name or type.
import { InvalidDataError } from '../errors.js';
import type { Footer, FooterColumn } from './footer.js';

export const PRICE_ROLES = ['open', 'high', 'low', 'close'] as const;
export const VALUE_ROLES = ['open', 'high', 'low', 'close', 'volume', 'vwap', 'trades'] as const;
export type ValueRole = (typeof VALUE_ROLES)[number];

/**
 * Accepted names per role, matched case-insensitively, first match wins. The time names are the
 * ones the lake's writers use; the short aliases are those of common vendor dumps (o/h/l/c/v/vw/n).
 */
export const COLUMN_NAMES: Record<'time' | ValueRole, readonly string[]> = {
  time: ['date', 'timestamp', 'time', 'datetime', 'ts'],
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'vol', 'v'],
  vwap: ['vwap', 'vw'],
  trades: ['trades', 'trade_count', 'transactions', 'num_trades', 'n'],
};

/** A file needs a time and a close; every other role is null when the file lacks it. */
export const REQUIRED_ROLES = ['time', 'close'] as const;

export type TimeEncoding = 'date' | 'timestamp' | 'string';

/** Which column of the file plays each role (its real name, as the reader must ask for it). */
export interface BarColumnMap {
  time: { name: string; encoding: TimeEncoding };
  values: Partial<Record<ValueRole, string>>;
}

/**
 * Maps roles to columns, or throws InvalidDataError naming the file, what is missing and what
 * the file does have. A column with a usable name but an unusable type is an error too, rather
 * than being silently skipped: a `close` stored as text is a file to fix, not a null.
 */
export function resolveBarColumns(key: string, footer: Footer): BarColumnMap {
  const byName = new Map<string, FooterColumn>();
  for (const column of footer.columns) {
    if (column.depth !== 1 || column.repeated) continue;
    const lower = column.name.toLowerCase();
    if (!byName.has(lower)) byName.set(lower, column);
  }
  const find = (role: keyof typeof COLUMN_NAMES) => {
    for (const name of COLUMN_NAMES[role]) {
      const column = byName.get(name);
      if (column) return column;
    }
    return undefined;
  };

  const problems: string[] = [];
  const missing: string[] = [];
  const timeColumn = find('time');
  let time: BarColumnMap['time'] | undefined;
  if (!timeColumn) missing.push('time');
  else {
    const encoding = timeEncoding(timeColumn);
    if (encoding) time = { name: timeColumn.name, encoding };
    else
      problems.push(
        `time column "${timeColumn.name}" is ${timeColumn.type}; expected DATE, TIMESTAMP or an ISO-8601 string`,
      );
  }
  const values: BarColumnMap['values'] = {};
  for (const role of VALUE_ROLES) {
    const column = find(role);
    if (!column) {
      if ((REQUIRED_ROLES as readonly string[]).includes(role)) missing.push(role);
      continue;
    }
    if (isNumeric(column)) values[role] = column.name;
    else
      problems.push(`${role} column "${column.name}" is ${column.type}; expected a number (float, integer or decimal)`);
  }

  if (missing.length > 0 || problems.length > 0 || !time) {
    const parts = [
      ...(missing.length
        ? [
            `no ${missing.join(' or ')} column (accepted names: ${missing.map((r) => COLUMN_NAMES[r as 'time'].join('/')).join('; ')})`,
          ]
        : []),
      ...problems,
    ];
    const has = footer.columns.map((c) => `${c.name} ${c.type}`).join(', ') || 'none';
    throw new BarFileError(
      `${key}: cannot read bars: ${parts.join('; ')}. Columns in the file: ${has}`,
      key,
      missing,
      problems,
    );
  }
  return { time, values };
}

/** InvalidDataError that also says which roles are missing, for typed errors upstream. */
export class BarFileError extends InvalidDataError {
  constructor(
    message: string,
    key: string,
    readonly missing: string[],
    readonly problems: string[],
  ) {
    super(message, { key });
  }
}

function timeEncoding(column: FooterColumn): TimeEncoding | undefined {
  const { physical, logical } = column;
  if (physical === 'INT32' && logical.kind === 'date') return 'date';
  if (physical === 'INT64' && logical.kind === 'timestamp') return 'timestamp';
  // INT96 is the legacy Impala/Spark timestamp; arrow reads it as nanoseconds.
  if (physical === 'INT96') return 'timestamp';
  if (physical === 'BYTE_ARRAY' && (logical.kind === 'string' || logical.kind === 'none')) return 'string';
  return undefined;
}

function isNumeric(column: FooterColumn): boolean {
  const { physical, logical } = column;
  if (physical === 'FLOAT' || physical === 'DOUBLE') return logical.kind === 'none';
  if (physical === 'INT32' || physical === 'INT64')
    return logical.kind === 'none' || logical.kind === 'integer' || logical.kind === 'decimal';
  if (physical === 'FIXED_LEN_BYTE_ARRAY' || physical === 'BYTE_ARRAY') return logical.kind === 'decimal';
  return false;
}
