// The candlestick chart (lightweight-charts) with volume below, fed by Symbol.bars at the chosen timeframe.
import { CandlestickSeries, createChart, HistogramSeries, type IChartApi, type ISeriesApi, type Time, type UTCTimestamp } from 'lightweight-charts';
import { BarsQuery, type Bar, type Timeframe } from './documents.js';
import { request, type ResultOf } from './graphql.js';

export const UP = '#26a69a';
export const DOWN = '#ef5350';
/** Bars per request: well under the schema's 10,000 cap and the gateway's cost limit. */
const PAGE = 5000;
/** A whole minute history is large; the chart shows the most recent this many bars. */
const MAX_BARS = 60_000;

export class BarsChart {
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly volume: ISeriesApi<'Histogram'>;
  private loading: AbortController | undefined;

  constructor(container: HTMLElement, private readonly status: HTMLElement) {
    this.chart = createChart(container, {
      autoSize: true,
      layout: { background: { color: '#ffffff' }, textColor: '#334155', fontFamily: 'system-ui, sans-serif' },
      grid: { vertLines: { color: '#f1f5f9' }, horzLines: { color: '#f1f5f9' } },
      rightPriceScale: { borderColor: '#e2e8f0' },
      timeScale: { borderColor: '#e2e8f0' },
    });
    this.candles = this.chart.addSeries(CandlestickSeries, { upColor: UP, downColor: DOWN, borderVisible: false, wickUpColor: UP, wickDownColor: DOWN });
    // An overlay scale with no labels of its own: its numbers would sit on top of the price axis.
    this.volume = this.chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: 'volume', lastValueVisible: false, priceLineVisible: false });
    // Volume takes the bottom fifth, under the candles.
    this.chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.05, bottom: 0.25 } });
  }

  /** Loads every page of bars (newest MAX_BARS kept); a newer call cancels an older one still loading. */
  async load(ticker: string, timeframe: Timeframe): Promise<number> {
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    this.status.textContent = 'Loading bars…';
    const bars: Bar[] = [];
    let after: string | null = null;
    try {
      do {
        const result: ResultOf<typeof BarsQuery> = await request(BarsQuery, { ticker, timeframe, first: PAGE, after }, controller.signal);
        const page = result.symbol?.bars;
        if (!page?.nodes || !page.pageInfo) throw new Error('a bar file could not be read');
        bars.push(...page.nodes);
        if (bars.length > MAX_BARS) bars.splice(0, bars.length - MAX_BARS);
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after && !controller.signal.aborted);
    } catch (error) {
      if (controller.signal.aborted) return 0;
      this.status.textContent = `Bars unavailable: ${(error as Error).message}`;
      throw error;
    }
    if (controller.signal.aborted) return 0;
    this.show(bars, timeframe);
    this.status.textContent = bars.length === 0 ? 'No bars at this timeframe.' : `${bars.length.toLocaleString()} bars, ${bars[0].date} to ${bars.at(-1)!.date}`;
    this.status.dataset.bars = String(bars.length);
    return bars.length;
  }

  private show(bars: Bar[], timeframe: Timeframe): void {
    const complete = bars.filter((b) => b.open !== null && b.high !== null && b.low !== null && b.close !== null);
    // Minute bars need their time of day; coarser bars are calendar dates (no time-zone shifts).
    const time = (b: Bar): Time => (timeframe === 'MINUTE' ? ((Date.parse(b.time) / 1000) as UTCTimestamp) : b.date);
    this.candles.setData(complete.map((b) => ({ time: time(b), open: b.open!, high: b.high!, low: b.low!, close: b.close! })));
    this.volume.setData(complete.map((b) => ({ time: time(b), value: b.volume ?? 0, color: b.close! >= b.open! ? `${UP}80` : `${DOWN}80` })));
    this.chart.applyOptions({ timeScale: { timeVisible: timeframe === 'MINUTE', secondsVisible: false } });
    this.chart.timeScale().fitContent();
  }
}
