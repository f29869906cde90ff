// GET /v1/bars?symbols=AAPL,MSFT&from=&to=&timeframe=&adjustment=&asOf=&format= : many symbols' bars in long format (a `symbol` column), by symbol then time.
import pMap from 'p-map';
import { loadAdjustment } from '../lake/bars/adjust-load.js';
import {
  compareTickers,
  MANY_SYMBOLS_PARALLELISM,
  parseTickerList,
  streamManyBars,
  type SymbolBatch,
  type SymbolBars,
} from '../lake/bars/many.js';
import { checkFiles, filesFor } from '../lake/bars/query.js';
import { isEmptyIndex, lookUpSymbol } from '../lake/catalog.js';
import { InvalidInputError } from '../lake/errors.js';
import { barParams, contentDisposition, errorResponse, formatOf, type BarsExportServices } from './bars-export.js';
import { encode, FORMATS } from './bars-formats.js';

export const MANY_BARS_PATH = '/v1/bars';

/**
 * `symbols=` (comma-separated, or repeated) names the tickers; `symbol=X` is the one-symbol export
 * of `/v1/bars/X`, without the symbol column. Everything that can fail is settled before the first
 * byte: the list (empty items, repeats, malformed tickers, more than LAKEQL_MAX_SYMBOLS → 400
 * BAD_USER_INPUT), unknown tickers (404 NOT_FOUND naming all of them in `extensions.unknownSymbols`),
 * every needed file's footer and columns (422 INVALID_DATA naming the file), and adjustment factors.
 * Rows come ordered by symbol (code-unit order: BRK before BRK.B), then by time.
 */
export async function exportManyBars(services: BarsExportServices, request: Request, url: URL): Promise<Response> {
  const params = url.searchParams;
  const lists = params.getAll('symbols');
  const single = params.getAll('symbol');
  if (lists.length > 0 && single.length > 0) throw new InvalidInputError('give symbols= or symbol=, not both');
  if (single.length > 1) throw new InvalidInputError('symbol= names one ticker; use symbols=A,B for several');
  if (lists.length === 0 && single.length === 0)
    throw new InvalidInputError('name the tickers: /v1/bars?symbols=AAPL,MSFT (or /v1/bars/AAPL)');
  const long = single.length === 0;
  const items = long ? lists.join(',').split(',') : single;
  const { maxSymbols } = services.config;
  // Counted before anything else is parsed: a list far over the cap is refused without more work.
  if (items.length > maxSymbols)
    throw new InvalidInputError(
      `symbols names ${items.length} tickers; at most ${maxSymbols} are allowed per request (LAKEQL_MAX_SYMBOLS)`,
    );
  const tickers = parseTickerList(items, maxSymbols, long ? 'symbols' : 'symbol').sort(compareTickers);
  const { query, adjustment, asOf } = barParams(params);
  const format = formatOf(request, params);
  if (format instanceof Response) return format;

  const { store, catalog, bars } = services;
  const indexes = await pMap(tickers, (ticker) => lookUpSymbol(catalog, store, ticker), {
    concurrency: MANY_SYMBOLS_PARALLELISM,
  });
  const unknown = tickers.filter((_, i) => isEmptyIndex(indexes[i]));
  if (unknown.length > 0) {
    const names =
      unknown.length > 10 ? `${unknown.slice(0, 10).join(', ')} and ${unknown.length - 10} more` : unknown.join(', ');
    return errorResponse(404, 'NOT_FOUND', `the lake holds nothing for ${names}`, undefined, {
      unknownSymbols: unknown,
    });
  }
  const symbols: SymbolBars[] = await pMap(
    tickers,
    async (ticker, i) => {
      const index = indexes[i];
      await checkFiles(bars, filesFor(index, query));
      return {
        ticker,
        index,
        query: { ...query, adjustment: await loadAdjustment(bars, store, index, { adjustment, asOf }) },
      };
    },
    { concurrency: MANY_SYMBOLS_PARALLELISM },
  );

  const batches = streamManyBars(bars, symbols);
  // The first batch is read before answering, so errors in the first file still get a proper status.
  let first: IteratorResult<SymbolBatch> | undefined = await batches.next();
  const next = async () => {
    const result = first ?? (await batches.next());
    first = undefined;
    return result.done ? undefined : { ...result.value.batch, symbol: result.value.symbol };
  };
  const body = encode(format, next, () => void batches.return(undefined), { symbolColumn: long });
  const range = `${query.from !== undefined ? `-from-${params.get('from')}` : ''}${query.to !== undefined ? `-to-${params.get('to')}` : ''}`;
  const what = long ? `${tickers.length === 1 ? tickers[0] : `${tickers.length}-symbols`}` : tickers[0];
  const name = `${what}-${query.timeframe}${adjustment === 'RAW' ? '' : `-${adjustment.toLowerCase()}${asOf !== undefined ? `-as-of-${params.get('asOf')}` : ''}`}${range}`;
  return new Response(body, {
    status: 200,
    headers: { 'content-type': FORMATS[format], 'content-disposition': contentDisposition(name, format) },
  });
}
