// Reading many symbols' bars out of a running app: symbols(tickers:) in one GraphQL request, and GET /v1/bars?symbols= decoded from every format.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import { gql, type GraphQLResponse } from '../support/graphql.js';
import { FIELDS, fromDuck, fromGraphQL, rows, type Row } from './support.js';

export const MANY_QUERY = `query Many($tickers: [String!], $first: Int, $after: String, $timeframe: Timeframe! = DAY, $from: Date, $to: Date, $barsFirst: Int = 1000) {
  symbols(tickers: $tickers, first: $first, after: $after) {
    unknownTickers
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      ticker
      bars(timeframe: $timeframe, from: $from, to: $to, first: $barsFirst) {
        nodes { time date open high low close volume vwap trades }
        pageInfo { hasNextPage }
      }
    }
  }
}`;

export interface ManyResult {
  tickers: string[];
  unknownTickers: string[];
  bars: Map<string, Row[]>;
}

/** One symbols(tickers:) request with every ticker's bars; fails the test on any error or on a bars page that did not hold everything. */
export async function manyBars(app: App, tickers: string[], args: Record<string, unknown> = {}): Promise<ManyResult> {
  const result: GraphQLResponse = await gql(app, MANY_QUERY, { tickers, ...args });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  const { nodes, unknownTickers } = result.data.symbols;
  const bars = new Map<string, Row[]>();
  for (const node of nodes) {
    expect(node.bars.pageInfo.hasNextPage, `${node.ticker}: one page holds every bar`).toBe(false);
    bars.set(node.ticker, node.bars.nodes.map(fromGraphQL));
  }
  return { tickers: nodes.map((n: { ticker: string }) => n.ticker), unknownTickers, bars };
}

export type LongRow = Row & { symbol: string };

export async function manyResponse(
  app: App,
  query: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return app.yoga.fetch(`http://lakeql.test/v1/bars?${new URLSearchParams(query)}`, { headers });
}

/** The long-format export in one format, decoded back to rows in the order sent. Parquet is read back by DuckDB. */
export async function manyExportRows(
  app: App,
  format: 'json' | 'ndjson' | 'csv' | 'arrow' | 'parquet',
  query: Record<string, string>,
  db?: DuckDBConnection,
  dir?: string,
): Promise<LongRow[]> {
  const response = await manyResponse(app, { ...query, format });
  expect(
    response.status,
    await response
      .clone()
      .text()
      .then((t) => t.slice(0, 300)),
  ).toBe(200);
  if (format === 'parquet') {
    const file = path.join(dir!, `many-${Math.random().toString(36).slice(2)}.parquet`);
    await writeFile(file, new Uint8Array(await response.arrayBuffer()));
    const read = await rows(
      db!,
      `SELECT symbol, epoch_ms(time)::DOUBLE AS t, epoch_ms(date::TIMESTAMP)::DOUBLE AS d, open, high, low, close, volume, vwap, trades FROM read_parquet('${file}')`,
    );
    return read.map((r) => ({ ...fromDuck(r), symbol: r.symbol as string }));
  }
  if (format === 'arrow') {
    const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    expect(table.schema.fields.map((f) => f.name)).toEqual(['symbol', 'time', 'date', ...FIELDS]);
    return table.toArray().map((r: any) => {
      const row = { symbol: r.symbol, time: Number(r.time), date: Number(r.date) } as LongRow;
      for (const f of FIELDS) row[f] = r[f] ?? null;
      return row;
    });
  }
  const text = await response.text();
  const fromJson = (o: Record<string, unknown>) => ({ ...fromGraphQL(o), symbol: o.symbol as string });
  if (format === 'json') return (JSON.parse(text) as Record<string, unknown>[]).map(fromJson);
  if (format === 'ndjson')
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => fromJson(JSON.parse(line)));
  const [header, ...lines] = text.trimEnd().split('\n');
  expect(header).toBe(['symbol', 'time', 'date', ...FIELDS].join(','));
  return lines.map((line) => {
    const cells = line.split(',');
    const row = { symbol: cells[0], time: Date.parse(cells[1]), date: Date.parse(`${cells[2]}T00:00:00Z`) } as LongRow;
    FIELDS.forEach((f, k) => (row[f] = cells[k + 3] === '' ? null : Number(cells[k + 3])));
    return row;
  });
}

/** Splits long rows by symbol, checking each symbol's rows are contiguous; returns the symbols in the order they came. */
export function bySymbol(long: LongRow[]): { order: string[]; rows: Map<string, Row[]> } {
  const order: string[] = [];
  const out = new Map<string, Row[]>();
  for (const { symbol, ...row } of long) {
    if (order.at(-1) !== symbol) {
      expect(out.has(symbol), `${symbol}'s rows are contiguous`).toBe(false);
      order.push(symbol);
      out.set(symbol, []);
    }
    out.get(symbol)!.push(row as Row);
  }
  return { order, rows: out };
}
