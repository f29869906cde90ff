// `lakeql check` as users run it: a child process against real gateways over the planted-defect lake and a demo lake.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { planDemoLake } from '../../src/lake/demo/create-demo-lake.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { PLANTED, writePlantedLake } from '../coverage/planted.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin/lakeql.js');
const API_KEY = 'check-test-key-0123456789abcdef';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function lakeql(args: string[], url: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, FORCE_COLOR: '0', LAKEQL_URL: url, LAKEQL_API_KEY: API_KEY },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

async function serve(dir: string): Promise<{ app: App; url: string }> {
  const config = loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_PORT: '0', LAKEQL_API_KEYS: `check:${API_KEY}:read` });
  const app = await buildApp(config, { store: new LocalStore(dir), location: { kind: 'local', directory: dir } });
  return { app, url: (await app.start()).replace(/\/graphql$/, '') };
}

describe('lakeql check', () => {
  let dir: string;
  let planted: { app: App; url: string };
  let demo: { app: App; url: string };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lakeql-check-'));
    await writePlantedLake(path.join(dir, 'planted'));
    const { tasks } = planDemoLake({ tickers: ['AAPL', 'NVDA', 'SPY'], years: [2024, 2025], minuteSymbols: ['AAPL'] });
    for (const task of tasks) {
      const file = path.join(dir, 'demo', task.key);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, task.body());
    }
    planted = await serve(path.join(dir, 'planted'));
    demo = await serve(path.join(dir, 'demo'));
  });
  afterAll(async () => {
    await planted?.app.stop();
    await demo?.app.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the daily gaps of a year and exits 1', async () => {
    const run = await lakeql(['check', '--year', '2024'], planted.url);
    expect(run.code).toBe(1);
    const heads = run.stdout.split('\n').filter((l) => /^\S/.test(l));
    expect(heads.map((l) => l.split(' ')[0])).toEqual(['DUCK', 'GAPS']);
    expect(run.stdout).toContain('  missing (3): 2024-03-14 2024-08-01 2024-12-31');
    expect(run.stdout).toContain('  on closed days (2): 2024-06-15 2024-07-04');
    expect(run.stdout).toContain('  duplicated (2): 2024-05-06 2024-10-10');
    expect(run.stderr).toContain('2 symbol-years with gaps (daily)');
  });

  it('answers --json with exactly the planted minute defects', async () => {
    const run = await lakeql(
      ['check', 'MINI', 'MDUCK', 'MGOOD', '--year', '2024', '--resolution', 'minute', '--json'],
      planted.url,
    );
    expect(run.code).toBe(1);
    const { reports, unknown } = JSON.parse(run.stdout);
    expect(unknown).toEqual([]);
    const bySymbol = Object.fromEntries(reports.map((r: any) => [r.symbol, r]));
    for (const p of PLANTED.filter((x) => x.resolution === 'MINUTE')) {
      expect(bySymbol[p.symbol]).toMatchObject({
        missingDates: p.missingDates,
        unexpectedDates: p.unexpectedDates,
        duplicateDates: p.duplicateDates,
        shortDays: p.shortDays,
        complete: false,
      });
    }
    expect(bySymbol.MGOOD.complete).toBe(true);
  });

  it('exits 0 for complete symbols and 1 for a symbol the lake lacks', async () => {
    const good = await lakeql(['check', 'GOOD', '--year', '2024'], planted.url);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^GOOD 2024 daily {2}complete {2}252\/252 trading days$/m);
    const missing = await lakeql(['check', 'NOPE'], planted.url);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no daily bars for NOPE');
  });

  it('exits 2 on a wrong command line or arguments the gateway refuses', async () => {
    for (const args of [
      ['check', '--resolution', 'hourly'],
      ['check', '--year', 'last'],
      ['check', '--frobnicate'],
      ['check', 'B@D!'],
      ['check', '--year', '1800'],
    ]) {
      const run = await lakeql(args, planted.url);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(/^lakeql: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('finds the demo lake complete, daily and minute, every year', async () => {
    const daily = await lakeql(['check'], demo.url);
    expect(daily.stderr).toContain('0 symbol-years with gaps (daily)');
    expect(daily.stdout).toBe('');
    expect(daily.code).toBe(0);
    const minute = await lakeql(['check', '--resolution', 'minute', '--json'], demo.url);
    expect(minute.code).toBe(0);
    expect(JSON.parse(minute.stdout).reports).toEqual([]);
    const named = await lakeql(['check', 'AAPL', 'NVDA', 'SPY'], demo.url);
    expect(named.code).toBe(0);
    expect(named.stdout.trim().split('\n')).toHaveLength(6);
  });
});
