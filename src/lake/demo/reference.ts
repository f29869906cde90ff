// The demo lake's data/reference/symbols.json: each demo ticker's name, primary exchange (MIC), type and currency.
import { demoTicker } from './tickers.js';

/** Primary listings: Nasdaq (XNAS) for these, NYSE Arca (ARCX) for SPY, NYSE (XNYS) for the rest. */
const NASDAQ = new Set([
  'AAPL',
  'MSFT',
  'AMZN',
  'GOOGL',
  'META',
  'NVDA',
  'TSLA',
  'PEP',
  'NFLX',
  'INTC',
  'AMD',
  'CSCO',
  'QQQ',
  'AVGO',
  'COST',
  'ADBE',
]);
const ARCA = new Set(['SPY']);

export function demoReferenceJson(tickers: readonly string[]): string {
  const rows = tickers.map((symbol) => {
    const t = demoTicker(symbol);
    return {
      ticker: symbol,
      name: t.name,
      exchange: NASDAQ.has(symbol) ? 'XNAS' : ARCA.has(symbol) ? 'ARCX' : 'XNYS',
      type: t.etf ? 'ETF' : 'CS',
      currency: 'USD',
      sector: t.sector,
    };
  });
  return `${JSON.stringify(rows, null, 2)}\n`;
}
