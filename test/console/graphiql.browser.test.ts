// GraphiQL works with no network but lakeql's: every asset comes from our origin, and a query runs from the editor.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ensureDemoLake } from '../../src/lake/demo/create-demo-lake.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { describeInChromium, launchChromium, RESULTS, requireChromium } from './chromium.js';

describeInChromium('GraphiQL offline', () => {
  let dir: string;
  let app: App;
  let origin: string;
  let browser: Browser;
  let page: Page;
  /** Every request the page tried to make to another origin (all of them are refused). */
  const foreign: string[] = [];

  beforeAll(async () => {
    requireChromium();
    dir = await mkdtemp(path.join(tmpdir(), 'lakeql-graphiql-'));
    await mkdir(path.join(dir, 'lake'));
    const store = new LocalStore(path.join(dir, 'lake'));
    await ensureDemoLake(store, { tickers: ['AAPL', 'MSFT'], years: [2024], minuteSymbols: [], minuteMonths: 0 });
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_PORT: '0' }), {
      store,
      location: { kind: 'local', directory: path.join(dir, 'lake') },
    });
    origin = new URL(await app.start()).origin;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The machine is offline for the page: anything but lakeql itself is refused, and noted.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
      foreign.push(url);
      return route.abort('internetdisconnected');
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads from lakeql alone and runs a query from the editor', async () => {
    onTestFailed(async () => {
      await mkdir(RESULTS, { recursive: true });
      await page?.screenshot({ path: path.join(RESULTS, 'graphiql-offline.png'), fullPage: true }).catch(() => {});
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text()))
        errors.push(message.text());
    });
    const response = await page.goto(`${origin}/graphql`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
    // The default query is in the editor; run it and wait for the answer in the result pane.
    await page.locator('.graphiql-execute-button').click();
    // Monaco lays spaces out as no-break spaces.
    const answer = async () => ((await page.locator('.graphiql-response').textContent()) ?? '').replace(/\s+/g, ' ');
    await expect.poll(answer, { timeout: 20_000 }).toContain('"kind": "LOCAL"');
    expect(await answer()).toContain('"ticker": "AAPL"');
    await mkdir(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, 'graphiql-offline.png') });
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('serves only the named assets, with long-lived caching and gzip', async () => {
    const html = await (await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } })).text();
    const script = html.match(/src="(\/graphiql\/[^"]+\/graphiql\.js)"/)?.[1];
    expect(script).toBeDefined();
    expect(html).not.toMatch(/https?:\/\//);
    const asset = await fetch(`${origin}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
    for (const probe of [
      script!.replace('graphiql.js', '../../package.json'),
      script!.replace('graphiql.js', 'yoga-graphiql.es.js'),
      '/graphiql/0.0.0/graphiql.js',
      '/graphiql/',
    ]) {
      expect((await fetch(`${origin}${probe}`)).status, probe).toBe(404);
    }
  });
});
