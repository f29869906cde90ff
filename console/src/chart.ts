// The price chart (lightweight-charts): candles in New York time, volume on its own hidden scale, legend, log scale, averages and compared symbols.
import {
  CandlestickSeries,
  createChart,
  HistogramSeries,
  LineSeries,
  PriceScaleMode,
  type IChartApi,
  type ISeriesApi,
  type MouseEventParams,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { Bar, Timeframe } from './documents.js';
import { h } from './dom.js';
import { AVERAGES, type AverageId } from './indicators.js';
import { formatChartTime, toNewYorkChartTime } from './time.js';

export const UP = '#26a69a';
export const DOWN = '#ef5350';
/** Colours for compared symbols, in the order they were added. */
const COMPARE_COLORS = ['#2563eb', '#d97706', '#7c3aed', '#db2777', '#0891b2'];

export interface ChartTheme {
  background: string;
  text: string;
  grid: string;
  border: string;
}

/** Bars with every price present: what can be drawn as a candle. */
type Drawn = Bar & { open: number; high: number; low: number; close: number; t: Time };

export class BarsChart {
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly volume: ISeriesApi<'Histogram'>;
  private readonly averages = new Map<AverageId, ISeriesApi<'Line'>>();
  private readonly compared = new Map<string, ISeriesApi<'Line'>>();
  private drawn: Drawn[] = [];
  private byTime = new Map<Time, number>();
  private intraday = false;
  private log = false;

  constructor(
    container: HTMLElement,
    private readonly legend: HTMLElement,
  ) {
    this.chart = createChart(container, {
      autoSize: true,
      layout: { fontFamily: 'system-ui, sans-serif' },
      // Room for the last label: the time scale does not clip the newest bar's date against the edge.
      timeScale: { rightOffset: 4, shiftVisibleRangeOnNewBar: false },
      localization: { timeFormatter: (t: Time) => formatChartTime(t as number, this.intraday) },
    });
    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderVisible: false,
      wickUpColor: UP,
      wickDownColor: DOWN,
    });
    // Volume sits on an overlay scale of its own, with no labels, so its numbers never mix with prices.
    this.volume = this.chart.addSeries(HistogramSeries, {
      priceFormat: { type: 'volume' },
      priceScaleId: 'volume',
      lastValueVisible: false,
      priceLineVisible: false,
    });
    this.chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 }, visible: false });
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
    this.chart.subscribeCrosshairMove((param) => this.showLegend(param));
  }

  setTheme(theme: ChartTheme): void {
    this.chart.applyOptions({
      layout: { background: { color: theme.background }, textColor: theme.text },
      grid: { vertLines: { color: theme.grid }, horzLines: { color: theme.grid } },
      rightPriceScale: { borderColor: theme.border },
      timeScale: { borderColor: theme.border },
    });
  }

  /** Draws a symbol's bars: minute and hour bars on New York's clock, coarser ones as plain dates. */
  show(bars: Bar[], timeframe: Timeframe): void {
    this.intraday = timeframe === 'MINUTE' || timeframe === 'HOUR';
    const time = (b: Bar): Time => (this.intraday ? (toNewYorkChartTime(b.time) as UTCTimestamp) : b.date);
    this.drawn = bars
      .filter((b) => b.open !== null && b.high !== null && b.low !== null && b.close !== null)
      .map((b) => ({ ...b, t: time(b) }) as Drawn);
    this.byTime = new Map(this.drawn.map((b, i) => [b.t, i]));
    this.candles.setData(
      this.drawn.map((b) => ({ time: b.t, open: b.open, high: b.high, low: b.low, close: b.close })),
    );
    this.volume.setData(
      this.drawn.map((b) => ({ time: b.t, value: b.volume ?? 0, color: b.close >= b.open ? `${UP}80` : `${DOWN}80` })),
    );
    this.chart.applyOptions({ timeScale: { timeVisible: this.intraday, secondsVisible: false } });
    for (const [id, series] of this.averages) series.setData(this.averageData(id));
    this.showLegend(undefined);
  }

  /** Clears everything drawn: a failed load must not leave another symbol's chart under a new name. */
  clear(): void {
    this.show([], 'DAY');
    this.setCompare([]);
  }

  /** Zooms to [from, to] (New York dates, inclusive); null ends mean the data's own ends. */
  zoom(from: string | null, to: string | null): void {
    if (this.drawn.length === 0) return;
    const first = from ? this.drawn.findIndex((b) => b.date >= from) : 0;
    let last = this.drawn.length - 1;
    if (to) while (last > 0 && this.drawn[last].date > to) last--;
    if (first < 0 || first > last) {
      this.chart.timeScale().fitContent();
      return;
    }
    this.chart.timeScale().setVisibleLogicalRange({ from: first - 0.5, to: last + 4 });
  }

  setLog(log: boolean): void {
    this.log = log;
    this.applyMode();
  }

  setAverages(ids: readonly AverageId[]): void {
    for (const [id, series] of this.averages) {
      if (ids.includes(id)) continue;
      this.chart.removeSeries(series);
      this.averages.delete(id);
    }
    for (const id of ids) {
      if (this.averages.has(id)) continue;
      const spec = AVERAGES.find((a) => a.id === id)!;
      const series = this.chart.addSeries(LineSeries, {
        color: spec.color,
        lineWidth: 1,
        priceLineVisible: false,
        lastValueVisible: false,
        crosshairMarkerVisible: false,
        title: spec.label,
      });
      series.setData(this.averageData(id));
      this.averages.set(id, series);
    }
  }

  /** Other symbols as lines on the same scale, which switches to % change from the first visible bar. */
  setCompare(others: { ticker: string; bars: Bar[] }[]): void {
    for (const [ticker, series] of this.compared) {
      if (others.some((o) => o.ticker === ticker)) continue;
      this.chart.removeSeries(series);
      this.compared.delete(ticker);
    }
    others.forEach(({ ticker, bars }, i) => {
      let series = this.compared.get(ticker);
      if (!series) {
        series = this.chart.addSeries(LineSeries, {
          color: COMPARE_COLORS[i % COMPARE_COLORS.length],
          lineWidth: 2,
          priceLineVisible: false,
          title: ticker,
        });
        this.compared.set(ticker, series);
      }
      const time = (b: Bar): Time => (this.intraday ? (toNewYorkChartTime(b.time) as UTCTimestamp) : b.date);
      series.setData(bars.filter((b) => b.close !== null).map((b) => ({ time: time(b), value: b.close! })));
    });
    this.applyMode();
  }

  get comparedColors(): Map<string, string> {
    return new Map([...this.compared.keys()].map((t, i) => [t, COMPARE_COLORS[i % COMPARE_COLORS.length]]));
  }

  private applyMode(): void {
    const mode =
      this.compared.size > 0
        ? PriceScaleMode.Percentage
        : this.log
          ? PriceScaleMode.Logarithmic
          : PriceScaleMode.Normal;
    this.candles.priceScale().applyOptions({ mode });
  }

  private averageData(id: AverageId): { time: Time; value: number }[] {
    const spec = AVERAGES.find((a) => a.id === id)!;
    const values = spec.compute(this.drawn.map((b) => b.close));
    return this.drawn.flatMap((b, i) => (values[i] === null ? [] : [{ time: b.t, value: values[i]! }]));
  }

  /** O/H/L/C/V and change against the previous bar's close, for the bar under the cursor (else the last). */
  private showLegend(param: MouseEventParams | undefined): void {
    const index = param?.time !== undefined ? this.byTime.get(param.time) : this.drawn.length - 1;
    if (index === undefined || index < 0 || !this.drawn[index]) {
      this.legend.replaceChildren();
      return;
    }
    const bar = this.drawn[index];
    const previous = this.drawn[index - 1];
    const change = previous ? bar.close - previous.close : null;
    const percent = previous && previous.close !== 0 ? (change! / previous.close) * 100 : null;
    const price = (n: number) =>
      n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: n < 1 ? 4 : 2 });
    const field = (label: string, value: string, cls = '') =>
      h('span', { class: `legend-field ${cls}` }, h('span', { class: 'muted', text: `${label} ` }), value);
    const direction = change === null ? '' : change >= 0 ? 'up' : 'down';
    const fields: Node[] = [
      h('span', {
        class: 'legend-time',
        text: formatChartTime(
          typeof bar.t === 'number' ? bar.t : Date.parse(`${bar.date}T00:00:00Z`) / 1000,
          this.intraday,
        ),
      }),
      field('O', price(bar.open)),
      field('H', price(bar.high)),
      field('L', price(bar.low)),
      field('C', price(bar.close), direction),
      field('V', bar.volume === null ? '—' : Math.round(bar.volume).toLocaleString('en-US')),
    ];
    if (percent !== null)
      fields.push(
        h('span', {
          class: `legend-field ${direction}`,
          text: `${change! >= 0 ? '+' : ''}${price(change!)} (${percent >= 0 ? '+' : ''}${percent.toFixed(2)}%)`,
        }),
      );
    this.legend.replaceChildren(...fields);
    this.legend.dataset.date = bar.date;
  }
}
