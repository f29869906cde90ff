// The console's entry: lake info, symbol finder, the selected symbol's chart, files, fundamentals and upload, and the jobs panel.
import './style.css';
import { BarsChart } from './chart.js';
import { renderFundamentals, renderYears } from './detail.js';
import { LakeQuery, SymbolDetailQuery, type Timeframe } from './documents.js';
import { byId, h, notice } from './dom.js';
import { apiKey, GraphQLRequestError, request } from './graphql.js';
import { jobsPanel } from './jobs.js';
import { symbolFinder } from './symbols.js';
import { uploadPanel } from './upload.js';

const TIMEFRAMES: { value: Timeframe; label: string }[] = [
  { value: 'MINUTE', label: '1m' }, { value: 'DAY', label: '1D' }, { value: 'WEEK', label: '1W' },
  { value: 'MONTH', label: '1M' }, { value: 'QUARTER', label: '3M' }, { value: 'YEAR', label: '1Y' },
];

let current: string | null = null;
let timeframe: Timeframe = 'DAY';
let chart: BarsChart | undefined;

function showError(error: Error): void {
  const code = error instanceof GraphQLRequestError ? error.code : '';
  notice(code === 'UNAUTHENTICATED' ? 'This gateway needs an API key: enter it at the top right.' : error.message);
}

const finder = symbolFinder((ticker) => void open(ticker), showError);
const uploads = uploadPanel((ticker, year) => {
  if (ticker === current) void open(ticker, year);
});
const jobs = jobsPanel();

/** Selects a symbol: its files and fundamentals, then its bars. `highlight` opens a year that just arrived. */
async function open(ticker: string, highlight?: number): Promise<void> {
  current = ticker;
  finder.select(ticker);
  uploads.setSymbol(ticker);
  history.replaceState(null, '', `#${encodeURIComponent(ticker)}`);
  byId('empty').hidden = true;
  byId('detail').hidden = false;
  byId('ticker').textContent = ticker;
  try {
    const { symbol } = await request(SymbolDetailQuery, { ticker });
    if (current !== ticker) return;
    notice(null);
    const years = symbol?.years ?? [];
    byId('range').textContent = years.length ? `${years[0].year}–${years.at(-1)!.year} · ${years.length} year${years.length === 1 ? '' : 's'}` : 'no data';
    renderYears(years);
    renderFundamentals(years);
    if (highlight !== undefined) byId('years').querySelector(`details[data-year="${highlight}"]`)?.setAttribute('open', '');
    const hasMinute = years.some((y) => y.tickFiles.some((f) => f.resolution === 'MINUTE'));
    renderTimeframes(hasMinute);
    if (timeframe === 'MINUTE' && !hasMinute) timeframe = 'DAY';
    chart ??= new BarsChart(byId('chart'), byId('chart-status'));
    await chart.load(ticker, timeframe);
  } catch (error) {
    showError(error as Error);
  }
}

function renderTimeframes(hasMinute: boolean): void {
  byId('timeframes').replaceChildren(
    ...TIMEFRAMES.filter((t) => t.value !== 'MINUTE' || hasMinute).map((t) =>
      h('button', {
        class: t.value === timeframe ? 'active' : '',
        text: t.label,
        title: t.value.toLowerCase(),
        attrs: { type: 'button', 'data-timeframe': t.value, 'aria-pressed': String(t.value === timeframe) },
        on: {
          click: () => {
            timeframe = t.value;
            renderTimeframes(hasMinute);
            if (current && chart) chart.load(current, timeframe).catch(showError);
          },
        },
      }),
    ),
  );
}

async function start(): Promise<void> {
  const keyInput = byId<HTMLInputElement>('api-key');
  keyInput.value = apiKey.get();
  keyInput.addEventListener('change', () => {
    apiKey.set(keyInput.value.trim());
    void boot();
  });
  await boot();
}

async function boot(): Promise<void> {
  try {
    const { lake } = await request(LakeQuery, {});
    byId('lake').textContent = `${lake.kind === 'S3' ? 'S3' : 'directory'} · ${lake.url}`;
    notice(null);
  } catch (error) {
    showError(error as Error);
    return;
  }
  await finder.refresh();
  void jobs.refresh();
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted) void open(wanted.toUpperCase());
}

void start();
