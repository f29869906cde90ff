// Reading bars out of a running app the two ways users do: GraphQL pages (through yoga.fetch) and the bulk export route.
import { tableFromIPC } from 'apache-arrow';
import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import { gql, type GraphQLResponse } from '../support/graphql.js';
import { FIELDS, fromGraphQL, type Row } from './support.js';

export const BARS_QUERY = `query Bars($ticker: String!, $from: Date, $to: Date, $timeframe: Timeframe!, $first: Int, $after: String, $adjustment: Adjustment! = RAW, $asOf: Date) {
  symbol(ticker: $ticker) {
    bars(from: $from, to: $to, timeframe: $timeframe, first: $first, after: $after, adjustment: $adjustment, asOf: $asOf) {
      edges { cursor }
      nodes { time date open high low close volume vwap trades }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

export interface BarsArgs {
  from?: string;
  to?: string;
  timeframe?: string;
  first?: number;
  adjustment?: string;
  asOf?: string;
}

/** Every bar of a query, following endCursor page by page; also returns the number of pages. */
export async function allBars(app: App, ticker: string, args: BarsArgs = {}): Promise<{ rows: Row[]; pages: number }> {
  const rows: Row[] = [];
  let after: string | undefined;
  for (let pages = 1; ; pages++) {
    const result: GraphQLResponse = await gql(app, BARS_QUERY, {
      ticker,
      timeframe: 'DAY',
      first: 10_000,
      ...args,
      after,
    });
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    const bars = result.data.symbol.bars;
    rows.push(...bars.nodes.map(fromGraphQL));
    expect(bars.edges.at(-1)?.cursor ?? null).toBe(bars.pageInfo.endCursor);
    if (!bars.pageInfo.hasNextPage) return { rows, pages };
    after = bars.pageInfo.endCursor;
  }
}

export async function exportResponse(
  app: App,
  ticker: string,
  query: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const params = new URLSearchParams(query);
  return app.yoga.fetch(`http://lakeql.test/v1/bars/${encodeURIComponent(ticker)}?${params}`, { headers });
}

/** The export in one format, decoded back to rows. Parquet is decoded by the caller's DuckDB (see exportParquetRows). */
export async function exportRows(
  app: App,
  ticker: string,
  format: 'json' | 'ndjson' | 'csv' | 'arrow',
  query: Record<string, string> = {},
): Promise<Row[]> {
  const response = await exportResponse(app, ticker, { ...query, format });
  expect(
    response.status,
    await response
      .clone()
      .text()
      .then((t) => t.slice(0, 300)),
  ).toBe(200);
  if (format === 'arrow') {
    const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    return table.toArray().map((r: any) => {
      const row = { time: Number(r.time), date: Number(r.date) } as Row;
      for (const f of FIELDS) row[f] = r[f] ?? null;
      return row;
    });
  }
  const text = await response.text();
  if (format === 'json') return (JSON.parse(text) as Record<string, unknown>[]).map(fromGraphQL);
  if (format === 'ndjson')
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => fromGraphQL(JSON.parse(line)));
  const [header, ...lines] = text.trimEnd().split('\n');
  expect(header).toBe(['time', 'date', ...FIELDS].join(','));
  return lines.map((line) => {
    const cells = line.split(',');
    const row = { time: Date.parse(cells[0]), date: Date.parse(`${cells[1]}T00:00:00Z`) } as Row;
    FIELDS.forEach((f, k) => (row[f] = cells[k + 2] === '' ? null : Number(cells[k + 2])));
    return row;
  });
}
