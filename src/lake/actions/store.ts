// Corporate actions in the lake: one symbol's documents read and merged across years, and one year's document written.
import type { SymbolIndex } from '../catalog.js';
import { InvalidDataError, InvalidInputError, isLakeError } from '../errors.js';
import {
  corporateActionsKey,
  corporateActionsMetadata,
  JSON_CONTENT_TYPE,
  normalizeTicker,
  assertYear,
} from '../layout.js';
import { getBytes } from '../store/helpers.js';
import type { ObjectMeta, ObjectStore } from '../store/types.js';
import {
  actionsDocument,
  MAX_ACTIONS,
  parseCorporateActions,
  type CashDividend,
  type CorporateActions,
  type Split,
} from './parse.js';

/** A year's document beyond this is refused unread: real histories are a few KB. */
export const MAX_ACTIONS_BYTES = 1024 * 1024;

/** Reads and parses one year's document; too large, not JSON or not actions → INVALID_DATA naming the key. */
export async function readActionsFile(
  store: ObjectStore,
  object: ObjectMeta,
  symbol: string,
): Promise<CorporateActions> {
  const { key } = object;
  if (object.size > MAX_ACTIONS_BYTES)
    throw new InvalidDataError(
      `${key}: ${object.size} bytes is more than a corporate-actions document may hold (${MAX_ACTIONS_BYTES})`,
      { key },
    );
  const bytes = await getBytes(store, key, object.etag ? { ifMatch: object.etag } : undefined);
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new InvalidDataError(`${key} is not valid JSON`, { key, cause });
  }
  return parseCorporateActions(data, key, symbol);
}

/**
 * Every split and dividend of the symbol, by ex-date. The same event (kind and ex-date) found in
 * several years' documents counts once — adjusting twice for one split would be a silent 10× error —
 * and the copy in the document of the event's own year wins.
 */
export async function readSymbolActions(store: ObjectStore, index: SymbolIndex): Promise<CorporateActions> {
  const years = [...index.corporateActions.keys()].sort((a, b) => a - b);
  const files = await Promise.all(
    years.map((year) => readActionsFile(store, index.corporateActions.get(year)!, index.ticker)),
  );
  const splits = new Map<number, { event: Split; own: boolean }>();
  const dividends = new Map<number, { event: CashDividend; own: boolean }>();
  const keep = <T extends { exDate: number }>(map: Map<number, { event: T; own: boolean }>, event: T, year: number) => {
    const own = new Date(event.exDate).getUTCFullYear() === year;
    const held = map.get(event.exDate);
    if (!held || (own && !held.own)) map.set(event.exDate, { event, own });
  };
  files.forEach((file, i) => {
    for (const s of file.splits) keep(splits, s, years[i]);
    for (const d of file.dividends) keep(dividends, d, years[i]);
  });
  const byDate = (a: { exDate: number }, b: { exDate: number }) => a.exDate - b.exDate;
  return {
    splits: [...splits.values()].map((v) => v.event).sort(byDate),
    dividends: [...dividends.values()].map((v) => v.event).sort(byDate),
  };
}

export type ActionsWriteMode = 'REPLACE' | 'MERGE';

/**
 * Checks a year's events as input: every ex-date inside `year` (the key's year), at most one split
 * and one dividend per ex-date. MERGE reads the stored document (a malformed one fails the write
 * with INVALID_DATA rather than being overwritten), replaces its events of the same kind and
 * ex-date and keeps the rest; REPLACE writes exactly the events given. Two concurrent MERGEs of
 * one year are last-writer-wins: the store offers no conditional put.
 */
export async function putCorporateActions(
  store: ObjectStore,
  args: { symbol: string; year: number; actions: CorporateActions; mode: ActionsWriteMode },
): Promise<{
  key: string;
  size: number;
  etag?: string;
  contentType: string;
  metadata: Record<string, string>;
  actions: CorporateActions;
}> {
  const symbol = normalizeTicker(args.symbol);
  const year = assertYear(args.year);
  const key = corporateActionsKey(symbol, year);
  checkInput(args.actions, year);
  let actions = args.actions;
  if (args.mode === 'MERGE') {
    let stored: CorporateActions = { splits: [], dividends: [] };
    try {
      const head = await store.head(key);
      stored = await readActionsFile(
        store,
        { key, size: head.size, etag: head.etag, lastModified: head.lastModified },
        symbol,
      );
    } catch (error) {
      if (!(isLakeError(error) && error.code === 'NOT_FOUND')) throw error;
    }
    actions = { splits: merge(stored.splits, actions.splits), dividends: merge(stored.dividends, actions.dividends) };
    if (actions.splits.length + actions.dividends.length > MAX_ACTIONS)
      throw new InvalidInputError(`a year may hold at most ${MAX_ACTIONS} events`);
  }
  const byDate = (a: { exDate: number }, b: { exDate: number }) => a.exDate - b.exDate;
  actions = { splits: [...actions.splits].sort(byDate), dividends: [...actions.dividends].sort(byDate) };
  const body = JSON.stringify(actionsDocument(symbol, year, actions), null, 2);
  const metadata = corporateActionsMetadata(symbol, year);
  const { etag } = await store.put(key, body, { contentType: JSON_CONTENT_TYPE, metadata });
  return { key, size: Buffer.byteLength(body), etag, contentType: JSON_CONTENT_TYPE, metadata, actions };
}

function merge<T extends { exDate: number }>(stored: T[], given: T[]): T[] {
  const replaced = new Set(given.map((e) => e.exDate));
  return [...stored.filter((e) => !replaced.has(e.exDate)), ...given];
}

function checkInput(actions: CorporateActions, year: number): void {
  if (actions.splits.length + actions.dividends.length > MAX_ACTIONS)
    throw new InvalidInputError(`a year may hold at most ${MAX_ACTIONS} events`);
  const check = (events: { exDate: number }[], what: string, valid: (e: never) => string | undefined) => {
    const seen = new Set<number>();
    for (const event of events) {
      const day = new Date(event.exDate).toISOString().slice(0, 10);
      if (new Date(event.exDate).getUTCFullYear() !== year)
        throw new InvalidInputError(
          `${what} ex-date ${day} is not in ${year}: each year's events go in that year's document`,
        );
      if (seen.has(event.exDate)) throw new InvalidInputError(`two ${what}s with ex-date ${day}`);
      seen.add(event.exDate);
      const problem = valid(event as never);
      if (problem) throw new InvalidInputError(`${what} of ${day}: ${problem}`);
    }
  };
  check(actions.splits, 'split', (s: Split) =>
    !(s.from > 0 && s.to > 0 && Number.isFinite(s.from) && Number.isFinite(s.to))
      ? 'from and to must be numbers above 0'
      : undefined,
  );
  check(actions.dividends, 'dividend', (d: CashDividend) => {
    if (!(d.amount > 0 && Number.isFinite(d.amount))) return 'amount must be a number above 0';
    if (d.currency !== undefined && !/^[A-Z]{3}$/.test(d.currency)) return 'currency must be a three-letter code';
    return undefined;
  });
}
