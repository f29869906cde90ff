// Reads a corporate-actions document tolerantly: our own shape, camelCase or snake_case, and Polygon's and Alpaca's exports.
import { InvalidDataError, type LakeError } from '../errors.js';
import { MAX_YEAR, MIN_YEAR } from '../layout.js';

/** A split effective at the open of `exDate` (UTC midnight ms): `from` old shares became `to` new ones (1 → 10 is 10-for-1). */
export interface Split {
  exDate: number;
  from: number;
  to: number;
}

/** A cash dividend of `amount` per share (as held on the ex-date), in `currency` when the document says. */
export interface CashDividend {
  exDate: number;
  amount: number;
  recordDate?: number;
  payDate?: number;
  declarationDate?: number;
  currency?: string;
}

export interface CorporateActions {
  splits: Split[];
  dividends: CashDividend[];
}

/** More entries than any real history holds: a document beyond it is refused rather than walked. */
export const MAX_ACTIONS = 10_000;

const SPLIT_LISTS = [
  'splits',
  'forward_splits',
  'forwardSplits',
  'reverse_splits',
  'reverseSplits',
  'unit_splits',
  'unitSplits',
];
const DIVIDEND_LISTS = ['dividends', 'cash_dividends', 'cashDividends'];
const SPLIT_DATE = ['ex_date', 'exDate', 'execution_date', 'executionDate'];
const DIVIDEND_DATE = ['ex_dividend_date', 'exDividendDate', 'ex_date', 'exDate'];
const SPLIT_FROM = ['split_from', 'splitFrom', 'old_rate', 'oldRate', 'from'];
const SPLIT_TO = ['split_to', 'splitTo', 'new_rate', 'newRate', 'to'];
const AMOUNT = ['cash_amount', 'cashAmount', 'amount', 'rate', 'cash'];

type Fail = (message: string) => LakeError;

/**
 * Accepts `{ splits: [...], dividends: [...] }` (any list may be absent), Alpaca's
 * `{ corporate_actions: { forward_splits, reverse_splits, cash_dividends, ... } }`, Polygon's
 * `{ results: [...] }`, or a bare array; entries of a mixed list are told apart by their fields.
 * Anything else, or an entry that is not a valid split or dividend, fails with `fail` (by
 * default INVALID_DATA naming `key`). Entries of another ticker than `symbol` are refused too:
 * silently adjusting one ticker's prices by another's split is worse than an error.
 */
export function parseCorporateActions(
  data: unknown,
  key: string,
  symbol?: string,
  fail: Fail = (m) => new InvalidDataError(`${key}: ${m}`, { key }),
): CorporateActions {
  const out: CorporateActions = { splits: [], dividends: [] };
  const root =
    isObject(data) && isObject(data.corporate_actions ?? data.corporateActions)
      ? ((data.corporate_actions ?? data.corporateActions) as Record<string, unknown>)
      : data;
  let count = 0;
  const each = (list: unknown, path: string, visit: (entry: Record<string, unknown>, at: string) => void) => {
    if (list === undefined || list === null) return;
    if (!Array.isArray(list)) throw fail(`${path} is not a list`);
    count += list.length;
    if (count > MAX_ACTIONS) throw fail(`more than ${MAX_ACTIONS} entries`);
    list.forEach((entry, i) => {
      if (!isObject(entry)) throw fail(`${path}[${i}] is not an object`);
      checkSymbol(entry, `${path}[${i}]`, symbol, fail);
      visit(entry, `${path}[${i}]`);
    });
  };
  const mixed = (entry: Record<string, unknown>, at: string) => {
    const kind = classify(entry);
    if (kind === 'split') out.splits.push(split(entry, at, fail));
    else if (kind === 'dividend') out.dividends.push(dividend(entry, at, fail));
    else
      throw fail(
        `${at} is neither a split (split_from/split_to, old_rate/new_rate) nor a cash dividend (cash_amount, rate, amount)`,
      );
  };
  if (Array.isArray(root)) {
    each(root, '$', mixed);
  } else if (isObject(root)) {
    const typed = [...SPLIT_LISTS, ...DIVIDEND_LISTS].some((name) => root[name] !== undefined);
    if (!typed && root.results === undefined) throw fail('holds no splits, dividends or results list');
    for (const name of SPLIT_LISTS) each(root[name], name, (e, at) => out.splits.push(split(e, at, fail)));
    for (const name of DIVIDEND_LISTS) each(root[name], name, (e, at) => out.dividends.push(dividend(e, at, fail)));
    each(root.results, 'results', mixed);
  } else {
    throw fail('is not a JSON object or array');
  }
  out.splits.sort((a, b) => a.exDate - b.exDate);
  out.dividends.sort((a, b) => a.exDate - b.exDate);
  return out;
}

function classify(entry: Record<string, unknown>): 'split' | 'dividend' | undefined {
  const named = entry.ca_type ?? entry.caType ?? entry.type;
  // Only a string is a type: an object here may even carry its own toString.
  const type = typeof named === 'string' ? named.toLowerCase() : '';
  if (type === 'split' || type === 'reverse_split' || type === 'forward_split') return 'split';
  if (type === 'dividend' || type === 'cash_dividend') return 'dividend';
  if (SPLIT_FROM.some((n) => entry[n] !== undefined) || SPLIT_TO.some((n) => entry[n] !== undefined)) return 'split';
  if (AMOUNT.some((n) => entry[n] !== undefined)) return 'dividend';
  return undefined;
}

function split(entry: Record<string, unknown>, at: string, fail: Fail): Split {
  const exDate = date(entry, SPLIT_DATE, at, fail, true)!;
  const from = positive(entry, SPLIT_FROM, at, fail);
  const to = positive(entry, SPLIT_TO, at, fail);
  return { exDate, from, to };
}

function dividend(entry: Record<string, unknown>, at: string, fail: Fail): CashDividend {
  const out: CashDividend = {
    exDate: date(entry, DIVIDEND_DATE, at, fail, true)!,
    amount: positive(entry, AMOUNT, at, fail),
  };
  const record = date(entry, ['record_date', 'recordDate'], at, fail, false);
  const pay = date(entry, ['pay_date', 'payDate', 'payable_date', 'payableDate'], at, fail, false);
  const declared = date(entry, ['declaration_date', 'declarationDate'], at, fail, false);
  if (record !== undefined) out.recordDate = record;
  if (pay !== undefined) out.payDate = pay;
  if (declared !== undefined) out.declarationDate = declared;
  const currency = entry.currency;
  if (currency !== undefined && currency !== null) {
    if (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency))
      throw fail(`${at}.currency is not a three-letter currency code`);
    out.currency = currency.toUpperCase();
  }
  return out;
}

function first(entry: Record<string, unknown>, names: string[]): [string, unknown] | undefined {
  for (const name of names) if (entry[name] !== undefined && entry[name] !== null) return [name, entry[name]];
  return undefined;
}

/** A finite number > 0, given as a number or a numeric string (Alpaca's older API sends strings). */
function positive(entry: Record<string, unknown>, names: string[], at: string, fail: Fail): number {
  const found = first(entry, names);
  if (!found) throw fail(`${at} has no ${names.slice(0, 2).join(' or ')}`);
  const [name, value] = found;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*[0-9.eE+-]+\s*$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n) || n <= 0) throw fail(`${at}.${name} must be a number above 0, got ${preview(value)}`);
  return n;
}

/** A calendar date `YYYY-MM-DD` (an ISO timestamp counts as its UTC date), as UTC midnight ms. */
function date(
  entry: Record<string, unknown>,
  names: string[],
  at: string,
  fail: Fail,
  required: boolean,
): number | undefined {
  const found = first(entry, names);
  if (!found) {
    if (required) throw fail(`${at} has no ex-date (${names.join(', ')})`);
    return undefined;
  }
  const [name, value] = found;
  const ms = typeof value === 'string' ? parseDate(value) : NaN;
  if (Number.isNaN(ms))
    throw fail(`${at}.${name} must be a date YYYY-MM-DD from ${MIN_YEAR} to ${MAX_YEAR}, got ${preview(value)}`);
  return ms;
}

export function parseDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (!m) return NaN;
  const year = Number(m[1]);
  if (year < MIN_YEAR || year > MAX_YEAR) return NaN;
  const ms = Date.UTC(year, Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === text.slice(0, 10) ? ms : NaN;
}

function checkSymbol(entry: Record<string, unknown>, at: string, symbol: string | undefined, fail: Fail): void {
  if (symbol === undefined) return;
  const named = entry.ticker ?? entry.symbol;
  if (named === undefined || named === null) return;
  if (typeof named !== 'string' || named.trim().toUpperCase() !== symbol)
    throw fail(`${at} is for ${preview(named)}, not ${symbol}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = typeof value;
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The document lakeql writes: snake_case like the seed's writers, Polygon's field names, events by ex-date. */
export function actionsDocument(symbol: string, year: number, actions: CorporateActions): Record<string, unknown> {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return {
    symbol,
    year,
    splits: actions.splits.map((s) => ({ ex_date: day(s.exDate), split_from: s.from, split_to: s.to })),
    dividends: actions.dividends.map((d) => ({
      ex_date: day(d.exDate),
      cash_amount: d.amount,
      ...(d.currency !== undefined ? { currency: d.currency } : {}),
      ...(d.declarationDate !== undefined ? { declaration_date: day(d.declarationDate) } : {}),
      ...(d.recordDate !== undefined ? { record_date: day(d.recordDate) } : {}),
      ...(d.payDate !== undefined ? { pay_date: day(d.payDate) } : {}),
    })),
  };
}
