// Reads the lake's catalog (symbols, their years and files) from listings alone: no HEAD, no GET.
import type { CatalogIndex } from './catalog-index/catalog-index.js';
import type { CatalogSnapshot } from './catalog-index/snapshot.js';
import { InvalidInputError } from './errors.js';
import { DATASETS, ROOTS, parseKey, parseSymbolPrefix, symbolPrefix, type Dataset } from './layout.js';
import { listAll, listCommonPrefixes } from './store/helpers.js';
import type { ObjectMeta, ObjectStore } from './store/types.js';

/** Everything the lake holds for one symbol, indexed for the resolvers. */
export interface SymbolIndex {
  ticker: string;
  daily: Map<number, ObjectMeta>;
  /** year → month → file */
  minute: Map<number, Map<number, ObjectMeta>>;
  /** year → quarter → file */
  fundamentals: Map<number, Map<number, ObjectMeta>>;
  /** year → that year's splits and dividends (`actions.json`) */
  corporateActions: Map<number, ObjectMeta>;
}

export interface SymbolPageEntry {
  ticker: string;
  /** The datasets whose listing showed this symbol; only these need listing for its files. */
  datasets: Set<Dataset>;
}

export interface SymbolPage {
  symbols: SymbolPageEntry[];
  hasNextPage: boolean;
}

/** One symbol's entry as the catalog index holds it (an empty one for a symbol it does not hold: no request). */
export function symbolIndexFromSnapshot(snapshot: CatalogSnapshot, ticker: string): SymbolIndex {
  const index = emptyIndex(ticker);
  if (!snapshot.has(ticker)) return index;
  snapshot.datasets.forEach((dataset, i) => {
    for (const { year, part, meta } of snapshot.files(ticker, i)) {
      if (dataset.name === 'daily') index.daily.set(year, meta);
      else if (dataset.name === 'minute') nested(index.minute, year).set(part, meta);
      else if (dataset.name === 'fundamental') nested(index.fundamentals, year).set(part, meta);
      else if (dataset.name === 'corporateActions') index.corporateActions.set(year, meta);
    }
  });
  return index;
}

/** One symbol's entry: from the catalog index when it is on (no request once fresh), else by listing. */
export async function lookUpSymbol(catalog: CatalogIndex, store: ObjectStore, ticker: string): Promise<SymbolIndex> {
  return catalog.enabled ? symbolIndexFromSnapshot(await catalog.current(), ticker) : indexSymbol(store, ticker);
}

/** How many symbols any dataset holds (starting with `prefix`), from delimiter listings of each root. */
export async function countSymbols(store: ObjectStore, prefix = ''): Promise<number> {
  const found = new Set<string>();
  await Promise.all(
    DATASETS.map(async (dataset) => {
      for (const common of await listCommonPrefixes(store, ROOTS[dataset] + prefix)) {
        const ticker = parseSymbolPrefix(dataset, common);
        if (ticker) found.add(ticker);
      }
    }),
  );
  return found.size;
}

export function emptyIndex(ticker: string): SymbolIndex {
  return { ticker, daily: new Map(), minute: new Map(), fundamentals: new Map(), corporateActions: new Map() };
}

/** Years for which the lake holds any of the symbol's data, ascending. */
export function yearsOf(index: SymbolIndex): number[] {
  const years = new Set<number>([
    ...index.daily.keys(),
    ...index.minute.keys(),
    ...index.fundamentals.keys(),
    ...index.corporateActions.keys(),
  ]);
  return [...years].sort((a, b) => a - b);
}

export function isEmptyIndex(index: SymbolIndex): boolean {
  return (
    index.daily.size === 0 &&
    index.minute.size === 0 &&
    index.fundamentals.size === 0 &&
    index.corporateActions.size === 0
  );
}

/**
 * A string S3 orders after every key of `ticker` and before every key of any later ticker.
 * Keys of `T` start with `T/`; "/" (0x2F) is followed by "0" (0x30), and a ticker extending
 * `T` with "." or "-" (BRK → BRK.B) already sorts before `T/`, so `T0` skips exactly `T`'s keys.
 */
function startAfterSymbol(root: string, ticker: string): string {
  return `${root}${ticker}0`;
}

/**
 * One page of symbols in S3 key order (which puts BRK.B before BRK: "." sorts before "/").
 * Each dataset root is listed once with a delimiter and `first + 1` keys, so a page costs one
 * LIST per dataset; the union of the datasets' first-(n+1) lists holds the true first n.
 */
export async function listSymbolPage(
  store: ObjectStore,
  options: { prefix?: string; first: number; after?: string },
): Promise<SymbolPage> {
  const { first, after } = options;
  const prefix = options.prefix ?? '';
  if (!/^[A-Za-z0-9.-]*$/.test(prefix))
    throw new InvalidInputError(`prefix "${prefix}" can only hold letters, digits, "." and "-"`);
  const found = new Map<string, Set<Dataset>>();
  await Promise.all(
    DATASETS.map(async (dataset) => {
      const root = ROOTS[dataset];
      const page = await store.list({
        prefix: root + prefix.toUpperCase(),
        delimiter: '/',
        maxKeys: first + 1,
        startAfter: after ? startAfterSymbol(root, after) : undefined,
      });
      for (const common of page.commonPrefixes) {
        const ticker = parseSymbolPrefix(dataset, common);
        if (!ticker) continue;
        let datasets = found.get(ticker);
        if (!datasets) found.set(ticker, (datasets = new Set()));
        datasets.add(dataset);
      }
    }),
  );
  const ordered = [...found.keys()].sort((a, b) => compareSymbols(a, b));
  return {
    symbols: ordered.slice(0, first).map((ticker) => ({ ticker, datasets: found.get(ticker)! })),
    hasNextPage: ordered.length > first,
  };
}

/** Orders tickers as S3 orders their keys (`BRK.B/` before `BRK/`). */
export function compareSymbols(a: string, b: string): number {
  const x = `${a}/`;
  const y = `${b}/`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Indexes a run of symbols that are contiguous in key order with one ranged listing per
 * dataset (starting just before the first symbol, stopping after the last), instead of
 * one listing per symbol. `datasets` limits which roots are listed.
 */
export async function indexSymbolRange(
  store: ObjectStore,
  tickers: string[],
  datasets: Iterable<Dataset> = DATASETS,
): Promise<Map<string, SymbolIndex>> {
  const sorted = [...tickers].sort(compareSymbols);
  const result = new Map(sorted.map((t) => [t, emptyIndex(t)]));
  if (sorted.length === 0) return result;
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  await Promise.all(
    [...datasets].map(async (dataset) => {
      const root = ROOTS[dataset];
      const range = { prefix: root, startAfter: `${root}${first}/`, endBefore: startAfterSymbol(root, last) };
      for await (const object of listAll(store, range)) {
        const index = result.get(symbolOfKey(root, object.key));
        if (index) addToIndex(index, object);
      }
    }),
  );
  return result;
}

/** Indexes one symbol with one prefix listing per dataset. */
export async function indexSymbol(store: ObjectStore, ticker: string): Promise<SymbolIndex> {
  const index = emptyIndex(ticker);
  await Promise.all(
    DATASETS.map(async (dataset) => {
      for await (const object of listAll(store, { prefix: symbolPrefix(dataset, ticker) })) addToIndex(index, object);
    }),
  );
  return index;
}

function symbolOfKey(root: string, key: string): string {
  const rest = key.slice(root.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? rest : rest.slice(0, slash);
}

function addToIndex(index: SymbolIndex, object: ObjectMeta): void {
  const parsed = parseKey(object.key);
  if (!parsed || parsed.symbol !== index.ticker) return;
  if (parsed.kind === 'fundamentals') {
    nested(index.fundamentals, parsed.year).set(parsed.quarter, object);
  } else if (parsed.kind === 'corporate-actions') {
    index.corporateActions.set(parsed.year, object);
  } else if (parsed.resolution === 'DAILY') {
    index.daily.set(parsed.year, object);
  } else {
    nested(index.minute, parsed.year).set(parsed.month, object);
  }
}

function nested<V>(map: Map<number, Map<number, V>>, year: number): Map<number, V> {
  let inner = map.get(year);
  if (!inner) map.set(year, (inner = new Map()));
  return inner;
}
