// `lakeql ls [SYMBOL [YEAR]]`: the lake's symbols, a symbol's years, or one year's files, asked of a running gateway.
import type { GatewayClient } from './client.js';
import { graphql } from './gql/gql.js';
import type { SymbolsQuery } from './gql/graphql.js';
import type { Output } from './transfer.js';

const SYMBOLS = graphql(`
  query Symbols($first: Int!, $after: String, $prefix: String) {
    symbols(first: $first, after: $after, prefix: $prefix) { nodes { ticker years { year } } pageInfo { hasNextPage endCursor } }
  }
`);
const YEARS = graphql(`
  query SymbolYears($ticker: String!) {
    symbol(ticker: $ticker) { ticker years { year tickFiles { key resolution month size lastModified } fundamentals { key quarter size lastModified } } }
  }
`);
const FILES = graphql(`
  query Files($ticker: String!, $year: Int!, $urls: Boolean!) {
    symbol(ticker: $ticker) { year(year: $year) { year
      tickFiles { key resolution month size lastModified downloadUrl @include(if: $urls) }
      fundamentals { key quarter size lastModified } } }
  }
`);

/** Pages stay under the smallest LAKEQL_MAX_PAGE_SIZE a gateway may be configured with. */
const PAGE = 100;

export async function ls(
  client: GatewayClient,
  args: { symbol?: string; year?: number; prefix?: string; urls?: boolean },
  output: Output,
): Promise<number> {
  if (args.symbol === undefined) return listSymbols(client, args.prefix, output);
  if (args.year === undefined) return listYears(client, args.symbol, output);
  return listFiles(client, args.symbol, args.year, args.urls ?? false, output);
}

async function listSymbols(client: GatewayClient, prefix: string | undefined, output: Output): Promise<number> {
  const rows: { ticker: string; years: number[] }[] = [];
  let after: string | null = null;
  do {
    const page: SymbolsQuery = await client.request(SYMBOLS, { first: PAGE, after, prefix });
    rows.push(...page.symbols.nodes.map((n) => ({ ticker: n.ticker, years: n.years.map((y) => y.year) })));
    after = page.symbols.pageInfo.hasNextPage ? page.symbols.pageInfo.endCursor : null;
  } while (after);
  if (output.json) return print(output, rows);
  const width = Math.max(6, ...rows.map((r) => r.ticker.length));
  for (const r of rows) {
    const span =
      r.years.length === 0 ? '' : r.years.length === 1 ? String(r.years[0]) : `${r.years[0]}–${r.years.at(-1)}`;
    output.out(
      `${r.ticker.padEnd(width)}  ${span.padEnd(9)}  ${r.years.length} year${r.years.length === 1 ? '' : 's'}`,
    );
  }
  output.err(`${rows.length} symbol${rows.length === 1 ? '' : 's'}`);
  return 0;
}

async function listYears(client: GatewayClient, symbol: string, output: Output): Promise<number> {
  const { symbol: found } = await client.request(YEARS, { ticker: symbol });
  if (!found) return notFound(output, `no data for ${symbol.toUpperCase()}`);
  if (output.json) return print(output, found);
  for (const y of found.years) {
    const daily = y.tickFiles.filter((f) => f.resolution === 'DAILY');
    const minute = y.tickFiles.filter((f) => f.resolution === 'MINUTE');
    const parts = [
      daily.length ? `daily ${size(daily.reduce((a, f) => a + f.size, 0))}` : 'no daily',
      minute.length
        ? `minute ${minute.length} month${minute.length === 1 ? '' : 's'} ${size(minute.reduce((a, f) => a + f.size, 0))}`
        : '',
      y.fundamentals.length ? `fundamentals ${y.fundamentals.map((f) => `Q${f.quarter}`).join(' ')}` : '',
    ].filter(Boolean);
    output.out(`${y.year}  ${parts.join('  ')}`);
  }
  return 0;
}

async function listFiles(
  client: GatewayClient,
  symbol: string,
  year: number,
  urls: boolean,
  output: Output,
): Promise<number> {
  const { symbol: found } = await client.request(FILES, { ticker: symbol, year, urls });
  const y = found?.year;
  if (!y) return notFound(output, `no data for ${symbol.toUpperCase()} in ${year}`);
  if (output.json) return print(output, y);
  const files = [...y.tickFiles, ...y.fundamentals];
  for (const f of files) {
    output.out(`${f.lastModified.replace('T', ' ').slice(0, 16)}  ${String(f.size).padStart(10)}  ${f.key}`);
    if (urls && 'downloadUrl' in f && f.downloadUrl) output.out(`    ${f.downloadUrl}`);
  }
  return 0;
}

function print(output: Output, value: unknown): number {
  output.out(JSON.stringify(value, null, 2));
  return 0;
}

function notFound(output: Output, message: string): number {
  if (output.json) output.out('null');
  output.err(message);
  return 1;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
