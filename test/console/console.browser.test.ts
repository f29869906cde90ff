// The web console in Debian's Chromium (playwright-core): pick a symbol, the chart draws, upload a file to 100% as its job reports, the new year appears, jobs stream.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page, Request as PageRequest } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ensureConsoleBuilt } from '../../src/console-build.js';
import { ensureDemoLake, planDemoLake } from '../../src/lake/demo/create-demo-lake.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { describeInChromium, launchChromium, RESULTS, requireChromium } from './chromium.js';

describeInChromium('web console in Chromium', () => {
  let dir: string;
  let app: App;
  let origin: string;
  let browser: Browser;
  let page: Page;

  /** On failure, what the page looked like goes to test-results/ (CI keeps the folder). */
  function screenshotOnFailure(name: string): void {
    onTestFailed(async () => {
      await mkdir(RESULTS, { recursive: true });
      await page?.screenshot({ path: path.join(RESULTS, `console-${name}.png`), fullPage: true }).catch(() => {});
    });
  }

  beforeAll(async () => {
    requireChromium();
    const built = await ensureConsoleBuilt();
    if (built.status === 'unavailable') throw new Error(`the console could not be built: ${built.reason}`);
    dir = await mkdtemp(path.join(tmpdir(), 'lakeql-console-'));
    await mkdir(path.join(dir, 'lake'));
    const store = new LocalStore(path.join(dir, 'lake'));
    await ensureDemoLake(store, {
      tickers: ['AAPL', 'MSFT', 'SPY'],
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
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Pixels of the chart's canvases close to the candle colours: a blank or failed chart has none. */
  const candlePixels = () =>
    page.evaluate(() => {
      const near = (r: number, g: number, b: number, [R, G, B]: number[]) =>
        Math.abs(r - R) + Math.abs(g - G) + Math.abs(b - B) < 40;
      let up = 0;
      let down = 0;
      for (const canvas of document.querySelectorAll<HTMLCanvasElement>('#chart canvas')) {
        const ctx = canvas.getContext('2d');
        if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3] < 200) continue;
          if (near(data[i], data[i + 1], data[i + 2], [0x26, 0xa6, 0x9a])) up++;
          else if (near(data[i], data[i + 1], data[i + 2], [0xef, 0x53, 0x50])) down++;
        }
      }
      return { up, down };
    });

  const barsShown = async () => Number(await page.getAttribute('#chart-status', 'data-bars'));

  it('finds a symbol and draws its candlestick chart', async () => {
    screenshotOnFailure('chart');
    await page.goto(`${origin}/`);
    await expect.poll(() => page.textContent('[data-testid=lake]')).toContain('directory');
    await page.fill('#search', 'aa');
    await expect
      .poll(() => page.$$eval('button.symbol', (b) => b.map((x) => x.getAttribute('data-ticker'))))
      .toEqual(['AAPL']);
    await page.press('#search', 'Enter');
    await expect.poll(barsShown, { timeout: 20_000 }).toBeGreaterThan(400);
    await expect.poll(() => page.textContent('#ticker')).toBe('AAPL');
    const pixels = await candlePixels();
    expect(pixels.up).toBeGreaterThan(500);
    expect(pixels.down).toBeGreaterThan(500);
    // Years with their files and links, and the fundamentals table.
    expect(await page.$$eval('#years details', (d) => d.map((x) => x.getAttribute('data-year')))).toEqual([
      '2024',
      '2023',
    ]);
    const link = await page.getAttribute('#years details[data-year="2024"] a', 'href');
    expect((await fetch(new URL(link!, origin))).status).toBe(200);
    expect(await page.$$eval('#fundamentals tbody tr', (rows) => rows.length)).toBe(8);
    if (process.env.LAKEQL_SCREENSHOTS)
      await page.screenshot({ path: path.join(RESULTS, 'console-chart-ok.png'), fullPage: true });
  });

  it('switches timeframe and redraws from coarser bars, minute bars included', async () => {
    screenshotOnFailure('timeframe');
    const daily = await barsShown();
    await page.click('[data-timeframe=WEEK]');
    await expect.poll(barsShown).toBeLessThan(daily / 4);
    expect(await page.getAttribute('[data-timeframe=WEEK]', 'aria-pressed')).toBe('true');
    expect((await candlePixels()).up).toBeGreaterThan(100);
    await page.click('[data-timeframe=MINUTE]');
    await expect.poll(barsShown, { timeout: 20_000 }).toBeGreaterThan(daily * 5);
    expect((await candlePixels()).up).toBeGreaterThan(100);
    if (process.env.LAKEQL_SCREENSHOTS) await page.screenshot({ path: path.join(RESULTS, 'console-minute-ok.png') });
    await page.click('[data-timeframe=DAY]');
    await expect.poll(barsShown).toBe(daily);
  });

  /** Every value the upload bar takes, seen by the page itself, with the job snapshot (id, state, seq) the bar says it shows. */
  const watchUploadBar = () =>
    page.evaluate(() => {
      const bar = document.querySelector<HTMLElement>('[data-testid=upload-progress]')!;
      const seen: { value: number; job?: string; state?: string; seq?: number }[] = ((window as any).__progress = []);
      new MutationObserver(() =>
        seen.push({
          value: Number(bar.getAttribute('aria-valuenow')),
          job: bar.dataset.job,
          state: bar.dataset.state,
          seq: bar.dataset.seq === undefined ? undefined : Number(bar.dataset.seq),
        }),
      ).observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] });
    });
  type BarValue = { value: number; job?: string; state?: string; seq?: number };

  it('uploads a dropped Parquet file as an UPLOAD job, the bar fed by jobProgress up to 100%, and the new year appears', async () => {
    screenshotOnFailure('upload');
    const { tasks } = planDemoLake({ tickers: ['AAPL'], years: [2019], minuteSymbols: [] });
    const bytes = tasks.find((t) => t.key === 'data/ticks/daily/AAPL/2019/ticks.parquet')!.body() as Uint8Array;
    const subscribed: string[] = [];
    const onRequest = (r: PageRequest) => {
      if (r.headers().accept === 'text/event-stream' && r.method() === 'POST')
        subscribed.push(JSON.parse(r.postData()!).variables.id);
    };
    page.on('request', onRequest);
    await watchUploadBar();
    const dataTransfer = await page.evaluateHandle(
      ({ data, name }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(data)], name, { type: 'application/vnd.apache.parquet' }));
        return transfer;
      },
      { data: [...bytes], name: 'AAPL-2019.parquet' },
    );
    await page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer });
    await expect
      .poll(() => page.textContent('[data-testid=upload-status]'), { timeout: 20_000 })
      .toMatch(/^Stored data\/ticks\/daily\/AAPL\/2019\/ticks\.parquet/);
    page.off('request', onRequest);
    const seen: BarValue[] = await page.evaluate(() => (window as any).__progress);
    // Only the reset to 0 comes from elsewhere: every other value the bar took came with a snapshot of one job.
    const fromJob = seen.filter((s) => s.job !== undefined);
    expect(seen.filter((s) => s.job === undefined).every((s) => s.value === 0)).toBe(true);
    const jobId = fromJob[0].job!;
    expect(fromJob.every((s) => s.job === jobId)).toBe(true);
    expect(fromJob.at(-1)).toMatchObject({ value: 100, state: 'SUCCEEDED' });
    expect(fromJob.map((s) => s.value)).toEqual(fromJob.map((s) => s.value).sort((a, b) => a - b));
    expect(fromJob.map((s) => s.seq!)).toEqual(fromJob.map((s) => s.seq!).sort((a, b) => a - b));
    // The page followed that job over the subscription, and the job is what the gateway reports.
    expect(subscribed).toContain(jobId);
    expect(await page.getAttribute('[data-testid=upload-progress]', 'data-state')).toBe('SUCCEEDED');
    expect(await app.services.transfers!.jobs.get(jobId)).toMatchObject({
      kind: 'UPLOAD',
      state: 'SUCCEEDED',
      key: 'data/ticks/daily/AAPL/2019/ticks.parquet',
      totalFiles: 1,
      doneFiles: 1,
      totalBytes: bytes.byteLength,
      transferredBytes: bytes.byteLength,
    });
    expect(await page.textContent('[data-testid=upload-sent]')).toBe('Sent to the gateway: 100%');
    await expect
      .poll(() => page.$$eval('#years details', (d) => d.map((x) => x.getAttribute('data-year'))))
      .toEqual(['2024', '2023', '2019']);
    expect(await page.getAttribute('#years details[data-year="2019"]', 'open')).toBe('');
    if (process.env.LAKEQL_SCREENSHOTS)
      await page.screenshot({ path: path.join(RESULTS, 'console-upload-ok.png'), fullPage: true });
  });

  it("shows a refused upload as failed, with the gateway's reason", async () => {
    screenshotOnFailure('upload-refused');
    const dataTransfer = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['not parquet at all'], 'notes-2020.parquet'));
      return transfer;
    });
    await page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer });
    await expect
      .poll(() => page.textContent('[data-testid=upload-status]'), { timeout: 20_000 })
      .toMatch(/^Upload failed: .*not a Parquet file/);
    expect(await page.getAttribute('[data-testid=upload-progress]', 'class')).toContain('failed');
    // The bar shows the job's own end: FAILED, with the typed error in its errors.
    expect(await page.getAttribute('[data-testid=upload-progress]', 'data-state')).toBe('FAILED');
    const jobId = await page.getAttribute('[data-testid=upload-progress]', 'data-job');
    expect(await app.services.transfers!.jobs.get(jobId!)).toMatchObject({
      kind: 'UPLOAD',
      state: 'FAILED',
      errors: [{ code: 'INVALID_DATA' }],
    });
    expect(await page.$$eval('#years details', (d) => d.map((x) => x.getAttribute('data-year')))).not.toContain('2020');
  });

  it('asks for an API key when the gateway wants one, and works once it is given', async () => {
    screenshotOnFailure('api-key');
    const key = 'console-browser-key-0123456789';
    const guarded = await buildApp(
      loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_PORT: '0', LAKEQL_API_KEYS: `ui:${key}:read+write` }),
      {
        store: app.services.store,
        location: app.services.location,
      },
    );
    const guardedOrigin = new URL(await guarded.start()).origin;
    const other = await browser.newPage();
    try {
      await other.goto(`${guardedOrigin}/`);
      await expect.poll(() => other.textContent('#notice')).toContain('needs an API key');
      await other.fill('#api-key', key);
      await other.press('#api-key', 'Enter');
      await other.dispatchEvent('#api-key', 'change');
      await expect.poll(() => other.textContent('[data-testid=lake]')).toContain('directory');
      expect(await other.isHidden('#notice')).toBe(true);
      await expect.poll(() => other.$$eval('button.symbol', (b) => b.length)).toBe(3);
    } finally {
      await other.close();
      await guarded.stop();
    }
  });

  it('follows a running job live through the jobProgress subscription', async () => {
    screenshotOnFailure('jobs');
    const subscriptions: string[] = [];
    page.on('request', (r) => {
      if (r.headers().accept === 'text/event-stream' && r.method() === 'POST')
        subscriptions.push(JSON.parse(r.postData()!).variables.id);
    });
    const jobs = app.services.transfers!.jobs;
    // The test lets the job move one file at a time, so the page can be seen following it.
    let allowed = 0;
    const waiters: (() => void)[] = [];
    const allow = (files: number) => {
      allowed = files;
      for (const wake of waiters.splice(0)) wake();
    };
    const job = await jobs.start({
      kind: 'BACKFILL',
      description: 'browser test backfill',
      work: async (tracker) => {
        tracker.plan({ totalFiles: 4, totalBytes: 4000, skippedFiles: 0 });
        for (let i = 0; i < 4; i++) {
          while (allowed <= i) await new Promise<void>((resolve) => waiters.push(resolve));
          tracker.fileDone(`f${i}`, 1000);
        }
      },
    });
    const row = `[data-job="${job.id}"]`;
    await expect.poll(() => page.getAttribute(row, 'data-state'), { timeout: 20_000 }).toBe('RUNNING');
    await expect.poll(() => subscriptions).toContain(job.id);
    allow(1);
    await expect.poll(() => page.textContent(`${row} td:nth-child(3)`)).toBe('1/4 files');
    expect(await page.getAttribute(`${row} [role=progressbar]`, 'aria-valuenow')).toBe('25');
    allow(4);
    await expect.poll(() => page.getAttribute(row, 'data-state'), { timeout: 20_000 }).toBe('SUCCEEDED');
    expect(await page.textContent(`${row} td:nth-child(3)`)).toBe('4/4 files');
    expect(await page.getAttribute(`${row} [role=progressbar]`, 'aria-valuenow')).toBe('100');
    if (process.env.LAKEQL_SCREENSHOTS)
      await page.screenshot({ path: path.join(RESULTS, 'console-jobs-ok.png'), fullPage: true });
  });
});
