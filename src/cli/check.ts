// `lakeql check [SYMBOL…]`: asks a running gateway for coverage reports and prints the gaps; exit 1 when any gap exists.
import { GatewayError, type GatewayClient } from './client.js';
import { graphql } from './gql/gql.js';
import type { CliCoverageFragment, GapsQuery, Resolution, YearsQuery } from './gql/graphql.js';
import type { Output } from './transfer.js';

export interface CheckArgs {
  symbols: string[];
  /** Without a year: every year the named symbols hold, or every year any symbol holds. */
  year?: number;
  resolution: Resolution;
}

graphql(`
  fragment CliCoverage on Coverage {
    symbol year resolution from to expectedDays presentDays missingDates unexpectedDates duplicateDates shortDays { date minutes expectedMinutes } complete
  }
`);

type Coverage = CliCoverageFragment;

const CHECK = graphql(`
  query Check($ticker: String!, $resolution: Resolution!) { symbol(ticker: $ticker) { years { year coverage(resolution: $resolution) { ...CliCoverage } } } }
`);
const YEARS = graphql(`
  query Years($first: Int!, $after: String) { symbols(first: $first, after: $after) { nodes { years { year } } pageInfo { hasNextPage endCursor } } }
`);
const GAPS = graphql(`
  query Gaps($year: Int!, $resolution: Resolution!, $first: Int!, $after: String) {
    lake { coverage(year: $year, resolution: $resolution, first: $first, after: $after) { nodes { ...CliCoverage } pageInfo { hasNextPage endCursor } } }
  }
`);
/** Pages stay under the smallest LAKEQL_MAX_PAGE_SIZE a gateway may be configured with. */
const PAGE = 100;
/** Dates printed per category in text output; --json has them all. */
const SHOWN = 12;

/** The gateway's verdict on our arguments (a malformed ticker, a year out of range) is a usage error: exit 2. */
const ARGUMENT_ERRORS = new Set(['BAD_USER_INPUT', 'INVALID_KEY', 'INVALID_INPUT']);

export async function check(client: GatewayClient, args: CheckArgs, output: Output): Promise<number> {
  try {
    return await run(client, args, output);
  } catch (error) {
    if (error instanceof GatewayError && ARGUMENT_ERRORS.has(error.code))
      throw new GatewayError(error.message, 'USAGE', error.status);
    throw error;
  }
}

async function run(client: GatewayClient, args: CheckArgs, output: Output): Promise<number> {
  const reports: Coverage[] = [];
  const unknown: string[] = [];
  if (args.symbols.length > 0) {
    for (const symbol of args.symbols) {
      const { symbol: found } = await client.request(CHECK, { ticker: symbol, resolution: args.resolution });
      const years = (found?.years ?? []).filter((y) => y.coverage && (args.year === undefined || y.year === args.year));
      if (years.length === 0) unknown.push(symbol.toUpperCase());
      reports.push(...years.map((y) => y.coverage!));
    }
  } else {
    for (const year of args.year === undefined ? await lakeYears(client) : [args.year])
      reports.push(...(await gapsOfYear(client, year, args.resolution)));
  }
  const gaps = reports.filter((r) => !r.complete);
  const kind = args.resolution === 'DAILY' ? 'daily' : 'minute';
  if (output.json)
    output.out(JSON.stringify(args.symbols.length > 0 ? { reports, unknown } : { reports: gaps, unknown }, null, 2));
  else for (const r of reports) print(r, output);
  for (const symbol of unknown)
    output.err(`no ${kind} bars for ${symbol}${args.year === undefined ? '' : ` in ${args.year}`}`);
  output.err(
    args.symbols.length > 0
      ? `${gaps.length} of ${reports.length} symbol-year${reports.length === 1 ? '' : 's'} with gaps (${kind})`
      : `${gaps.length} symbol-year${gaps.length === 1 ? '' : 's'} with gaps (${kind})`,
  );
  return gaps.length > 0 || unknown.length > 0 ? 1 : 0;
}

async function lakeYears(client: GatewayClient): Promise<number[]> {
  const years = new Set<number>();
  let after: string | null = null;
  do {
    const page: YearsQuery = await client.request(YEARS, { first: PAGE, after });
    for (const node of page.symbols.nodes) for (const y of node.years) years.add(y.year);
    after = page.symbols.pageInfo.hasNextPage ? page.symbols.pageInfo.endCursor : null;
  } while (after);
  return [...years].sort((a, b) => a - b);
}

async function gapsOfYear(client: GatewayClient, year: number, resolution: Resolution): Promise<Coverage[]> {
  const found: Coverage[] = [];
  let after: string | null = null;
  do {
    const page: GapsQuery = await client.request(GAPS, { year, resolution, first: PAGE, after });
    found.push(...page.lake.coverage.nodes);
    after = page.lake.coverage.pageInfo.hasNextPage ? page.lake.coverage.pageInfo.endCursor : null;
  } while (after);
  return found;
}

function print(r: Coverage, output: Output): void {
  const head = `${r.symbol} ${r.year} ${r.resolution.toLowerCase()}`;
  if (r.complete) {
    output.out(`${head}  complete  ${r.presentDays}/${r.expectedDays} trading days`);
    return;
  }
  output.out(`${head}  GAPS  ${r.presentDays}/${r.expectedDays} trading days${r.from ? ` (${r.from} – ${r.to})` : ''}`);
  line(output, 'missing', r.missingDates);
  line(output, 'on closed days', r.unexpectedDates);
  line(output, 'duplicated', r.duplicateDates);
  line(
    output,
    'short sessions',
    r.shortDays.map((d) => `${d.date} (${d.minutes}/${d.expectedMinutes} min)`),
  );
}

function line(output: Output, label: string, items: string[]): void {
  if (items.length === 0) return;
  const more = items.length > SHOWN ? ` … and ${items.length - SHOWN} more` : '';
  output.out(`  ${label} (${items.length}): ${items.slice(0, SHOWN).join(' ')}${more}`);
}
