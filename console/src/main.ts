// The console's entry: the URL's view (symbol, timeframe, range, overlays), the symbol's chart, files and fundamentals, uploads and jobs.
import './style.css';
import { forgetBars, loadBars, type BarRange } from './bars.js';
import { BarsChart } from './chart.js';
import { renderFundamentals, renderYears } from './detail.js';
import { LakeQuery, SymbolDetailQuery, type Bar, type SymbolYear, type Timeframe } from './documents.js';
import { byId, notice } from './dom.js';
import { describeFailure } from './failure.js';
import { apiKey, request } from './graphql.js';
import { jobsPanel } from './jobs.js';
import { overviewPanel } from './overview.js';
import { barsOf, DEFAULT_VIEW, formatView, isIntradayTimeframe, parseView, RANGES, type View } from './route.js';
import { symbolFinder } from './symbols.js';
import { chartTheme, setUpTheme } from './theme.js';
import { shiftDate } from './time.js';
import { chartToolbar } from './toolbar.js';
import { uploadPanel } from './upload.js';

let view: View = parseView(location.hash);
/** The symbol whose detail is shown, and its years as last read. */
let shown: { ticker: string; years: SymbolYear[] } | null = null;
let chart: BarsChart | undefined;
/** Bumped by every navigation: answers to an older one are dropped, never drawn under a newer name. */
let generation = 0;

const finder = symbolFinder((ticker) => go({ ticker, compare: view.compare.filter((t) => t !== ticker) }), failed);
const uploads = uploadPanel((ticker, year) => {
  forgetBars(ticker);
  void finder.refresh();
  if (ticker === view.ticker) void openSymbol(ticker, year);
});
const jobs = jobsPanel();
const overview = overviewPanel((ticker) => go({ ticker, compare: [] }));
const toolbar = chartToolbar({ get: () => view, go });

function failed(error: unknown): void {
  notice(describeFailure(error).message);
}

/** A user's change of view: a new history entry, so Back returns to the previous one. */
function go(change: Partial<View>): void {
  const next = { ...view, ...change };
  // A timeframe and a range must agree: minute bars for intraday ranges, daily or coarser for the rest.
  if (change.timeframe && !change.range) {
    if (isIntradayTimeframe(change.timeframe) && !isIntraday(next)) next.range = '5D';
    if (!isIntradayTimeframe(change.timeframe) && isIntraday(next)) next.range = '1Y';
  }
  if (change.range && change.range !== 'CUSTOM' && !change.timeframe) {
    const preset = RANGES.find((r) => r.id === change.range)!.timeframe;
    // An intraday range keeps an intraday width already chosen (5m, 15m, 1h).
    if (!(isIntradayTimeframe(preset) && isIntradayTimeframe(view.timeframe))) next.timeframe = preset;
  }
  const tickerChanged = next.ticker !== view.ticker;
  view = next;
  history.pushState(null, '', formatView(view) || location.pathname);
  void render(tickerChanged);
}

const isIntraday = (v: View) =>
  v.range === '1D' || v.range === '5D' || (v.range === 'CUSTOM' && isIntradayTimeframe(v.timeframe));

async function render(tickerChanged: boolean): Promise<void> {
  toolbar.render(hasMinute());
  if (!view.ticker) {
    byId('empty').hidden = false;
    byId('detail').hidden = true;
    finder.select('');
    void overview.refresh();
    return;
  }
  if (tickerChanged || shown?.ticker !== view.ticker) await openSymbol(view.ticker);
  else await drawChart();
}

const hasMinute = () => shown?.years.some((y) => y.tickFiles.some((f) => f.resolution === 'MINUTE')) ?? false;

/** Selects a symbol: files and fundamentals, then the chart. `highlight` opens a year that just arrived. */
async function openSymbol(ticker: string, highlight?: number): Promise<void> {
  const mine = ++generation;
  finder.select(ticker);
  uploads.setSymbol(ticker, []);
  byId('empty').hidden = true;
  byId('detail').hidden = false;
  byId('ticker').textContent = ticker;
  byId('range').textContent = 'Loading…';
  byId('chart-status').textContent = 'Loading…';
  byId('chart-status').dataset.bars = '';
  byId('detail').classList.add('loading');
  if (innerWidth < 900) byId('detail').scrollIntoView({ block: 'start' });
  try {
    const { symbol } = await request(SymbolDetailQuery, { ticker });
    if (mine !== generation) return;
    notice(null);
    byId('detail').classList.remove('loading');
    const years = symbol?.years ?? [];
    shown = { ticker, years };
    uploads.setSymbol(ticker, years);
    renderYears(ticker, years);
    renderFundamentals(ticker, years);
    if (!symbol || years.length === 0) {
      clearDetail('No bars.');
      byId('missing').textContent =
        `${ticker} is not in this lake yet. Upload a daily or minute Parquet file below to add it.`;
      byId('missing').hidden = false;
      return;
    }
    byId('missing').hidden = true;
    byId('range').textContent =
      `${years[0].year}–${years.at(-1)!.year} · ${years.length} year${years.length === 1 ? '' : 's'}`;
    if (highlight !== undefined)
      byId('years').querySelector(`details[data-year="${highlight}"]`)?.setAttribute('open', '');
    toolbar.render(hasMinute());
    await drawChart();
  } catch (error) {
    if (mine !== generation) return;
    byId('detail').classList.remove('loading');
    shown = null;
    // Nothing of the previous symbol may stay on screen under this one's name.
    renderYears(ticker, []);
    renderFundamentals(ticker, []);
    clearDetail('Unavailable.');
    failed(error);
  }
}

function clearDetail(message: string): void {
  chart?.clear();
  byId('range').textContent = '';
  byId('chart-status').textContent = message;
  byId('chart-status').dataset.bars = '0';
  byId('legend').replaceChildren();
}

/** The server-side range to read for the view, and the dates to zoom to once it is drawn. */
function plan(v: View): { timeframe: Timeframe; range: BarRange } {
  const { timeframe, every } = barsOf(v.timeframe);
  if (v.range === 'CUSTOM') return { timeframe, range: { from: v.from, to: v.to, adjustment: v.adjustment, every } };
  if (isIntraday(v)) {
    // Minute bars of the newest minute file's month and the week before it: enough for five sessions.
    const last = shown!.years
      .flatMap((y) =>
        y.tickFiles
          .filter((f) => f.resolution === 'MINUTE')
          .map((f) => `${y.year}-${String(f.month).padStart(2, '0')}-01`),
      )
      .sort()
      .at(-1)!;
    const intraday = isIntradayTimeframe(v.timeframe)
      ? { timeframe, every }
      : { timeframe: 'MINUTE' as const, every: 1 };
    return {
      timeframe: intraday.timeframe,
      range: { from: shiftDate(last, { days: -7 }), to: null, adjustment: v.adjustment, every: intraday.every },
    };
  }
  return { timeframe, range: { from: null, to: null, adjustment: v.adjustment, every } };
}

function zoomFor(v: View, bars: Bar[]): { from: string | null; to: string | null } {
  const last = bars.at(-1)?.date;
  if (!last) return { from: null, to: null };
  switch (v.range) {
    case '1D':
    case '5D': {
      const dates = [...new Set(bars.map((b) => b.date))];
      return { from: dates.at(v.range === '1D' ? -1 : -5) ?? dates[0], to: null };
    }
    case '1M':
      return { from: shiftDate(last, { months: -1 }), to: null };
    case '6M':
      return { from: shiftDate(last, { months: -6 }), to: null };
    case 'YTD':
      return { from: `${last.slice(0, 4)}-01-01`, to: null };
    case '1Y':
      return { from: shiftDate(last, { years: -1 }), to: null };
    case '5Y':
      return { from: shiftDate(last, { years: -5 }), to: null };
    case 'CUSTOM':
      return { from: v.from, to: v.to };
    default:
      return { from: null, to: null };
  }
}

async function drawChart(): Promise<void> {
  if (!shown) return;
  const mine = generation;
  const v = { ...view };
  if (isIntraday(v) && !hasMinute()) {
    v.range = '1M';
    v.timeframe = 'DAY';
  }
  const { timeframe, range } = plan(v);
  chart ??= new BarsChart(byId('chart'), byId('legend'));
  chart.setTheme(chartTheme());
  byId('chart-status').textContent = 'Loading bars…';
  byId('chart-status').dataset.bars = '';
  try {
    const [bars, ...others] = (await Promise.all([
      loadBars(shown.ticker, timeframe, range),
      ...v.compare.map((t) => loadBars(t, timeframe, range).then((b) => ({ ticker: t, bars: b }))),
    ])) as [Bar[] | null, ...{ ticker: string; bars: Bar[] | null }[]];
    if (mine !== generation || shown?.ticker !== v.ticker) return;
    const unknown = others.filter((o) => o.bars === null).map((o) => o.ticker);
    if (unknown.length) notice(`Not in this lake, so not compared: ${unknown.join(', ')}`);
    chart.show(bars ?? [], timeframe);
    chart.setAverages(v.averages);
    chart.setLog(v.log);
    chart.setCompare(others.filter((o) => o.bars !== null) as { ticker: string; bars: Bar[] }[]);
    const zoom = zoomFor(v, bars ?? []);
    chart.zoom(zoom.from, zoom.to);
    toolbar.showCompared(chart.comparedColors);
    const count = bars?.length ?? 0;
    const status = byId('chart-status');
    status.dataset.bars = String(count);
    status.textContent =
      count === 0
        ? 'No bars at this timeframe.'
        : `${count.toLocaleString()} bars, ${bars![0].date} to ${bars!.at(-1)!.date}${timeframe === 'MINUTE' || timeframe === 'HOUR' ? ' · times in New York (ET)' : ''}${v.range !== view.range ? ` · no minute bars for ${v.ticker}, showing daily` : ''}`;
  } catch (error) {
    if (mine !== generation) return;
    chart.clear();
    byId('chart-status').textContent = `Bars unavailable: ${describeFailure(error).message}`;
    byId('chart-status').dataset.bars = '0';
    failed(error);
  }
}

async function boot(): Promise<void> {
  try {
    const { lake } = await request(LakeQuery, {});
    byId('lake').textContent = `${lake.kind === 'S3' ? 'S3' : 'directory'} · ${lake.url}`;
    notice(null);
  } catch (error) {
    failed(error);
    return;
  }
  await finder.refresh();
  void jobs.refresh();
  await render(true);
}

function start(): void {
  const keyInput = byId<HTMLInputElement>('api-key');
  keyInput.value = apiKey.get();
  keyInput.addEventListener('change', () => {
    apiKey.set(keyInput.value.trim());
    void boot();
  });
  setUpTheme(byId<HTMLButtonElement>('theme'), () => chart?.setTheme(chartTheme()));
  // Back and Forward move between views; a hand-edited hash or a followed link is a view too.
  const follow = () => {
    const next = parseView(location.hash);
    // popstate and hashchange both fire for one hash navigation: the second finds the view already taken.
    if (formatView(next) === formatView(view)) return;
    const tickerChanged = next.ticker !== view.ticker;
    view = next;
    void render(tickerChanged);
  };
  addEventListener('popstate', follow);
  addEventListener('hashchange', follow);
  byId<HTMLFormElement>('new-symbol').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = byId<HTMLInputElement>('new-symbol-ticker');
    const ticker = input.value.trim().toUpperCase();
    if (!/^[A-Z0-9][A-Z0-9.-]{0,14}$/.test(ticker)) {
      notice('A ticker is 1–15 letters, digits, dots or dashes, e.g. BRK.B.');
      return;
    }
    input.value = '';
    go({ ...DEFAULT_VIEW, ticker });
  });
  void boot();
}

start();
