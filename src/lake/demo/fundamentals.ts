// Quarterly fundamentals for the demo lake, derived from the walk's quarter-end price so valuation ratios stay plausible.
import { InvalidInputError } from '../errors.js';
import { DEMO_SEED, gaussian, hashInts, hashString, roundTo, unit } from './prng.js';
import type { DemoTicker } from './tickers.js';

/** One `data/fundamental/{SYMBOL}/{YEAR}/Q{N}.json` document; snake_case like the seed's writers. */
export interface DemoFundamentals {
  symbol: string;
  year: number;
  quarter: number;
  fiscal_period_end: string;
  revenue: number;
  net_income: number;
  eps: number;
  shares_outstanding: number;
  total_assets: number;
  total_liabilities: number;
  operating_cash_flow: number;
  currency: 'USD';
  source: 'lakeql-demo';
}

/** Total assets per dollar of annual revenue, and the share of assets funded by liabilities: banks are the outliers. */
const BALANCE_SHEET: Record<string, { assetsToRevenue: number; leverage: number }> = {
  Financials: { assetsToRevenue: 8, leverage: 0.88 },
  Technology: { assetsToRevenue: 1.5, leverage: 0.55 },
  Energy: { assetsToRevenue: 1.3, leverage: 0.45 },
  'Communication Services': { assetsToRevenue: 2.2, leverage: 0.6 },
};
const DEFAULT_BALANCE_SHEET = { assetsToRevenue: 1.2, leverage: 0.6 };

const QUARTER_END = ['03-31', '06-30', '09-30', '12-31'];

/** The last day of a calendar quarter; the demo pretends every fiscal year is the calendar year. */
export function quarterEnd(year: number, quarter: number): string {
  return `${year}-${QUARTER_END[quarter - 1]}`;
}

/**
 * A quarter's figures: trailing EPS is the quarter-end price over the ticker's P/E (with noise),
 * and everything else follows from EPS, shares, margin and a sector balance-sheet shape.
 * Throws for ETFs, which have no income statement.
 */
export function demoFundamentals(
  ticker: DemoTicker,
  year: number,
  quarter: number,
  quarterEndPrice: number,
  seed = DEMO_SEED,
): DemoFundamentals {
  if (ticker.etf) throw new InvalidInputError(`${ticker.symbol} is a fund: the demo has no fundamentals for it`);
  const th = hashString(ticker.symbol);
  const z = (salt: number) =>
    gaussian(unit(hashInts(seed, th, year, quarter, salt, 0)), unit(hashInts(seed, th, year, quarter, salt, 1)));
  const quartersSince2021 = (year - 2021) * 4 + (quarter - 1);
  // Steady buybacks: about 1.6 % fewer shares a year.
  const shares = Math.round((ticker.sharesBillions * 1e9 * 0.996 ** quartersSince2021) / 1000) * 1000;
  const eps = roundTo((quarterEndPrice / ticker.pe / 4) * (1 + 0.08 * z(1)), 2);
  const netIncome = Math.round(eps * shares);
  const revenue = Math.abs(Math.round((netIncome / ticker.netMargin) * (1 + 0.03 * z(2))));
  const sheet = BALANCE_SHEET[ticker.sector] ?? DEFAULT_BALANCE_SHEET;
  const totalAssets = Math.round(revenue * 4 * sheet.assetsToRevenue * (1 + 0.02 * z(3)));
  const totalLiabilities = Math.round(totalAssets * Math.min(0.97, sheet.leverage * (1 + 0.03 * z(4))));
  const operatingCashFlow = Math.round(Math.abs(netIncome) * (0.1 + 0.15 * z(5)) + netIncome * 1.1);
  return {
    symbol: ticker.symbol,
    year,
    quarter,
    fiscal_period_end: quarterEnd(year, quarter),
    revenue,
    net_income: netIncome,
    eps,
    shares_outstanding: shares,
    total_assets: totalAssets,
    total_liabilities: totalLiabilities,
    operating_cash_flow: operatingCashFlow,
    currency: 'USD',
    source: 'lakeql-demo',
  };
}

/** The document's bytes as the seed writes them: `json.dumps(data, indent=2)`. */
export function fundamentalsJson(doc: DemoFundamentals): string {
  return JSON.stringify(doc, null, 2);
}
