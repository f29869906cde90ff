// `lakeql <command>`: parses the command line and runs serve, demo, ls, backfill or download; the exit code says how it went.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { editDistance } from '../edit-distance.js';
import { GatewayClient, GatewayError } from './client.js';
import { BackfillMode, Resolution } from './gql/graphql.js';
import { check } from './check.js';
import { ls } from './ls.js';
import { backfill, download, type Output } from './transfer.js';

/**
 * SETTINGS.LAKEQL_URL.default, written out (a test keeps the two equal): importing config.ts loads
 * the AWS SDK, a second of start-up that ls, backfill and download do not need.
 */
export const DEFAULT_URL = 'http://127.0.0.1:4000';

/** 0 done; 1 the work failed (a file, the job, the gateway); 2 the command line was wrong; 130 interrupted. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, INTERRUPTED: 130 } as const;

const USAGE = `lakeql — a GraphQL gateway over a US-equity data lake

Usage:
  lakeql serve [--lake L] [--host H] [--port N]   serve the gateway (as npm start; LAKEQL_* settings apply)
  lakeql demo [LAKE]                              write the demo lake into LAKE (a directory or s3://bucket/prefix;
                                                  default LAKEQL_LAKE or ./lake) [--tickers AAPL,MSFT] [--years 2024,2025]
  lakeql ls [SYMBOL [YEAR]]                       symbols; a symbol's years; one year's files [--prefix P] [--urls]
  lakeql backfill DIR                             upload DIR (on the gateway, below its LAKEQL_UPLOAD_ROOT) into the lake
        [--prefix P] [--include GLOB]... [--exclude GLOB]... [--concurrency N] [--part-size BYTES]
        [--mode overwrite|skip-existing|sync] [--dry-run] [--no-validate]
        tick files are checked like single uploads (Parquet, bar columns, dates vs key) unless --no-validate
  lakeql check [SYMBOL...]                        report missing, duplicated and closed-day bars and short sessions;
        [--year Y] [--resolution daily|minute]    exit 1 when any gap exists (default: every year, daily)
  lakeql download PREFIX DIR                      download the objects under PREFIX into DIR (below LAKEQL_DOWNLOAD_ROOT)
        [--concurrency N]

ls, check, backfill and download talk to a running gateway:
  --url URL        default LAKEQL_URL or ${DEFAULT_URL}
  --api-key KEY    default LAKEQL_API_KEY (prefer the variable: arguments show in ps)
  --json           machine-readable output on stdout, no progress bar

Exit codes: 0 success; 1 a file, the job or the gateway failed, or check found gaps; 2 bad command line; 130 interrupted (the job is cancelled).`;

const GATEWAY_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

class UsageError extends Error {}

const COMMANDS = ['serve', 'demo', 'ls', 'backfill', 'download', 'check', 'help'];

/** The candidate within two edits of `word` (case-insensitive), if one is clearly nearest. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const scored = candidates
    .map((c) => ({ c, d: editDistance(word.toLowerCase(), c.toLowerCase()) }))
    .sort((x, y) => x.d - y.d);
  return scored[0] && scored[0].d <= 2 && scored[0].d < word.length && scored[0].d !== scored[1]?.d
    ? scored[0].c
    : undefined;
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  const write = (stream: NodeJS.WriteStream) => (text: string) => stream.write(`${text}\n`);
  const output = (json: boolean): Output => ({
    out: write(process.stdout),
    err: write(process.stderr),
    json,
    bar: !json && process.stderr.isTTY === true,
  });
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.USAGE : EXIT.OK;
      case '--version':
        process.stdout.write('lakeql 0.1.0\n');
        return EXIT.OK;
      case 'serve': {
        const { values } = parse(
          rest,
          { lake: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' } },
          0,
        );
        if (values.lake) env.LAKEQL_LAKE = String(values.lake);
        if (values.host) env.LAKEQL_HOST = String(values.host);
        if (values.port) env.LAKEQL_PORT = String(values.port);
        // main.ts is the one place that listens; importing it starts the gateway and keeps the process alive.
        await import('../main.js');
        return -1;
      }
      case 'demo': {
        const { values, positionals } = parse(
          rest,
          { tickers: { type: 'string' }, years: { type: 'string' }, json: { type: 'boolean', default: false } },
          1,
        );
        const years = values.years
          ? String(values.years)
              .split(',')
              .map((y) => integer(y, '--years'))
          : undefined;
        const tickers = values.tickers
          ? String(values.tickers)
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean)
          : undefined;
        const [{ demo }, { SETTINGS }] = await Promise.all([import('./demo.js'), import('../config.js')]);
        return await demo(
          { lake: positionals[0] ?? env.LAKEQL_LAKE ?? SETTINGS.LAKEQL_LAKE.default, tickers, years },
          output(values.json === true),
        );
      }
      case 'ls': {
        const { values, positionals } = parse(
          rest,
          { ...GATEWAY_OPTIONS, prefix: { type: 'string' }, urls: { type: 'boolean', default: false } },
          2,
        );
        const year = positionals[1] === undefined ? undefined : integer(positionals[1], 'YEAR');
        return await ls(
          client(values, env),
          { symbol: positionals[0], year, prefix: values.prefix as string | undefined, urls: values.urls === true },
          output(values.json === true),
        );
      }
      case 'check': {
        const { values, positionals } = parse(
          rest,
          { ...GATEWAY_OPTIONS, year: { type: 'string' }, resolution: { type: 'string' } },
          Number.MAX_SAFE_INTEGER,
        );
        const resolution = values.resolution === undefined ? Resolution.Daily : String(values.resolution).toUpperCase();
        if (!isOneOf(Resolution, resolution))
          throw new UsageError(`--resolution must be daily or minute, not "${values.resolution}"`);
        const year = values.year === undefined ? undefined : integer(String(values.year), '--year');
        return await check(
          client(values, env),
          { symbols: positionals, year, resolution },
          output(values.json === true),
        );
      }
      case 'backfill': {
        const { values, positionals } = parse(
          rest,
          {
            ...GATEWAY_OPTIONS,
            prefix: { type: 'string' },
            include: { type: 'string', multiple: true },
            exclude: { type: 'string', multiple: true },
            concurrency: { type: 'string' },
            'part-size': { type: 'string' },
            mode: { type: 'string' },
            'dry-run': { type: 'boolean', default: false },
            'no-validate': { type: 'boolean', default: false },
          },
          1,
          1,
        );
        const mode = values.mode === undefined ? undefined : String(values.mode).toUpperCase().replace(/-/g, '_');
        if (mode !== undefined && !isOneOf(BackfillMode, mode))
          throw new UsageError(`--mode must be overwrite, skip-existing or sync, not "${values.mode}"`);
        return await backfill(
          client(values, env),
          {
            source: positionals[0],
            prefix: values.prefix as string | undefined,
            include: values.include as string[] | undefined,
            exclude: values.exclude as string[] | undefined,
            concurrency:
              values.concurrency === undefined ? undefined : integer(String(values.concurrency), '--concurrency'),
            partSize:
              values['part-size'] === undefined ? undefined : integer(String(values['part-size']), '--part-size'),
            mode,
            dryRun: values['dry-run'] === true,
            validate: values['no-validate'] !== true,
          },
          output(values.json === true),
        );
      }
      case 'download': {
        const { values, positionals } = parse(rest, { ...GATEWAY_OPTIONS, concurrency: { type: 'string' } }, 2, 2);
        return await download(
          client(values, env),
          {
            prefix: positionals[0],
            destination: positionals[1],
            concurrency:
              values.concurrency === undefined ? undefined : integer(String(values.concurrency), '--concurrency'),
          },
          output(values.json === true),
        );
      }
      default: {
        const near = closest(command, COMMANDS);
        throw new UsageError(`unknown command "${command}"${near ? ` (did you mean "${near}"?)` : ''}`);
      }
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof GatewayError && error.code === 'USAGE')) {
      process.stderr.write(`lakeql: ${error.message}\nRun \`lakeql help\` for usage.\n`);
      return EXIT.USAGE;
    }
    if (error instanceof GatewayError) {
      process.stderr.write(
        `lakeql: ${error.message}${error.code !== 'GRAPHQL_ERROR' && error.code !== 'UNREACHABLE' ? ` [${error.code}]` : ''}\n`,
      );
      return EXIT.FAILED;
    }
    process.stderr.write(`lakeql: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.FAILED;
  }
}

function parse(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  maxPositionals: number,
  minPositionals = 0,
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's own text ("Unknown option '--jsn'. To specify a positional argument…") hides the likely fix.
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec((error as Error).message)?.[1];
    if (unknown) {
      const near = closest(unknown.replace(/^-+/, ''), Object.keys(options));
      throw new UsageError(`unknown option ${unknown}${near ? ` (did you mean --${near}?)` : ''}`);
    }
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(EXIT.OK);
  }
  const n = parsed.positionals.length;
  if (n < minPositionals || n > maxPositionals)
    throw new UsageError(
      `expected ${minPositionals === maxPositionals ? minPositionals : `${minPositionals} to ${maxPositionals}`} arguments, got ${n}`,
    );
  return parsed as { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
}

function client(values: Record<string, unknown>, env: NodeJS.ProcessEnv): GatewayClient {
  const url = (values.url as string | undefined) ?? env.LAKEQL_URL ?? DEFAULT_URL;
  const apiKey = (values['api-key'] as string | undefined) ?? env.LAKEQL_API_KEY;
  return new GatewayClient({ url, apiKey: apiKey === '' ? undefined : apiKey });
}

/** Whether `value` is one of a generated enum's values (the schema's, not a copy). */
function isOneOf<E extends Record<string, string>>(values: E, value: string): value is E[keyof E] {
  return (Object.values(values) as string[]).includes(value);
}

function integer(text: string, name: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${name} must be a whole number, not "${text}"`);
  return Number(text.trim());
}

/** Runs when this file is the entry point (bin/lakeql.js imports it); `serve` keeps the process alive on its own. */
export async function main(): Promise<void> {
  const code = await run(process.argv.slice(2));
  // Exit now rather than wait for fetch's idle keep-alive sockets; stdout and stderr pipes are synchronous on Linux.
  if (code >= 0) process.exit(code);
}
