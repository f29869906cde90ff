// What the console shows, as the URL's hash: symbol, timeframe, range, scale, averages and compared symbols (Back and Forward work).
import type { Adjustment, Timeframe } from './documents.js';
import { AVERAGES, type AverageId } from './indicators.js';

export type RangeId = '1D' | '5D' | '1M' | '6M' | 'YTD' | '1Y' | '5Y' | 'ALL' | 'CUSTOM';

/** Presets as traders know them; intraday ones read minute bars, the rest the timeframe they name. */
export const RANGES: { id: Exclude<RangeId, 'CUSTOM'>; label: string; timeframe: Timeframe }[] = [
  { id: '1D', label: '1D', timeframe: 'MINUTE' },
  { id: '5D', label: '5D', timeframe: 'MINUTE' },
  { id: '1M', label: '1M', timeframe: 'DAY' },
  { id: '6M', label: '6M', timeframe: 'DAY' },
  { id: 'YTD', label: 'YTD', timeframe: 'DAY' },
  { id: '1Y', label: '1Y', timeframe: 'DAY' },
  { id: '5Y', label: '5Y', timeframe: 'WEEK' },
  { id: 'ALL', label: 'All', timeframe: 'WEEK' },
];

/** The chart's bar widths: a timeframe, or minute multiples asked for with `every`. */
export type ChartTimeframe = Timeframe | 'MINUTE5' | 'MINUTE15';

export const TIMEFRAMES: { value: ChartTimeframe; label: string }[] = [
  { value: 'MINUTE', label: '1m' },
  { value: 'MINUTE5', label: '5m' },
  { value: 'MINUTE15', label: '15m' },
  { value: 'HOUR', label: '1h' },
  { value: 'DAY', label: '1D' },
  { value: 'WEEK', label: '1W' },
  { value: 'MONTH', label: '1M' },
  { value: 'QUARTER', label: '3M' },
  { value: 'YEAR', label: '1Y' },
];

/** The bars argument of a chart timeframe: `MINUTE5` is `timeframe: MINUTE, every: 5`. */
export function barsOf(tf: ChartTimeframe): { timeframe: Timeframe; every: number } {
  const m = /^MINUTE(\d+)$/.exec(tf);
  return m ? { timeframe: 'MINUTE', every: Number(m[1]) } : { timeframe: tf as Timeframe, every: 1 };
}

/** Bars built from minute files and drawn on New York's clock. */
export const isIntradayTimeframe = (tf: ChartTimeframe): boolean => tf.startsWith('MINUTE') || tf === 'HOUR';

export interface View {
  ticker: string | null;
  timeframe: ChartTimeframe;
  range: RangeId;
  /** Only for CUSTOM: inclusive New York dates. */
  from: string | null;
  to: string | null;
  log: boolean;
  averages: AverageId[];
  /** Up to MAX_COMPARE other symbols, drawn as % change from the range's start. */
  compare: string[];
  /** Corporate-action adjustment of the bars; split-adjusted by default, so a split is no crash on the chart. */
  adjustment: Adjustment;
}

export const ADJUSTMENTS: { value: Adjustment; label: string; title: string }[] = [
  { value: 'RAW', label: 'Raw', title: 'Prices as traded' },
  { value: 'SPLIT', label: 'Splits', title: 'Adjusted for splits' },
  { value: 'ALL', label: 'Splits + dividends', title: 'Adjusted for splits and cash dividends (total return)' },
];

export const MAX_COMPARE = 5;
const TICKER = /^[A-Z0-9][A-Z0-9.-]{0,14}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const DEFAULT_VIEW: View = {
  ticker: null,
  timeframe: 'DAY',
  range: '1Y',
  from: null,
  to: null,
  log: false,
  averages: [],
  compare: [],
  adjustment: 'SPLIT',
};

/** Reads `#AAPL?tf=DAY&range=1Y&log=1&ma=sma50&cmp=MSFT,SPY`; anything unknown falls back to the default. */
export function parseView(hash: string): View {
  const [head, query = ''] = hash.replace(/^#/, '').split('?', 2);
  const params = new URLSearchParams(query);
  const ticker = decodeURIComponent(head ?? '')
    .trim()
    .toUpperCase();
  const tf = params.get('tf') as ChartTimeframe | null;
  const range = (params.get('range') ?? '').toUpperCase() as RangeId;
  const from = params.get('from');
  const to = params.get('to');
  return {
    ticker: TICKER.test(ticker) ? ticker : null,
    // Without a timeframe, a preset range brings its own (minute bars for 1D and 5D).
    timeframe: TIMEFRAMES.some((t) => t.value === tf)
      ? tf!
      : (RANGES.find((r) => r.id === range)?.timeframe ?? DEFAULT_VIEW.timeframe),
    range: range === 'CUSTOM' || RANGES.some((r) => r.id === range) ? range : DEFAULT_VIEW.range,
    from: from && DATE.test(from) ? from : null,
    to: to && DATE.test(to) ? to : null,
    log: params.get('log') === '1',
    averages: (params.get('ma') ?? '').split(',').filter((id): id is AverageId => AVERAGES.some((a) => a.id === id)),
    compare: [
      ...new Set(
        (params.get('cmp') ?? '')
          .toUpperCase()
          .split(',')
          .filter((t) => TICKER.test(t) && t !== ticker),
      ),
    ].slice(0, MAX_COMPARE),
    adjustment:
      ADJUSTMENTS.find((a) => a.value === (params.get('adj') ?? '').toUpperCase())?.value ?? DEFAULT_VIEW.adjustment,
  };
}

export function formatView(view: View): string {
  if (!view.ticker) return '';
  const params = new URLSearchParams();
  params.set('tf', view.timeframe);
  params.set('range', view.range);
  if (view.range === 'CUSTOM') {
    if (view.from) params.set('from', view.from);
    if (view.to) params.set('to', view.to);
  }
  if (view.log) params.set('log', '1');
  if (view.averages.length) params.set('ma', view.averages.join(','));
  if (view.compare.length) params.set('cmp', view.compare.join(','));
  if (view.adjustment !== DEFAULT_VIEW.adjustment) params.set('adj', view.adjustment.toLowerCase());
  return `#${encodeURIComponent(view.ticker)}?${params.toString().replace(/%2C/g, ',')}`;
}
