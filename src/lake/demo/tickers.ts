// The demo lake's universe: well-known US tickers with rough, plausible parameters for the random walk and fundamentals.
import { hashString, unit } from './prng.js';

export interface DemoTicker {
  symbol: string;
  name: string;
  sector: string;
  /** Close on 2020-12-31, adjusted for every split up to 2025 (see DEMO_SPLITS): the walk's anchor. */
  price: number;
  /** Annualised volatility of daily log returns. */
  volatility: number;
  /** Typical shares traded per day. */
  avgVolume: number;
  /** Shares outstanding at the start of 2021, in billions; 0 for ETFs. */
  sharesBillions: number;
  /** Price / trailing EPS; negative for a loss-maker. */
  pe: number;
  /** Net income / revenue. */
  netMargin: number;
  /** Funds have no income statement: no fundamentals files for them. */
  etf: boolean;
}

type Row = [
  symbol: string,
  name: string,
  sector: string,
  price: number,
  volatility: number,
  avgVolumeM: number,
  sharesB: number,
  pe: number,
  netMargin: number,
];

// Parameters are ballpark public figures; the demo only needs them to look plausible side by side.
const ROWS: Row[] = [
  ['AAPL', 'Apple Inc.', 'Technology', 132.69, 0.28, 90, 16.8, 30, 0.25],
  ['MSFT', 'Microsoft Corporation', 'Technology', 222.42, 0.25, 28, 7.55, 33, 0.36],
  ['AMZN', 'Amazon.com, Inc.', 'Consumer Discretionary', 162.85, 0.33, 70, 10.1, 60, 0.05],
  ['GOOGL', 'Alphabet Inc. Class A', 'Communication Services', 87.59, 0.3, 35, 13.5, 25, 0.25],
  ['META', 'Meta Platforms, Inc.', 'Communication Services', 273.16, 0.42, 20, 2.85, 24, 0.3],
  ['NVDA', 'NVIDIA Corporation', 'Technology', 13.06, 0.52, 400, 24.8, 60, 0.45],
  ['TSLA', 'Tesla, Inc.', 'Consumer Discretionary', 235.22, 0.6, 100, 3.0, 90, 0.1],
  ['BRK.B', 'Berkshire Hathaway Inc. Class B', 'Financials', 231.87, 0.18, 4, 2.2, 10, 0.15],
  ['BF-B', 'Brown-Forman Corporation Class B', 'Consumer Staples', 79.44, 0.26, 1.2, 0.48, 30, 0.22],
  ['JPM', 'JPMorgan Chase & Co.', 'Financials', 127.07, 0.25, 11, 3.05, 12, 0.3],
  ['V', 'Visa Inc. Class A', 'Financials', 218.73, 0.22, 8, 2.1, 32, 0.51],
  ['MA', 'Mastercard Incorporated', 'Financials', 356.94, 0.24, 3.5, 0.99, 40, 0.45],
  ['JNJ', 'Johnson & Johnson', 'Health Care', 157.38, 0.16, 7, 2.63, 22, 0.19],
  ['UNH', 'UnitedHealth Group Incorporated', 'Health Care', 350.68, 0.24, 3.5, 0.95, 20, 0.06],
  ['PFE', 'Pfizer Inc.', 'Health Care', 36.81, 0.26, 30, 5.58, 12, 0.2],
  ['MRK', 'Merck & Co., Inc.', 'Health Care', 81.8, 0.2, 10, 2.53, 14, 0.2],
  ['PG', 'The Procter & Gamble Company', 'Consumer Staples', 139.14, 0.16, 7, 2.46, 24, 0.18],
  ['KO', 'The Coca-Cola Company', 'Consumer Staples', 54.84, 0.16, 15, 4.3, 26, 0.23],
  ['PEP', 'PepsiCo, Inc.', 'Consumer Staples', 148.3, 0.16, 5, 1.38, 25, 0.1],
  ['WMT', 'Walmart Inc.', 'Consumer Staples', 48.05, 0.2, 20, 8.4, 28, 0.025],
  ['XOM', 'Exxon Mobil Corporation', 'Energy', 41.22, 0.3, 25, 4.23, 12, 0.1],
  ['CVX', 'Chevron Corporation', 'Energy', 84.45, 0.28, 10, 1.93, 14, 0.12],
  ['HD', 'The Home Depot, Inc.', 'Consumer Discretionary', 265.62, 0.24, 4, 1.07, 24, 0.1],
  ['MCD', "McDonald's Corporation", 'Consumer Discretionary', 214.58, 0.18, 3, 0.74, 27, 0.3],
  ['NKE', 'NIKE, Inc. Class B', 'Consumer Discretionary', 141.47, 0.32, 7, 1.57, 35, 0.11],
  ['DIS', 'The Walt Disney Company', 'Communication Services', 181.18, 0.3, 10, 1.81, 60, 0.05],
  ['NFLX', 'Netflix, Inc.', 'Communication Services', 54.07, 0.45, 4, 0.44, 45, 0.15],
  ['T', 'AT&T Inc.', 'Communication Services', 28.76, 0.22, 35, 7.14, 9, 0.1],
  ['VZ', 'Verizon Communications Inc.', 'Communication Services', 58.75, 0.19, 18, 4.14, 10, 0.14],
  ['INTC', 'Intel Corporation', 'Technology', 49.82, 0.38, 35, 4.1, 12, 0.12],
  ['AMD', 'Advanced Micro Devices, Inc.', 'Technology', 91.71, 0.52, 50, 1.2, 45, 0.08],
  ['CSCO', 'Cisco Systems, Inc.', 'Technology', 44.75, 0.24, 18, 4.22, 16, 0.22],
  ['ORCL', 'Oracle Corporation', 'Technology', 64.69, 0.3, 9, 2.9, 20, 0.22],
  ['IBM', 'International Business Machines Corporation', 'Technology', 125.88, 0.23, 5, 0.89, 20, 0.1],
  ['BA', 'The Boeing Company', 'Industrials', 214.06, 0.4, 9, 0.58, -25, -0.05],
  ['CAT', 'Caterpillar Inc.', 'Industrials', 182.02, 0.28, 3, 0.54, 22, 0.14],
  ['GS', 'The Goldman Sachs Group, Inc.', 'Financials', 263.71, 0.28, 2.5, 0.34, 9, 0.22],
  ['SPY', 'SPDR S&P 500 ETF Trust', 'ETF', 373.88, 0.17, 80, 0, 0, 0],
  ['QQQ', 'Invesco QQQ Trust', 'ETF', 313.74, 0.23, 45, 0, 0, 0],
];

export const DEMO_TICKERS: readonly DemoTicker[] = Object.freeze(
  ROWS.map(([symbol, name, sector, price, volatility, avgVolumeM, sharesBillions, pe, netMargin]) =>
    Object.freeze({
      symbol,
      name,
      sector,
      price,
      volatility,
      avgVolume: avgVolumeM * 1e6,
      sharesBillions,
      pe,
      netMargin,
      etf: sector === 'ETF',
    }),
  ),
);

const BY_SYMBOL = new Map(DEMO_TICKERS.map((t) => [t.symbol, t]));

/**
 * The parameters of a demo ticker; a symbol outside the list gets made-up but stable ones
 * (derived from its name), so callers can ask the demo for any ticker.
 */
export function demoTicker(symbol: string): DemoTicker {
  const known = BY_SYMBOL.get(symbol);
  if (known) return known;
  const h = hashString(symbol);
  const u = (salt: number) => unit(Math.imul(h ^ salt, 0x9e3779b1));
  return {
    symbol,
    name: `${symbol} (demo)`,
    sector: 'Unknown',
    price: Math.round((10 + 290 * u(1)) * 100) / 100,
    volatility: 0.2 + 0.3 * u(2),
    avgVolume: Math.round(1e6 + 2e7 * u(3)),
    sharesBillions: 0.2 + 3 * u(4),
    pe: 10 + 30 * u(5),
    netMargin: 0.05 + 0.2 * u(6),
    etf: false,
  };
}
