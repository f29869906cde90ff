// The console as a trader uses it, in Chromium at desktop and phone sizes: ranges, New York time, legend, overlays, URL state, themes, failures.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ensureConsoleBuilt } from '../../src/console-build.js';
import { ensureDemoLake, planDemoLake } from '../../src/lake/demo/create-demo-lake.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { describeInChromium, launchChromium, RESULTS, requireChromium } from './chromium.js';

describeInChromium('console for a trader', () => {
  let dir: string;
  let app: App;
  let origin: string;
  let browser: Browser;
  let page: Page;

  const shoot = async (name: string, target: Page = page) => {
    await mkdir(RESULTS, { recursive: true });
    await target.screenshot({ path: path.join(RESULTS, `trader-${name}.png`), fullPage: true });
  };
  const onFailureShoot = (name: string, target?: () => Page | undefined) =>
    onTestFailed(() => shoot(`${name}-failed`, target?.() ?? page).catch(() => {}));
  const barsShown = async (p: Page = page) => Number(await p.getAttribute('#chart-status', 'data-bars'));

  beforeAll(async () => {
    requireChromium();
    const built = await ensureConsoleBuilt();
    if (built.status === 'unavailable') throw new Error(`the console could not be built: ${built.reason}`);
    dir = await mkdtemp(path.join(tmpdir(), 'lakeql-trader-'));
    await mkdir(path.join(dir, 'lake'));
    const store = new LocalStore(path.join(dir, 'lake'));
    await ensureDemoLake(store, {
      tickers: ['AAPL', 'MSFT', 'SPY', 'NVDA'],
      years: [2023, 2024],
      minuteSymbols: ['AAPL'],
      minuteMonths: 1,
    });
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_PORT: '0' }), {
      store,
      location: { kind: 'local', directory: path.join(dir, 'lake') },
    });
    origin = new URL(await app.start()).origin;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens a deep link with its range, zooms to it, and keeps the view in the URL (Back and Forward work)', async () => {
    onFailureShoot('deep-link');
    await page.goto(`${origin}/#MSFT?tf=DAY&range=6M`);
    await expect.poll(() => barsShown(), { timeout: 20_000 }).toBeGreaterThan(400);
    expect(await page.getAttribute('[data-range="6M"]', 'aria-pressed')).toBe('true');
    await page.click('[data-range="1M"]');
    await expect.poll(() => page.evaluate(() => location.hash)).toContain('range=1M');
    await page.click('[data-timeframe=WEEK]');
    await expect.poll(() => page.evaluate(() => location.hash)).toContain('tf=WEEK');
    await page.goBack();
    await expect.poll(() => page.evaluate(() => location.hash)).toContain('range=1M');
    await expect.poll(() => page.getAttribute('[data-timeframe=DAY]', 'aria-pressed')).toBe('true');
    await page.goBack();
    await expect.poll(() => page.getAttribute('[data-range="6M"]', 'aria-pressed')).toBe('true');
    await page.goForward();
    await expect.poll(() => page.getAttribute('[data-range="1M"]', 'aria-pressed')).toBe('true');
    expect(await page.textContent('#ticker')).toBe('MSFT');
    await shoot('msft-1m');
  });

  it('starts on a market overview, sortable by column, whose rows open their symbol', async () => {
    onFailureShoot('overview');
    await page.goto(`${origin}/`);
    const tickers = () =>
      page.$$eval('[data-testid=overview] tbody tr', (r) => r.map((x) => x.getAttribute('data-ticker')));
    await expect.poll(tickers, { timeout: 20_000 }).toHaveLength(4);
    const percents = await page.$$eval('[data-testid=overview] tbody tr td:nth-child(4)', (c) =>
      c.map((x) => Number(x.textContent!.replace(/[%,+]/g, ''))),
    );
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
    expect(await page.getAttribute('[data-sort=CHANGE_PERCENT]', 'aria-pressed')).toBeNull();
    expect(await page.getAttribute('th:has([data-sort=CHANGE_PERCENT])', 'aria-sort')).toBe('descending');
    await page.click('[data-sort=TICKER]');
    await expect.poll(tickers).toEqual(['AAPL', 'MSFT', 'NVDA', 'SPY']);
    await page.click('[data-sort=TICKER]');
    await expect.poll(tickers).toEqual(['SPY', 'NVDA', 'MSFT', 'AAPL']);
    await shoot('overview');
    await page.click('[data-testid=overview] tr[data-ticker=NVDA]');
    await expect.poll(() => page.textContent('#ticker')).toBe('NVDA');
    await page.goBack();
    await expect.poll(() => page.isVisible('[data-testid=overview]')).toBe(true);
  });

  it('finds a symbol by company name and opens it with the keyboard alone', async () => {
    onFailureShoot('search');
    await page.goto(`${origin}/`);
    await page.fill('#search', 'micro');
    await expect
      .poll(() => page.$$eval('button.symbol', (b) => b.map((x) => x.getAttribute('data-ticker'))))
      .toEqual(['MSFT']);
    expect(await page.textContent('button.symbol[data-ticker=MSFT]')).toContain('Microsoft Corporation');
    await page.fill('#search', 'corp');
    await expect
      .poll(() => page.$$eval('button.symbol', (b) => b.map((x) => x.getAttribute('data-ticker'))))
      .toEqual(['MSFT', 'NVDA']);
    await page.press('#search', 'ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-ticker'))).toBe('NVDA');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#ticker')).toBe('MSFT');
  });

  it('shows intraday bars on New York time, with a legend of O/H/L/C/V and change', async () => {
    onFailureShoot('intraday');
    await page.mouse.move(0, 0);
    await page.goto(`${origin}/#AAPL?range=1D`);
    await expect.poll(() => barsShown(), { timeout: 20_000 }).toBeGreaterThan(300);
    expect(await page.getAttribute('[data-timeframe=MINUTE]', 'aria-pressed')).toBe('true');
    expect(await page.textContent('#chart-status')).toContain('New York');
    // With no cursor the legend shows the last bar: a regular or extended session minute, never a UTC one.
    const legend = await page.textContent('[data-testid=legend]');
    expect(legend).toMatch(/\d{2}:\d{2} ET/);
    expect(legend).toMatch(/O [\d,.]+.*H [\d,.]+.*L [\d,.]+.*C [\d,.]+.*V [\d,]+/);
    expect(legend).toMatch(/[+-][\d,.]+ \([+-]\d+\.\d\d%\)/);
    // Hovering the middle of the chart moves the legend to that bar; its time reads between 04:00 and 20:00 ET.
    const box = (await page.locator('#chart').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => page.textContent('[data-testid=legend]')).not.toBe(legend);
    const hour = Number((await page.textContent('.legend-time'))!.match(/(\d{2}):\d{2} ET/)![1]);
    expect(hour).toBeGreaterThanOrEqual(4);
    expect(hour).toBeLessThan(20);
    await shoot('aapl-1d');
    // 5-minute bars (bars(every: 5)) over the same days: a fifth as many, still on New York time, on 5-minute marks.
    const minuteBars = await barsShown();
    await page.click('[data-timeframe=MINUTE5]');
    await expect.poll(() => page.evaluate(() => location.hash)).toContain('tf=MINUTE5');
    expect(await page.evaluate(() => location.hash)).toContain('range=1D');
    await expect.poll(() => barsShown(), { timeout: 20_000 }).toBeLessThan(minuteBars / 4);
    expect(await barsShown()).toBeGreaterThan(minuteBars / 6);
    expect(await page.textContent('#chart-status')).toContain('New York');
    await page.mouse.move(0, 0);
    const fiveLegend = (await page.textContent('.legend-time'))!;
    expect(Number(fiveLegend.match(/\d{2}:(\d{2}) ET/)![1]) % 5).toBe(0);
    await page.click('[data-timeframe=HOUR]');
    await expect.poll(() => page.evaluate(() => location.hash)).toContain('tf=HOUR');
    await expect.poll(() => page.textContent('.legend-time')).toMatch(/\d{2}:00 ET/);
  });

  it('adds log scale, moving averages and compared symbols from the toolbar, all kept in the URL', async () => {
    onFailureShoot('overlays');
    await page.goto(`${origin}/#AAPL?tf=DAY&range=1Y`);
    await expect.poll(() => barsShown(), { timeout: 20_000 }).toBeGreaterThan(400);
    await page.check('#log-scale');
    await expect.poll(() => page.evaluate(() => location.hash)).toContain('log=1');
    await page.check('[data-average=sma50]');
    await expect.poll(() => page.evaluate(() => location.hash)).toContain('ma=sma50');
    await page.fill('#compare-input', 'msft, spy ZZZZ');
    await page.press('#compare-input', 'Enter');
    await expect.poll(() => page.evaluate(() => location.hash)).toContain('cmp=MSFT,SPY,ZZZZ');
    await expect.poll(() => page.textContent('#notice')).toContain('ZZZZ');
    expect(await page.$$eval('[data-compare]', (c) => c.map((x) => x.getAttribute('data-compare')))).toEqual([
      'MSFT',
      'SPY',
      'ZZZZ',
    ]);
    // Compare draws percentages, so log scale steps aside until the comparison ends.
    expect(await page.isDisabled('#log-scale')).toBe(true);
    await shoot('aapl-compare');
    await page.click('[data-compare=ZZZZ] button');
    await page.click('[data-compare=SPY] button');
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/cmp=MSFT(&|$)/);
    await page.reload();
    await expect.poll(() => barsShown(), { timeout: 20_000 }).toBeGreaterThan(400);
    expect(await page.isChecked('[data-average=sma50]')).toBe(true);
    expect(await page.$$eval('[data-compare]', (c) => c.map((x) => x.getAttribute('data-compare')))).toEqual(['MSFT']);
  });

  it('draws split-adjusted bars by default and raw or total-return ones on request, kept in the URL', async () => {
    onFailureShoot('adjustment');
    const asked: string[] = [];
    // The console sends its queries as GETs by persisted-document id: the variables are in the URL.
    const onRequest = (r: { url(): string }) => {
      const variables = new URL(r.url()).searchParams.get('variables');
      if (variables?.includes('"timeframe"')) asked.push(JSON.parse(variables).adjustment);
    };
    page.on('request', onRequest);
    try {
      await page.goto(`${origin}/#NVDA?tf=DAY&range=1Y`);
      await expect.poll(() => barsShown(), { timeout: 20_000 }).toBeGreaterThan(400);
      expect(await page.getAttribute('[data-adjustment=SPLIT]', 'aria-pressed')).toBe('true');
      await shoot('nvda-split');
      await page.click('[data-adjustment=RAW]');
      await expect.poll(() => page.evaluate(() => location.hash)).toContain('adj=raw');
      await expect.poll(() => asked).toContain('RAW');
      await shoot('nvda-raw');
      await page.click('[data-adjustment=ALL]');
      await expect.poll(() => asked).toContain('ALL');
      await page.goBack();
      await expect.poll(() => page.getAttribute('[data-adjustment=RAW]', 'aria-pressed')).toBe('true');
      expect(asked[0]).toBe('SPLIT');
    } finally {
      page.off('request', onRequest);
    }
  });

  it('follows the system colour scheme and switches theme with the toggle', async () => {
    onFailureShoot('theme');
    const dark = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    try {
      await dark.goto(`${origin}/#NVDA`);
      await expect.poll(() => barsShown(dark), { timeout: 20_000 }).toBeGreaterThan(400);
      expect(await dark.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      const background = () => dark.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      expect(await background()).toBe('rgb(11, 18, 32)');
      await shoot('dark', dark);
      await dark.click('#theme'); // auto → light
      await expect.poll(() => dark.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
      expect(await background()).toBe('rgb(246, 247, 249)');
      await dark.reload();
      expect(await dark.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    } finally {
      await dark.close();
    }
  });

  it('says when a symbol is not in the lake, and makes adding one a first-class action', async () => {
    onFailureShoot('unknown');
    await page.goto(`${origin}/#ZZZZ`);
    await expect.poll(() => page.textContent('#missing')).toContain('ZZZZ is not in this lake yet');
    expect(await page.isHidden('#notice')).toBe(true);
    expect(await page.textContent('[data-testid=dropzone]')).toContain('ZZZZ');
    await page.fill('#new-symbol-ticker', 'rivn');
    await page.press('#new-symbol-ticker', 'Enter');
    await expect.poll(() => page.textContent('#ticker')).toBe('RIVN');
    await expect.poll(() => page.textContent('#missing')).toContain('RIVN is not in this lake yet');
    const { tasks } = planDemoLake({ tickers: ['RIVN'], years: [2023], minuteSymbols: [] });
    const bytes = tasks.find((t) => t.key === 'data/ticks/daily/RIVN/2023/ticks.parquet')!.body() as Uint8Array;
    const dataTransfer = await page.evaluateHandle(
      ({ data }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(data)], 'rivn-2023.parquet'));
        return transfer;
      },
      { data: [...bytes] },
    );
    await page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer });
    await expect
      .poll(() => page.textContent('[data-testid=upload-status]'), { timeout: 20_000 })
      .toMatch(/^Stored data\/ticks\/daily\/RIVN\/2023/);
    // The new symbol is in the list and its chart is drawn without a reload.
    await expect
      .poll(() => page.$$eval('button.symbol', (b) => b.map((x) => x.getAttribute('data-ticker'))))
      .toContain('RIVN');
    await expect.poll(() => barsShown(), { timeout: 20_000 }).toBeGreaterThan(200);
    expect(await page.isHidden('#missing')).toBe(true);
  });

  it('asks before overwriting a file, and refuses rather than changing a typed year', async () => {
    onFailureShoot('overwrite');
    await page.goto(`${origin}/#MSFT`);
    await expect.poll(() => barsShown(), { timeout: 20_000 }).toBeGreaterThan(400);
    const { tasks } = planDemoLake({ tickers: ['MSFT'], years: [2023], minuteSymbols: [] });
    const bytes = tasks.find((t) => t.key === 'data/ticks/daily/MSFT/2023/ticks.parquet')!.body() as Uint8Array;
    const drop = async (name: string) => {
      const dataTransfer = await page.evaluateHandle(
        ({ data, name }) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(data)], name));
          return transfer;
        },
        { data: [...bytes], name },
      );
      await page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer });
    };
    const before = (await app.services.store.head('data/ticks/daily/MSFT/2023/ticks.parquet')).etag;
    const dialogs: string[] = [];
    page.once('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await drop('msft-2023.parquet');
    await expect
      .poll(() => page.textContent('[data-testid=upload-status]'))
      .toContain('Not uploaded: kept the existing MSFT 2023 daily bars');
    expect(dialogs[0]).toContain('already exist');
    expect((await app.services.store.head('data/ticks/daily/MSFT/2023/ticks.parquet')).etag).toBe(before);
    // A year the user typed wins over the file's name: the upload is refused with the reason, nothing is sent.
    await page.fill('[name=year]', '2020');
    await drop('msft-2023.parquet');
    await expect
      .poll(() => page.textContent('[data-testid=upload-status]'))
      .toContain('file name says 2023 but the year field says 2020');
    expect(await page.getAttribute('[data-testid=upload-status]', 'class')).toContain('error');
    expect(await page.inputValue('[name=year]')).toBe('2020');
  });

  it('names downloads after symbol and year, and offers fundamentals as JSON', async () => {
    await page.goto(`${origin}/#AAPL`);
    await expect.poll(() => page.textContent('#ticker'), { timeout: 20_000 }).toBe('AAPL');
    await expect
      .poll(() => page.$$eval('#years a[download]', (links) => links.map((a) => a.getAttribute('download'))), {
        timeout: 20_000,
      })
      .toContain('AAPL-2024-daily.parquet');
    const names = await page.$$eval('#years a[download]', (links) => links.map((a) => a.getAttribute('download')));
    expect(names).toContain('AAPL-2024-daily.parquet');
    expect(names).toContain('AAPL-2024-Q1.json');
    const json = await page.getAttribute('#fundamentals a[download="AAPL-2024-Q4.json"]', 'href');
    const response = await fetch(new URL(json!, origin));
    expect(response.status).toBe(200);
    expect(JSON.parse(await response.text())).toBeTypeOf('object');
  });

  it('clears what a failed request would have replaced when the gateway stops, and says so', async () => {
    onFailureShoot('offline');
    await page.goto(`${origin}/#AAPL`);
    await expect.poll(() => barsShown(), { timeout: 20_000 }).toBeGreaterThan(400);
    await page.route(/\/graphql(\?|$)/, (route) => route.abort('connectionrefused'));
    try {
      await page.click('button.symbol[data-ticker=MSFT]');
      await expect.poll(() => page.textContent('#notice')).toContain('Cannot reach the lakeql gateway');
      expect(await page.textContent('#ticker')).toBe('MSFT');
      // Nothing of AAPL stays under MSFT's name.
      expect(await barsShown()).toBe(0);
      expect(await page.$$eval('#years details', (d) => d.length)).toBe(0);
      expect(await page.textContent('#fundamentals')).toContain('No fundamentals');
      expect(await page.textContent('[data-testid=legend]')).toBe('');
      await shoot('offline');
    } finally {
      await page.unroute(/\/graphql(\?|$)/);
    }
  });

  it('offers a cancel button and times for running jobs', async () => {
    onFailureShoot('jobs');
    await page.goto(`${origin}/`);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const job = await app.services.transfers.jobs.start({
      kind: 'BACKFILL',
      description: 'held backfill',
      work: async (tracker) => {
        tracker.plan({ totalFiles: 2, totalBytes: 2, skippedFiles: 0 });
        await Promise.race([held, new Promise((resolve) => tracker.signal.addEventListener('abort', resolve))]);
        tracker.signal.throwIfAborted();
      },
    });
    const row = `[data-job="${job.id}"]`;
    await expect.poll(() => page.getAttribute(row, 'data-state'), { timeout: 10_000 }).toBe('RUNNING');
    expect(await page.textContent(`${row} td:nth-child(6)`)).toMatch(/\d\d:\d\d:\d\d · \d/);
    await page.click(`${row} [data-cancel]`);
    await expect.poll(() => page.getAttribute(row, 'data-state'), { timeout: 10_000 }).toBe('CANCELLED');
    release();
    expect((await app.services.transfers.jobs.get(job.id))?.state).toBe('CANCELLED');
  });

  it('fits a phone: no sideways scroll, the key field on screen, and a tapped symbol scrolls to its chart', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    onFailureShoot('phone', () => phone);
    const overflowing = () =>
      phone.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > 390.5 && getComputedStyle(e).display !== 'none')
          .map((e) => `${e.tagName}#${e.id}.${e.className}`)
          .slice(0, 5),
      );
    try {
      await phone.goto(`${origin}/`);
      await expect.poll(() => phone.$$eval('button.symbol', (b) => b.length), { timeout: 20_000 }).toBeGreaterThan(3);
      expect(await overflowing()).toEqual([]);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const key = (await phone.locator('#api-key').boundingBox())!;
      expect(key.x).toBeGreaterThanOrEqual(0);
      expect(key.x + key.width).toBeLessThanOrEqual(390);
      expect(await phone.textContent('#empty')).toContain('Pick a symbol above');
      await shoot('phone-start', phone);
      await phone.tap('button.symbol[data-ticker=SPY]');
      await expect.poll(() => barsShown(phone), { timeout: 20_000 }).toBeGreaterThan(400);
      const chartTop = await phone.evaluate(() => document.getElementById('detail')!.getBoundingClientRect().top);
      expect(Math.abs(chartTop)).toBeLessThan(100);
      expect(await overflowing()).toEqual([]);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await shoot('phone-chart', phone);
    } finally {
      await phone.close();
    }
  });
});
