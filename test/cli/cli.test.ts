// The CLI as users run it: `node bin/lakeql.js <command>` in a child process, against a real gateway listening on a temp lake.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { DEFAULT_URL } from '../../src/cli/main.js';
import { loadConfig, SETTINGS } from '../../src/config.js';
import { planDemoLake } from '../../src/lake/demo/create-demo-lake.js';
import { CancelledError, PermissionDeniedError } from '../../src/lake/errors.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import type { PutBody, PutOptions, PutResult } from '../../src/lake/store/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin/lakeql.js');
const API_KEY = 'cli-test-key-0123456789abcdef';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function lakeql(
  args: string[],
  env: Record<string, string | undefined> = {},
  command = process.execPath,
  prefix: string[] = [BIN],
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...prefix, ...args],
      { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * What a terminal would show after `output`: enough of a VT100 to follow cli-progress (carriage
 * return, newline, save/restore cursor, column 1, erase to end of line); other escapes are dropped.
 */
function terminalScreen(output: string): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  let saved = { row: 0, col: 0 };
  for (let i = 0; i < output.length; i++) {
    const c = output[i];
    if (c === '\u001b') {
      const csi = /^\u001b\[([?\d;]*)([A-Za-z])/.exec(output.slice(i));
      if (output[i + 1] === '7') saved = { row, col };
      else if (output[i + 1] === '8') ({ row, col } = saved);
      else if (csi?.[2] === 'G') col = Math.max(0, Number(csi[1] || 1) - 1);
      else if (csi?.[2] === 'K') lines[row].length = Math.min(lines[row].length, col);
      i += csi ? csi[0].length - 1 : 1;
    } else if (c === '\r') col = 0;
    else if (c === '\n') {
      row++;
      col = 0;
      lines[row] ??= [];
    } else {
      lines[row][col++] = c;
    }
  }
  return lines.map((line) =>
    Array.from(line, (ch) => ch ?? ' ')
      .join('')
      .trimEnd(),
  );
}

/** A directory lake that refuses any key containing "FAIL", as a bucket policy would, and holds "SLOW" ones until cancelled. */
class RefusingStore extends LocalStore {
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    if (key.includes('FAIL'))
      throw new PermissionDeniedError(`access denied to ${key}`, { key, store: 'local', backendCode: 'AccessDenied' });
    if (key.includes('SLOW')) {
      await new Promise((_, reject) =>
        options?.signal?.addEventListener('abort', () => reject(new CancelledError(`put of ${key} cancelled`)), {
          once: true,
        }),
      );
    }
    return super.put(key, body, options);
  }
}

describe('lakeql CLI against a running gateway', () => {
  let dir: string;
  let app: App;
  let url: string;
  const env = () => ({ LAKEQL_URL: url, LAKEQL_API_KEY: API_KEY });
  const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lakeql-cli-'));
    await mkdir(path.join(dir, 'lake'));
    await mkdir(path.join(dir, 'down'));
    // Source files for backfills: real demo objects (Parquet and JSON) in the seed's layout, below the upload root.
    const { tasks } = planDemoLake({ tickers: ['AAPL', 'MSFT'], years: [2023, 2024], minuteSymbols: [] });
    for (const task of tasks) {
      const file = path.join(dir, 'up/batch/data', task.key.replace(/^data\//, ''));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, task.body());
    }
    await mkdir(path.join(dir, 'up/broken/data/ticks/daily/FAIL/2024'), { recursive: true });
    await writeFile(path.join(dir, 'up/broken/data/ticks/daily/FAIL/2024/ticks.parquet'), 'PAR1 refused PAR1');
    await mkdir(path.join(dir, 'up/slow/data/ticks/daily/SLOW/2024'), { recursive: true });
    await writeFile(path.join(dir, 'up/slow/data/ticks/daily/SLOW/2024/ticks.parquet'), 'PAR1 held PAR1');
    await mkdir(path.join(dir, 'up/broken/data/ticks/daily/OK/2024'), { recursive: true });
    await writeFile(path.join(dir, 'up/broken/data/ticks/daily/OK/2024/ticks.parquet'), 'PAR1 accepted PAR1');
    const config = loadConfig({
      LAKEQL_DEMO: 'never',
      LAKEQL_PORT: '0',
      LAKEQL_API_KEYS: `cli:${API_KEY}:read+write`,
      LAKEQL_UPLOAD_ROOT: path.join(dir, 'up'),
      LAKEQL_DOWNLOAD_ROOT: path.join(dir, 'down'),
    });
    app = await buildApp(config, {
      store: new RefusingStore(path.join(dir, 'lake')),
      location: { kind: 'local', directory: path.join(dir, 'lake') },
    });
    url = (await app.start()).replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await app?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('defaults to the gateway address config.ts documents', () => {
    expect(DEFAULT_URL).toBe(SETTINGS.LAKEQL_URL.default);
  });

  it('prints usage and exits 2 on a wrong command line', async () => {
    const none = await lakeql([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Usage:');
    const bad = await lakeql(['backfill'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected 1 arguments, got 0/);
    expect((await lakeql(['ls', '--frobnicate'], env())).code).toBe(2);
  });

  it('exits 1 with a hint when the gateway cannot be reached or wants a key', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const unreachable = await lakeql(['ls'], { LAKEQL_URL: `http://127.0.0.1:${port}`, LAKEQL_API_KEY: '' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`cannot reach the gateway at http://127.0.0.1:${port}/graphql: ECONNREFUSED`);
    expect(unreachable.stderr).toContain('LAKEQL_URL');
    const keyless = await lakeql(['ls'], { LAKEQL_URL: url, LAKEQL_API_KEY: '' });
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toMatch(/wants an API key/);
    expect(keyless.stderr + keyless.stdout).not.toContain(API_KEY);
  });

  it("backfills a directory with the seed's summary, and the objects equal their sources", async () => {
    const run = await lakeql(
      ['backfill', 'batch/data', '--prefix', 'data', '--include', '**/*.parquet', '--include', '**/*.json'],
      env(),
    );
    expect(run.stderr).not.toMatch(/lakeql:/);
    expect(run.code).toBe(0);
    const { tasks } = planDemoLake({ tickers: ['AAPL', 'MSFT'], years: [2023, 2024], minuteSymbols: [] });
    expect(run.stdout).toMatch(
      new RegExp(`Upload complete: ${tasks.length}/${tasks.length} succeeded in \\d+\\.\\d\\ds`),
    );
    for (const line of [`Total: ${tasks.length}`, `Success: ${tasks.length}`, 'Failed: 0', 'Skipped: 0'])
      expect(run.stdout).toContain(line);
    expect(run.stdout).toMatch(/Duration: \d+\.\d\ds/);
    expect(run.stdout).toMatch(/Speed: \d+\.\d\d MB\/s/);
    for (const task of tasks) {
      const stored = await readFile(path.join(dir, 'lake', task.key));
      expect(sha(stored)).toBe(sha(Buffer.from(task.body())));
    }
  });

  it('answers --json with totals that add up, and exits 1 when any file failed', async () => {
    // Raw copies (--no-validate): the store's refusal is what fails the FAIL file here.
    const run = await lakeql(['backfill', 'broken/data', '--prefix', 'data', '--json', '--no-validate'], env());
    expect(run.code).toBe(1);
    const { summary, job } = JSON.parse(run.stdout);
    // A permanent error (access denied) stops the job at once: the other file may or may not have gone.
    expect(summary).toMatchObject({ kind: 'BACKFILL', state: 'FAILED', total: 2, failed: 1, skipped: 0 });
    expect(summary.succeeded).toBeLessThanOrEqual(1);
    expect(summary.errors).toMatchObject([
      { key: 'data/ticks/daily/FAIL/2024/ticks.parquet', code: 'PERMISSION_DENIED', backendCode: 'AccessDenied' },
    ]);
    expect(job.transferredBytes).toBe(summary.bytes);
    expect(typeof summary.megabytesPerSecond).toBe('number');
    expect(existsSync(path.join(dir, 'lake/data/ticks/daily/FAIL'))).toBe(false);
  });

  it('checks tick files like single uploads do, and reports a bad one as a failed file with the reason', async () => {
    await mkdir(path.join(dir, 'up/mixed/data/ticks/daily/TXT/2024'), { recursive: true });
    await writeFile(path.join(dir, 'up/mixed/data/ticks/daily/TXT/2024/ticks.parquet'), 'just twenty bytes...');
    const { tasks } = planDemoLake({ tickers: ['GOOD'], years: [2024], minuteSymbols: [] });
    const good = tasks.find((t) => t.key === 'data/ticks/daily/GOOD/2024/ticks.parquet')!;
    await mkdir(path.join(dir, 'up/mixed/data/ticks/daily/GOOD/2024'), { recursive: true });
    await writeFile(path.join(dir, 'up/mixed/data/ticks/daily/GOOD/2024/ticks.parquet'), good.body());
    // A real file filed under the wrong year: its dates are not the key's.
    await mkdir(path.join(dir, 'up/mixed/data/ticks/daily/GOOD/2019'), { recursive: true });
    await writeFile(path.join(dir, 'up/mixed/data/ticks/daily/GOOD/2019/ticks.parquet'), good.body());
    const run = await lakeql(['backfill', 'mixed/data', '--prefix', 'data', '--json'], env());
    expect(run.code).toBe(1);
    const { summary } = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ total: 3, succeeded: 1, failed: 2 });
    const reasons = Object.fromEntries(
      summary.errors.map((e: { key: string; code: string; message: string }) => [e.key, `${e.code}: ${e.message}`]),
    );
    expect(reasons['data/ticks/daily/TXT/2024/ticks.parquet']).toMatch(/^INVALID_DATA: .*not a Parquet file/);
    expect(reasons['data/ticks/daily/GOOD/2019/ticks.parquet']).toMatch(/^INVALID_DATA: .*outside 2019/);
    expect(existsSync(path.join(dir, 'lake/data/ticks/daily/TXT'))).toBe(false);
    expect(existsSync(path.join(dir, 'lake/data/ticks/daily/GOOD/2024/ticks.parquet'))).toBe(true);
    // --no-validate copies the bytes as they are.
    const raw = await lakeql(['backfill', 'mixed/data', '--prefix', 'data', '--json', '--no-validate'], env());
    expect(JSON.parse(raw.stdout).summary).toMatchObject({ total: 3, succeeded: 3, failed: 0 });
    expect(existsSync(path.join(dir, 'lake/data/ticks/daily/TXT/2024/ticks.parquet'))).toBe(true);
  });

  it('plans without writing on --dry-run', async () => {
    const run = await lakeql(['backfill', 'broken/data', '--prefix', 'dry', '--dry-run'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/UPLOAD\s+\d+\s+dry\/ticks\/daily\/OK\/2024\/ticks\.parquet/);
    expect(run.stdout).toContain('nothing was written');
    expect(existsSync(path.join(dir, 'lake/dry'))).toBe(false);
  });

  it("lists symbols, a symbol's years and one year's files with download links", async () => {
    const symbols = await lakeql(['ls'], env());
    expect(symbols.code).toBe(0);
    expect(symbols.stdout.split('\n').map((l) => l.split(/\s+/)[0])).toEqual(expect.arrayContaining(['AAPL', 'MSFT']));
    expect(symbols.stdout).toMatch(/AAPL\s+2023–2024\s+2 years/);
    const years = await lakeql(['ls', 'aapl'], env());
    expect(years.stdout).toMatch(/^2023 {2}daily [\d.]+ KB {2}fundamentals Q1 Q2 Q3 Q4$/m);
    const files = await lakeql(['ls', 'AAPL', '2024', '--urls', '--json'], env());
    const year = JSON.parse(files.stdout);
    expect(year.tickFiles).toMatchObject([{ key: 'data/ticks/daily/AAPL/2024/ticks.parquet', resolution: 'DAILY' }]);
    const download = await fetch(year.tickFiles[0].downloadUrl, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(download.status).toBe(200);
    expect(
      Buffer.from(await download.arrayBuffer())
        .subarray(0, 4)
        .toString(),
    ).toBe('PAR1');
    const missing = await lakeql(['ls', 'ZZZZ'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no data for ZZZZ');
  });

  it('downloads a prefix into a directory below the download root', async () => {
    const run = await lakeql(['download', 'data/ticks/daily/MSFT', 'msft'], env());
    expect(run.stderr).not.toMatch(/lakeql:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Download complete: 2\/2 succeeded/);
    const got = await readFile(path.join(dir, 'down/msft/2024/ticks.parquet'));
    expect(sha(got)).toBe(sha(await readFile(path.join(dir, 'lake/data/ticks/daily/MSFT/2024/ticks.parquet'))));
  });

  it('draws a progress bar fed by the subscription when stderr is a terminal', async () => {
    if (!existsSync('/usr/bin/script'))
      return void console.log('skipped: util-linux `script` (a pseudo-terminal) is not installed');
    const command = [process.execPath, BIN, 'backfill', 'batch/data', '--prefix', 'again', '--url', url]
      .map((a) => `'${a}'`)
      .join(' ');
    const run = await lakeql(
      ['-qec', command, '/dev/null'],
      { ...env(), LAKEQL_URL: undefined },
      '/usr/bin/script',
      [],
    );
    expect(run.stdout).not.toMatch(/lakeql:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Uploading \[█+\] 100% \| 4\/4 files/);
    expect(run.stdout).toContain('Upload complete: 4/4 succeeded');
  });

  it('on a terminal, ends the bar before the Ctrl-C notice and prints the summary below it', async () => {
    if (!existsSync('/usr/bin/script'))
      return void console.log('skipped: util-linux `script` (a pseudo-terminal) is not installed');
    // A held file of its own: the next test follows its own job on the same gateway.
    await mkdir(path.join(dir, 'up/slow-tty/data/ticks/daily/SLOWTTY/2024'), { recursive: true });
    await writeFile(path.join(dir, 'up/slow-tty/data/ticks/daily/SLOWTTY/2024/ticks.parquet'), 'PAR1 held PAR1');
    const command = [
      process.execPath,
      BIN,
      'backfill',
      'slow-tty/data',
      '--prefix',
      'data',
      '--no-validate',
      '--url',
      url,
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, ...env(), LAKEQL_URL: undefined, FORCE_COLOR: '0' },
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await expect.poll(() => out, { timeout: 30_000 }).toMatch(/Uploading \[/);
    // Ctrl-C typed at the terminal: the line discipline turns it into SIGINT for the CLI.
    child.stdin.write('\x03');
    expect(await exited).toBe(130);
    const screen = terminalScreen(out);
    expect(screen).toContain('cancelling the job (Ctrl-C again to leave it running)…');
    expect(screen.some((line) => /^Upload cancelled: 0 of 1 files done before the cancel$/.test(line))).toBe(true);
  });

  it('cancels the job on the gateway on Ctrl-C and exits 130', async () => {
    const child = spawn(process.execPath, [BIN, 'backfill', 'slow/data', '--prefix', 'data', '--no-validate'], {
      cwd: ROOT,
      env: { ...process.env, ...env() },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const jobs = app.services.transfers!.jobs;
    await expect.poll(async () => (await jobs.list({ state: 'RUNNING' })).length, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => err).toMatch(/^job [0-9a-f-]+: /);
    const [running] = await jobs.list({ state: 'RUNNING' });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toContain('cancelling the job');
    // The notice and the summary each have a line of their own.
    expect(err).toMatch(/(^|\n)cancelling the job \(Ctrl-C again to leave it running\)…\n/);
    expect(out).toMatch(/^Upload cancelled: 0 of 1 files done before the cancel\n/);
    expect((await jobs.get(running.id))?.state).toBe('CANCELLED');
    expect(existsSync(path.join(dir, 'lake/data/ticks/daily/SLOW'))).toBe(false);
  });

  it('serves the gateway with JSON logs, and stops on SIGTERM', async () => {
    const lake = path.join(dir, 'served-lake');
    // A lake named explicitly must exist: only the default ./lake is created.
    await mkdir(lake);
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--lake', lake], {
      cwd: ROOT,
      env: { ...process.env, LAKEQL_DEMO: 'never', LAKEQL_LOG_LEVEL: 'info' },
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toMatch(/lakeql serving/);
      const started = out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .find((l) => l.console);
      expect(started).toMatchObject({ level: 'info', service: 'lakeql', lake });
      const health = await fetch(new URL('/health', started.console), {
        headers: { 'x-request-id': 'cli-serve-test' },
      });
      expect(health.status).toBe(200);
      expect(health.headers.get('x-request-id')).toBe('cli-serve-test');
      const page = await fetch(started.console);
      expect([200, 302]).toContain(page.status);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/SIGTERM, shutting down/);
  });

  it('suggests the option or command a typo meant', async () => {
    const option = await lakeql(['ls', '--jsn'], env());
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('unknown option --jsn (did you mean --json?)');
    expect(option.stderr).not.toContain('positional argument');
    const command = await lakeql(['dowload', 'a', 'b'], env());
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "dowload" (did you mean "download"?)');
    // Nothing near: no guess.
    expect((await lakeql(['ls', '--frobnicate'], env())).stderr).toMatch(/unknown option --frobnicate\n/);
  });

  it('says a backfill source that is a file is not a directory, without a raw system error', async () => {
    const run = await lakeql(['backfill', 'batch/data/ticks/daily/AAPL/2024/ticks.parquet'], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is a file, not a directory');
    expect(run.stderr).not.toMatch(/ENOTDIR|scandir/);
  });

  it('fails a download of an empty prefix with a clear message, and creates no directory', async () => {
    const run = await lakeql(['download', 'data/ticks/daily/NOPE', 'nope'], env());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^Download failed: no objects under "data\/ticks\/daily\/NOPE" in the lake: nothing downloaded/,
    );
    expect(existsSync(path.join(dir, 'down/nope'))).toBe(false);
  });

  it('says a sync that found everything up to date did nothing, rather than "0 succeeded"', async () => {
    const first = await lakeql(['backfill', 'batch/data', '--prefix', 'data', '--mode', 'sync'], env());
    expect(first.code).toBe(0);
    const again = await lakeql(['backfill', 'batch/data', '--prefix', 'data', '--mode', 'sync'], env());
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Upload complete: nothing to do, all \d+ files already up to date \(skipped\)/);
  });

  it('prints a plain start banner with the addresses before the JSON logs when stdout is a terminal', async () => {
    if (!existsSync('/usr/bin/script'))
      return void console.log('skipped: util-linux `script` (a pseudo-terminal) is not installed');
    const lake = path.join(dir, 'banner-lake');
    await mkdir(lake, { recursive: true });
    // `exec`: script(1) runs the command through $SHELL, and dash (CI's /bin/sh) would stay as the pty's foreground
    // parent, die of the Ctrl-C itself and make script report 130 whatever the gateway did.
    const command = `exec ${[process.execPath, BIN, 'serve', '--port', '0', '--lake', lake].map((a) => `'${a}'`).join(' ')}`;
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, SHELL: '/bin/sh', LAKEQL_DEMO: 'never', LAKEQL_LOG_LEVEL: 'info' },
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toMatch(/"msg":"lakeql serving/);
      const banner = out.indexOf('lakeql is serving');
      expect(banner).toBeGreaterThanOrEqual(0);
      expect(banner).toBeLessThan(out.indexOf('"msg":"lakeql serving'));
      expect(out).toMatch(/Console {4}http:\/\/127\.0\.0\.1:\d+\//);
      expect(out).toMatch(/GraphiQL {3}http:\/\/127\.0\.0\.1:\d+\/graphql/);
    } finally {
      child.stdin.write('\x03');
    }
    expect(await exited).toBe(0);
  });

  it('writes a demo lake into a directory', async () => {
    const target = path.join(dir, 'demo-lake');
    const run = await lakeql(['demo', target, '--tickers', 'IBM', '--years', '2024', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ lake: target, written: true });
    expect(existsSync(path.join(target, 'data/ticks/daily/IBM/2024/ticks.parquet'))).toBe(true);
    const again = await lakeql(['demo', target]);
    expect(again.stdout).toContain('already holds data');
  });
});
