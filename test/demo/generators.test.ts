// The demo generators on their own: bar invariants, determinism, minute bars agreeing with their day, fundamentals shape.
import { describe, expect, it } from 'vitest';
import type { BarRow } from '../../src/lake/bars/types.js';
import { msToDay, regularSessionMinutes, tradingDays } from '../../src/lake/calendar/nyse.js';
import { demoFundamentals, fundamentalsJson } from '../../src/lake/demo/fundamentals.js';
import { minuteBarsForDay } from '../../src/lake/demo/minute.js';
import { hashInts, mulberry32, unit } from '../../src/lake/demo/prng.js';
import { dailyBars, dailyBarsForYear, WALK_ANCHOR } from '../../src/lake/demo/random-walk.js';
import { DEMO_TICKERS, demoTicker } from '../../src/lake/demo/tickers.js';
import { isTicker } from '../../src/lake/layout.js';

const YEARS = [2021, 2022, 2023, 2024, 2025];
const isCents = (x: number) => Math.abs(x * 100 - Math.round(x * 100)) < 1e-6;

/** What is wrong with a bar, if anything; collected in plain JS because a million expect() calls take seconds. */
function problems(bar: BarRow): string[] {
  const out: string[] = [];
  const at = new Date(bar.time).toISOString();
  if (!(bar.low > 0)) out.push(`${at}: low ${bar.low} ≤ 0`);
  if (!(bar.low <= Math.min(bar.open, bar.close))) out.push(`${at}: low above open/close`);
  if (!(bar.high >= Math.max(bar.open, bar.close))) out.push(`${at}: high below open/close`);
  if (!(bar.vwap! >= bar.low && bar.vwap! <= bar.high)) out.push(`${at}: vwap ${bar.vwap} outside [low, high]`);
  if (!(Number.isSafeInteger(bar.volume) && bar.volume > 0)) out.push(`${at}: volume ${bar.volume}`);
  if (!(Number.isSafeInteger(bar.trades) && bar.trades! > 0)) out.push(`${at}: trades ${bar.trades}`);
  for (const price of [bar.open, bar.high, bar.low, bar.close])
    if (!isCents(price)) out.push(`${at}: ${price} is not whole cents`);
  return out;
}

describe('tickers', () => {
  it('has at least 30 distinct valid tickers, BRK.B and BF-B among them', () => {
    const symbols = DEMO_TICKERS.map((t) => t.symbol);
    expect(symbols.length).toBeGreaterThanOrEqual(30);
    expect(new Set(symbols).size).toBe(symbols.length);
    for (const s of symbols) expect(isTicker(s)).toBe(true);
    expect(symbols).toEqual(expect.arrayContaining(['AAPL', 'MSFT', 'BRK.B', 'BF-B', 'SPY']));
  });

  it('makes up stable parameters for unknown symbols', () => {
    expect(demoTicker('ZZZZ')).toEqual(demoTicker('ZZZZ'));
    expect(demoTicker('ZZZZ').price).toBeGreaterThan(1);
    expect(demoTicker('AAPL')).toBe(DEMO_TICKERS.find((t) => t.symbol === 'AAPL'));
  });
});

describe('prng', () => {
  it('is a pure function of its inputs with uniforms strictly inside (0, 1)', () => {
    expect(hashInts(1, 2, 3)).toBe(hashInts(1, 2, 3));
    expect(hashInts(1, 2, 3)).not.toBe(hashInts(3, 2, 1));
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x > 0 && x < 1).toBe(true);
    }
    expect(unit(0)).toBeGreaterThan(0);
    expect(unit(0xffffffff)).toBeLessThan(1);
  });
});

describe('dailyBars', () => {
  it('gives one sane bar per NYSE trading day for every ticker and year', () => {
    for (const ticker of DEMO_TICKERS) {
      for (const year of YEARS) {
        const bars = dailyBarsForYear(ticker, year);
        expect(bars.map((b) => msToDay(b.time))).toEqual(tradingDays(year));
        expect(bars.flatMap(problems)).toEqual([]);
      }
    }
  });

  it('passes through the anchor price and does not depend on where generation starts', () => {
    const aapl = demoTicker('AAPL');
    const [anchor] = dailyBars(aapl, WALK_ANCHOR, WALK_ANCHOR);
    expect(anchor.close).toBe(aapl.price);
    const all = [2021, 2022, 2023, 2024].flatMap((y) => dailyBarsForYear(aapl, y));
    const slice = dailyBars(aapl, '2023-03-01', '2023-03-31');
    expect(slice).toEqual(all.filter((b) => msToDay(b.time).startsWith('2023-03')));
    // Dates before the anchor walk backwards from it.
    expect(dailyBarsForYear(aapl, 2019)).toHaveLength(252);
    expect(dailyBarsForYear(aapl, 2019).flatMap(problems)).toEqual([]);
  });

  it('is deterministic per seed', () => {
    const msft = demoTicker('MSFT');
    expect(dailyBarsForYear(msft, 2024, 7)).toEqual(dailyBarsForYear(msft, 2024, 7));
    expect(dailyBarsForYear(msft, 2024, 7)).not.toEqual(dailyBarsForYear(msft, 2024, 8));
  });

  it('moves like a stock: daily log-return volatility near the ticker parameter, prices within a plausible band', () => {
    for (const ticker of DEMO_TICKERS) {
      const bars = YEARS.flatMap((y) => dailyBarsForYear(ticker, y));
      const r = bars.slice(1).map((b, i) => Math.log(b.close / bars[i].close));
      const mean = r.reduce((a, b) => a + b, 0) / r.length;
      const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1)) * Math.sqrt(252);
      expect(sd / ticker.volatility).toBeGreaterThan(0.8);
      expect(sd / ticker.volatility).toBeLessThan(1.4);
      const ratios = bars.map((b) => b.close / ticker.price);
      expect(Math.min(...ratios)).toBeGreaterThan(0.2);
      expect(Math.max(...ratios)).toBeLessThan(6);
    }
  });
});

describe('minuteBarsForDay', () => {
  it('gives 390 bars that reproduce the daily bar exactly', () => {
    const mismatches: string[] = [];
    for (const symbol of ['AAPL', 'MSFT', 'SPY', 'BRK.B']) {
      for (const day of dailyBars(demoTicker(symbol), '2025-10-01', '2025-12-31')) {
        const date = msToDay(day.time);
        const bars = minuteBarsForDay(symbol, day);
        const times = regularSessionMinutes(date);
        if (bars.length !== 390 || bars.some((b, i) => b.time !== times[i]))
          mismatches.push(`${symbol} ${date}: minute times`);
        if (bars[0].open !== day.open) mismatches.push(`${symbol} ${date}: first open`);
        if (bars[389].close !== day.close) mismatches.push(`${symbol} ${date}: last close`);
        if (Math.max(...bars.map((b) => b.high)) !== day.high) mismatches.push(`${symbol} ${date}: high`);
        if (Math.min(...bars.map((b) => b.low)) !== day.low) mismatches.push(`${symbol} ${date}: low`);
        if (bars.reduce((a, b) => a + b.volume, 0) !== day.volume) mismatches.push(`${symbol} ${date}: volume`);
        mismatches.push(...bars.flatMap(problems).map((p) => `${symbol} ${p}`));
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('is deterministic', () => {
    const [day] = dailyBars(demoTicker('SPY'), '2025-12-01', '2025-12-01');
    expect(minuteBarsForDay('SPY', day)).toEqual(minuteBarsForDay('SPY', day));
  });
});

describe('demoFundamentals', () => {
  it('has the seed-like snake_case shape and consistent figures', () => {
    const aapl = demoTicker('AAPL');
    const doc = demoFundamentals(aapl, 2024, 3, 220);
    expect(Object.keys(doc)).toEqual([
      'symbol',
      'year',
      'quarter',
      'fiscal_period_end',
      'revenue',
      'net_income',
      'eps',
      'shares_outstanding',
      'total_assets',
      'total_liabilities',
      'operating_cash_flow',
      'currency',
      'source',
    ]);
    expect(doc).toMatchObject({
      symbol: 'AAPL',
      year: 2024,
      quarter: 3,
      fiscal_period_end: '2024-09-30',
      currency: 'USD',
      source: 'lakeql-demo',
    });
    expect(doc.net_income).toBe(Math.round(doc.eps * doc.shares_outstanding));
    expect(doc.revenue).toBeGreaterThan(doc.net_income);
    expect(doc.total_liabilities).toBeLessThan(doc.total_assets);
    // Trailing P/E near the ticker's.
    expect(220 / (doc.eps * 4)).toBeGreaterThan(aapl.pe * 0.7);
    expect(220 / (doc.eps * 4)).toBeLessThan(aapl.pe * 1.4);
    expect(fundamentalsJson(doc)).toBe(JSON.stringify(doc, null, 2));
    expect(fundamentalsJson(doc)).toContain('\n  "net_income": ');
  });

  it('refuses ETFs', () => {
    expect(() => demoFundamentals(demoTicker('SPY'), 2024, 1, 500)).toThrow(/fund/);
  });
});
