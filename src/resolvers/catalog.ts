// Catalog resolvers: symbols, their years, tick files and fundamentals, all through the request's loaders.
import { countSymbols, isEmptyIndex, listSymbolPage, yearsOf, type SymbolIndex } from '../lake/catalog.js';
import { InvalidDataError, InvalidInputError } from '../lake/errors.js';
import { assertQuarter, assertYear, isTicker, normalizeTicker, type Resolution } from '../lake/layout.js';
import type { ObjectHead, ObjectMeta } from '../lake/store/types.js';
import type { Context } from './context.js';

export interface SymbolRef {
  ticker: string;
}
export interface SymbolYearRef {
  ticker: string;
  year: number;
  index: SymbolIndex;
}
export interface TickFileRef {
  object: ObjectMeta;
  resolution: Resolution;
  symbol: string;
  year: number;
  month?: number;
}
export interface FundamentalsRef {
  object: ObjectMeta;
  symbol: string;
  year: number;
  quarter: number;
}

const CURSOR_PREFIX = 'symbol:';

export function symbolCursor(ticker: string): string {
  return Buffer.from(CURSOR_PREFIX + ticker).toString('base64url');
}

export function decodeSymbolCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const ticker = text.startsWith(CURSOR_PREFIX) ? text.slice(CURSOR_PREFIX.length) : '';
  if (!isTicker(ticker)) throw new InvalidInputError(`"${cursor.slice(0, 40)}" is not a cursor this field returned`);
  return ticker;
}

/** A page of symbols: from the catalog index when it is on, else from one delimiter listing per dataset. */
export async function symbols(ctx: Context, args: { prefix?: string | null; first: number; after?: string | null }) {
  const after = args.after ? decodeSymbolCursor(args.after) : undefined;
  const prefix = args.prefix ?? undefined;
  if (prefix !== undefined && !/^[A-Za-z0-9.-]*$/.test(prefix))
    throw new InvalidInputError(`prefix "${prefix}" can only hold letters, digits, "." and "-"`);
  const { catalog, store } = ctx.services;
  let tickers: string[];
  let hasNextPage: boolean;
  let totalCount: () => Promise<number>;
  if (catalog.enabled) {
    const snapshot = await catalog.current();
    ({ tickers, hasNextPage } = snapshot.page({ prefix: prefix?.toUpperCase(), first: args.first, after }));
    totalCount = async () => snapshot.count(prefix?.toUpperCase());
  } else {
    const page = await listSymbolPage(store, { prefix, first: args.first, after });
    ctx.loaders.registerPage(page.symbols);
    tickers = page.symbols.map((s) => s.ticker);
    hasNextPage = page.hasNextPage;
    totalCount = () => countSymbols(store, prefix?.toUpperCase());
  }
  const edges = tickers.map((ticker) => ({ cursor: symbolCursor(ticker), node: { ticker } satisfies SymbolRef }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}

export async function symbol(ctx: Context, ticker: string): Promise<SymbolRef | null> {
  const normalized = normalizeTicker(ticker);
  const index = await ctx.loaders.symbolIndex.load(normalized);
  return isEmptyIndex(index) ? null : { ticker: normalized };
}

export async function years(ctx: Context, parent: SymbolRef): Promise<SymbolYearRef[]> {
  const index = await ctx.loaders.symbolIndex.load(parent.ticker);
  return yearsOf(index).map((year) => ({ ticker: parent.ticker, year, index }));
}

export async function year(ctx: Context, parent: SymbolRef, year: number): Promise<SymbolYearRef | null> {
  assertYear(year);
  return (await years(ctx, parent)).find((y) => y.year === year) ?? null;
}

export function tickFiles(parent: SymbolYearRef): TickFileRef[] {
  const { index, ticker, year } = parent;
  const files: TickFileRef[] = [];
  const daily = index.daily.get(year);
  if (daily) files.push({ object: daily, resolution: 'DAILY', symbol: ticker, year });
  for (const [month, object] of [...(index.minute.get(year) ?? new Map<number, ObjectMeta>())].sort(
    (a, b) => a[0] - b[0],
  )) {
    files.push({ object, resolution: 'MINUTE', symbol: ticker, year, month });
  }
  return files;
}

/** DAILY → the year's file; MINUTE → the given month's file, or the year's first when no month is given. */
export function tickFile(parent: SymbolYearRef, resolution: Resolution, month?: number | null): TickFileRef | null {
  return tickFiles(parent).find((f) => f.resolution === resolution && (month == null || f.month === month)) ?? null;
}

export function fundamentalsOfYear(parent: SymbolYearRef, quarter?: number | null): FundamentalsRef[] {
  if (quarter != null) assertQuarter(quarter);
  const quarters = parent.index.fundamentals.get(parent.year) ?? new Map<number, ObjectMeta>();
  return [...quarters]
    .filter(([q]) => quarter == null || q === quarter)
    .sort((a, b) => a[0] - b[0])
    .map(([q, object]) => ({ object, symbol: parent.ticker, year: parent.year, quarter: q }));
}

export async function fundamentalsOfSymbol(
  ctx: Context,
  parent: SymbolRef,
  args: { year?: number | null; quarter?: number | null },
) {
  if (args.year != null) assertYear(args.year);
  const all = await years(ctx, parent);
  return all
    .filter((y) => args.year == null || y.year === args.year)
    .flatMap((y) => fundamentalsOfYear(y, args.quarter));
}

/** The parsed JSON of a fundamentals file; must be an object, or the file is reported as INVALID_DATA. */
export async function fundamentalsData(ctx: Context, parent: FundamentalsRef): Promise<Record<string, unknown>> {
  const data = await ctx.loaders.json.load(parent.object);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new InvalidDataError(`${parent.object.key} does not hold a JSON object`, { key: parent.object.key });
  }
  return data as Record<string, unknown>;
}

/** A numeric field of the fundamentals JSON, accepting snake_case or camelCase and numeric strings. */
export async function fundamentalsNumber(
  ctx: Context,
  parent: FundamentalsRef,
  ...names: string[]
): Promise<number | null> {
  const data = await fundamentalsData(ctx, parent);
  for (const name of names) {
    const value = data[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  }
  return null;
}

export async function head(ctx: Context, key: string): Promise<ObjectHead> {
  return ctx.loaders.head.load(key);
}

export async function downloadUrl(ctx: Context, key: string, expiresIn: number): Promise<string> {
  const max = ctx.services.config.maxUrlExpiry;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > max) {
    throw new InvalidInputError(`expiresIn must be between 1 and ${max} seconds, got ${expiresIn}`);
  }
  const { presigner, urlSigner } = ctx.services;
  if (presigner) return presigner.presignGet(key, { expiresIn });
  return urlSigner.sign(ctx.origin, key, expiresIn);
}
