// Intraday intervals (`every` minutes and hours on the New York clock) and sessions (REGULAR, EXTENDED) against DuckDB's GROUP BY over the same minute files.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { minuteTicksKey } from '../../src/lake/layout.js';
import { gql, type GraphQLResponse } from '../support/graphql.js';
import { skippedS3Servers } from '../support/s3-servers.js';
import { exportResponse } from './client.js';
import { MINUTE_MONTHS, writeMinuteSymbol } from './lakes.js';
import {
  barBackends,
  copyTo,
  duck,
  expectRows,
  FIELDS,
  fromDuck,
  fromGraphQL,
  rows,
  type Field,
  type Row,
} from './support.js';

/** NYSE's published closures and 13:00 closes over the fixtures' dates (typed in here, not taken from src/lake/calendar). */
const HOLIDAYS = ['2023-12-25', '2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-11-28', '2024-12-25'];
const EARLY_CLOSES = ['2024-11-29', '2024-12-24'];

/**
 * Symbol IV: every minute of the day, weekends included, over 2024-03-07..03-14 (the spring-forward
 * Sunday) and 2024-10-28..12-31 (the fall-back Sunday, Thanksgiving, two early closes, Christmas),
 * in three writers' dialects (one per file month), some vwap and volume null.
 */
const IV_MONTHS = [
  { month: 3, dialect: MINUTE_MONTHS[1], from: '2024-03-07', to: '2024-03-15' },
  { month: 10, dialect: MINUTE_MONTHS[0], from: '2024-10-28', to: '2024-11-01' },
  { month: 11, dialect: MINUTE_MONTHS[2], from: '2024-11-01', to: '2024-12-01' },
  { month: 12, dialect: MINUTE_MONTHS[3], from: '2024-12-01', to: '2025-01-01' },
];

let dir: string;
let db: DuckDBConnection;

async function writeIntervalSymbol(): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE src_iv AS
    WITH mins AS (
      SELECT ts::TIMESTAMPTZ AS ts FROM range(TIMESTAMP '2024-03-07', TIMESTAMP '2024-03-15', INTERVAL 1 MINUTE) t(ts)
      UNION ALL SELECT ts::TIMESTAMPTZ FROM range(TIMESTAMP '2024-10-28', TIMESTAMP '2025-01-01', INTERVAL 1 MINUTE) t(ts)),
    n AS (SELECT ts, row_number() OVER (ORDER BY ts) AS i FROM mins),
    oc AS (SELECT ts, i, 100 + (hash(i, 23) % 100003) / 7919.0 AS open, 100 + (hash(i, 23, 2) % 100003) / 7919.0 AS close FROM n)
    SELECT ts, open,
      greatest(open, close) + (hash(i, 23, 3) % 97) / 613.0 AS high,
      least(open, close) - (hash(i, 23, 4) % 97) / 613.0 AS low,
      close,
      CASE WHEN i % 13 = 0 THEN NULL ELSE (100 + hash(i, 23, 5) % 50000)::BIGINT END AS volume,
      CASE WHEN i % 17 = 0 THEN NULL ELSE (open + close) / 2 END AS vwap,
      (1 + hash(i, 23, 6) % 400)::BIGINT AS trades
    FROM oc`);
  const parts: string[] = [];
  for (const { month, dialect, from, to } of IV_MONTHS) {
    const file = path.join(dir, minuteTicksKey('IV', 2024, month));
    await copyTo(
      db,
      `SELECT ${dialect.columns} FROM src_iv WHERE ts >= TIMESTAMPTZ '${from} 00:00:00+00' AND ts < TIMESTAMPTZ '${to} 00:00:00+00' ORDER BY ts`,
      file,
      dialect.compression,
      dialect.rowGroupSize,
    );
    const fields = FIELDS.map(
      (f: Field) => `${dialect.fields[f] ? `(${dialect.fields[f]})::DOUBLE` : 'NULL::DOUBLE'} AS ${f}`,
    ).join(', ');
    parts.push(`SELECT (${dialect.time})::DOUBLE AS t, ${fields} FROM read_parquet('${file}')`);
  }
  await db.run(`CREATE OR REPLACE TEMP VIEW iv_minutes AS
    SELECT t, epoch_ms(timezone('America/New_York', to_timestamp(t / 1000))::DATE::TIMESTAMP)::DOUBLE AS nyd, * EXCLUDE (t) FROM (${parts.join(' UNION ALL ')})`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-bars-intervals-'));
  db = await duck();
  await writeMinuteSymbol(db, dir);
  await writeIntervalSymbol();
});
afterAll(async () => {
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

const list = (dates: string[]) => dates.map((d) => `DATE '${d}'`).join(', ');

/** The regular session, written as DuckDB filters on New York time of day and the published calendar. */
const REGULAR_SQL = `dayofweek(local) BETWEEN 1 AND 5 AND local::DATE NOT IN (${list(HOLIDAYS)})
  AND local::TIME >= TIME '09:30' AND local::TIME < CASE WHEN local::DATE IN (${list(EARLY_CLOSES)}) THEN TIME '13:00' ELSE TIME '16:00' END`;

/**
 * DuckDB's bars of `minutes`-wide buckets: New York wall-clock periods from local midnight
 * (date_trunc + floor of the minute of day). Widths dividing an hour also split by UTC offset, so
 * the repeated hour of the fall-back night makes bars of its own, labelled by wall clock minus
 * that offset; other buckets are labelled by DuckDB's reading of their wall-clock start in New York.
 */
async function duckIntervals(
  source: string,
  minutes: number,
  options: { regular?: boolean; from?: string; to?: string } = {},
): Promise<Row[]> {
  const where = [
    options.regular ? REGULAR_SQL : 'TRUE',
    options.from ? `nyd >= epoch_ms(TIMESTAMP '${options.from}')` : 'TRUE',
    options.to ? `nyd <= epoch_ms(TIMESTAMP '${options.to}')` : 'TRUE',
  ].join(' AND ');
  const split = 60 % minutes === 0;
  const result = await rows(
    db,
    `
    WITH r AS (SELECT *, timezone('America/New_York', to_timestamp(t / 1000)) AS local FROM ${source}),
    f AS (SELECT * FROM r WHERE ${where}),
    b AS (SELECT *,
      date_trunc('day', local) + to_minutes((floor((hour(local) * 60 + minute(local)) / ${minutes}) * ${minutes})::BIGINT) AS lb,
      ${split ? 'epoch_ms(local) - t' : '0'} AS off FROM f)
    SELECT ${split ? 'epoch_ms(lb) - off' : `epoch_ms(timezone('America/New_York', lb))`}::DOUBLE AS t,
      epoch_ms(lb::DATE::TIMESTAMP)::DOUBLE AS d,
      arg_min(open, t) FILTER (WHERE open IS NOT NULL) AS open,
      max(high) AS high, min(low) AS low,
      arg_max(close, t) FILTER (WHERE close IS NOT NULL) AS close,
      sum(volume) AS volume,
      CASE WHEN count(*) = 1 THEN any_value(vwap) ELSE sum(vwap * volume) / sum(volume) FILTER (WHERE vwap IS NOT NULL) END AS vwap,
      sum(trades) AS trades
    FROM b GROUP BY lb, off ORDER BY 1`,
  );
  return result.map(fromDuck);
}

const QUERY = `query Bars($ticker: String!, $from: Date, $to: Date, $timeframe: Timeframe!, $every: Int, $session: TradingSession!, $first: Int, $after: String) {
  symbol(ticker: $ticker) {
    bars(from: $from, to: $to, timeframe: $timeframe, every: $every, session: $session, first: $first, after: $after) {
      nodes { time date open high low close volume vwap trades }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

interface IntervalArgs {
  timeframe: string;
  every?: number;
  session?: string;
  from?: string;
  to?: string;
  first?: number;
}

async function pages(app: App, ticker: string, args: IntervalArgs): Promise<{ rows: Row[]; pages: number }> {
  const out: Row[] = [];
  let after: string | undefined;
  for (let n = 1; ; n++) {
    const result: GraphQLResponse = await gql(app, QUERY, { ticker, session: 'EXTENDED', first: 3000, ...args, after });
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    const bars = result.data.symbol.bars;
    out.push(...bars.nodes.map(fromGraphQL));
    if (!bars.pageInfo.hasNextPage) return { rows: out, pages: n };
    after = bars.pageInfo.endCursor;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

const backends = barBackends(() => dir, 'bars-intervals');
for (const { name, reason } of skippedS3Servers()) it.skip(`intervals over S3 on ${name}: ${reason}`, () => {});

for (const backend of backends) {
  describe(`intervals and sessions over ${backend.name}`, () => {
    let app: App;
    beforeAll(async () => {
      app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store: await backend.open() });
    });

    // Widths that divide an hour are exact on every night; the others are compared away from the fall-back night (see interval.ts).
    const cases: { timeframe: string; every: number; minutes: number }[] = [
      { timeframe: 'MINUTE', every: 5, minutes: 5 },
      { timeframe: 'MINUTE', every: 15, minutes: 15 },
      { timeframe: 'MINUTE', every: 30, minutes: 30 },
      { timeframe: 'HOUR', every: 1, minutes: 60 },
      { timeframe: 'HOUR', every: 4, minutes: 240 },
    ];
    for (const { timeframe, every, minutes } of cases) {
      for (const session of ['EXTENDED', 'REGULAR'] as const) {
        it(`${timeframe} every ${every}, ${session}: both DST nights, early closes and holidays of three writers' files equal DuckDB`, async () => {
          const expected = await duckIntervals('iv_minutes', minutes, { regular: session === 'REGULAR' });
          const { rows: actual } = await pages(app, 'IV', { timeframe, every, session });
          expectRows(actual, expected, `IV ${timeframe}*${every} ${session}`);
        });
      }
    }

    it('MINUTE every 45 and 90 and HOUR every 3 away from the fall-back night (spring-forward night included) equal DuckDB', async () => {
      for (const [timeframe, every, minutes] of [
        ['MINUTE', 45, 45],
        ['MINUTE', 90, 90],
        ['HOUR', 3, 180],
      ] as const) {
        for (const range of [
          { from: '2024-03-07', to: '2024-03-14' },
          { from: '2024-11-04', to: '2024-12-31' },
        ]) {
          const expected = await duckIntervals('iv_minutes', minutes, range);
          const { rows: actual } = await pages(app, 'IV', { timeframe, every, ...range });
          expectRows(actual, expected, `IV ${timeframe}*${every} ${range.from}`);
        }
      }
    });

    it('5-minute regular bars start at 9:30 New York time in both seasons; the early close ends at 12:55, the holiday has none', async () => {
      const { rows: march } = await pages(app, 'IV', {
        timeframe: 'MINUTE',
        every: 5,
        session: 'REGULAR',
        from: '2024-03-08',
        to: '2024-03-11',
      });
      expect(march.length).toBe(2 * 78);
      expect(iso(march[0].time)).toBe('2024-03-08T14:30:00.000Z');
      expect(iso(march[78].time)).toBe('2024-03-11T13:30:00.000Z');
      const { rows: late } = await pages(app, 'IV', {
        timeframe: 'MINUTE',
        every: 5,
        session: 'REGULAR',
        from: '2024-11-27',
        to: '2024-11-29',
      });
      expect(late.length).toBe(78 + 42);
      expect(iso(late.at(-1)!.time)).toBe('2024-11-29T17:55:00.000Z');
      const { rows: hours } = await pages(app, 'IV', {
        timeframe: 'HOUR',
        session: 'REGULAR',
        from: '2024-11-26',
        to: '2024-11-26',
      });
      expect(hours.map((b) => iso(b.time).slice(11, 16))).toEqual([
        '14:00',
        '15:00',
        '16:00',
        '17:00',
        '18:00',
        '19:00',
        '20:00',
      ]);
    });

    it('fall-back night: 1-hour bars keep 01:00 EDT and 01:00 EST apart; the 0:00 4-hour bar holds five hours', async () => {
      const { rows: hours } = await pages(app, 'IV', { timeframe: 'HOUR', from: '2024-11-03', to: '2024-11-03' });
      expect(hours.length).toBe(25);
      expect(iso(hours[1].time)).toBe('2024-11-03T05:00:00.000Z');
      expect(iso(hours[2].time)).toBe('2024-11-03T06:00:00.000Z');
      const { rows: four } = await pages(app, 'IV', {
        timeframe: 'HOUR',
        every: 4,
        from: '2024-11-03',
        to: '2024-11-03',
      });
      expect(four.map((b) => iso(b.time))).toEqual(
        ['04', '09', '13', '17', '21', '25'].map((h, k) =>
          k < 5 ? `2024-11-03T${h}:00:00.000Z` : '2024-11-04T01:00:00.000Z',
        ),
      );
      const { rows: spring } = await pages(app, 'IV', {
        timeframe: 'HOUR',
        every: 2,
        from: '2024-03-10',
        to: '2024-03-10',
      });
      expect(spring.slice(0, 3).map((b) => iso(b.time))).toEqual([
        '2024-03-10T05:00:00.000Z',
        '2024-03-10T07:00:00.000Z',
        '2024-03-10T08:00:00.000Z',
      ]);
    });

    it('MN (five writers, 9:30–20:00): MINUTE REGULAR drops after-hours and holidays, DAY REGULAR from minute files sums regular minutes only', async () => {
      const minutesExpected = await duckIntervals('mn_minutes', 1, {
        regular: true,
        from: '2024-01-10',
        to: '2024-03-29',
      });
      const { rows: minutes } = await pages(app, 'MN', {
        timeframe: 'MINUTE',
        session: 'REGULAR',
        from: '2024-01-10',
        to: '2024-03-29',
      });
      expectRows(minutes, minutesExpected, 'MN MINUTE REGULAR');
      const days = await rows(
        db,
        `
        WITH r AS (SELECT *, timezone('America/New_York', to_timestamp(t / 1000)) AS local FROM mn_minutes WHERE nyd >= epoch_ms(TIMESTAMP '2024-01-01'))
        SELECT nyd AS t, nyd AS d,
          arg_min(open, t) FILTER (WHERE open IS NOT NULL) AS open, max(high) AS high, min(low) AS low,
          arg_max(close, t) FILTER (WHERE close IS NOT NULL) AS close, sum(volume) AS volume,
          CASE WHEN count(*) = 1 THEN any_value(vwap) ELSE sum(vwap * volume) / sum(volume) FILTER (WHERE vwap IS NOT NULL) END AS vwap,
          sum(trades) AS trades
        FROM r WHERE ${REGULAR_SQL} GROUP BY nyd ORDER BY nyd`,
      );
      const { rows: actual } = await pages(app, 'MN', { timeframe: 'DAY', session: 'REGULAR', from: '2024-01-01' });
      expect(actual.some((b) => iso(b.date).startsWith('2024-01-15'))).toBe(false);
      expectRows(actual, days.map(fromDuck), 'MN DAY REGULAR');
      // 2023 comes from its daily file: the same bars in both sessions.
      const daily = await pages(app, 'MN', { timeframe: 'DAY', session: 'REGULAR', to: '2023-12-31' });
      expectRows(daily.rows, (await pages(app, 'MN', { timeframe: 'DAY', to: '2023-12-31' })).rows, 'MN 2023 daily');
    });

    it('pages of 15-minute bars follow cursors without gaps or repeats; a cursor of another width is refused', async () => {
      const expected = await duckIntervals('iv_minutes', 15, { regular: true });
      const { rows: actual, pages: count } = await pages(app, 'IV', {
        timeframe: 'MINUTE',
        every: 15,
        session: 'REGULAR',
        first: 97,
      });
      expect(count).toBe(Math.ceil(expected.length / 97));
      expectRows(actual, expected, 'IV 15m paged');
      const first = await gql(app, QUERY, {
        ticker: 'IV',
        timeframe: 'MINUTE',
        every: 15,
        session: 'REGULAR',
        first: 2,
      });
      const cursor = first.data.symbol.bars.pageInfo.endCursor;
      const wrong = await gql(app, QUERY, {
        ticker: 'IV',
        timeframe: 'MINUTE',
        every: 5,
        session: 'REGULAR',
        first: 2,
        after: cursor,
      });
      expect(wrong.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(wrong.errors?.[0].message).toMatch(/MINUTE\*15, not MINUTE\*5/);
    });

    it('the export route streams the same 5-minute regular and 4-hour bars as Arrow, CSV and JSON', async () => {
      const five = await duckIntervals('iv_minutes', 5, { regular: true, from: '2024-11-20', to: '2024-12-06' });
      const arrow = await exportResponse(app, 'IV', {
        timeframe: 'minute',
        every: '5',
        session: 'regular',
        from: '2024-11-20',
        to: '2024-12-06',
        format: 'arrow',
      });
      expect(arrow.status).toBe(200);
      expect(arrow.headers.get('content-disposition')).toContain('IV-MINUTEx5-regular');
      const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
      const fromArrow = table.toArray().map((r: any) => {
        const row = { time: Number(r.time), date: Number(r.date) } as Row;
        for (const f of FIELDS) row[f] = r[f] ?? null;
        return row;
      });
      expectRows(fromArrow, five, 'IV 5m regular arrow');
      const four = await duckIntervals('iv_minutes', 240);
      const json = await exportResponse(app, 'IV', { timeframe: 'HOUR', every: '4', format: 'json' });
      expectRows(((await json.json()) as Record<string, unknown>[]).map(fromGraphQL), four, 'IV 4h json');
      const csv = await (await exportResponse(app, 'IV', { timeframe: 'HOUR', every: '4', format: 'csv' })).text();
      expect(csv.trimEnd().split('\n').length).toBe(four.length + 1);
    });

    it('every outside its range is BAD_USER_INPUT on GraphQL, before any file is read', async () => {
      for (const [timeframe, every] of [
        ['MINUTE', 0],
        ['MINUTE', 721],
        ['HOUR', 13],
        ['HOUR', -4],
        ['DAY', 2],
        ['WEEK', 5],
      ] as const) {
        const result = await gql(app, QUERY, { ticker: 'IV', timeframe, every, session: 'EXTENDED' });
        expect(result.errors?.[0].extensions?.code, `${timeframe} ${every}`).toBe('BAD_USER_INPUT');
        expect(result.errors?.[0].message).toMatch(/every must be/);
      }
      const bad = await gql(app, QUERY, { ticker: 'IV', timeframe: 'MINUTE', every: 5, session: 'OVERNIGHT' });
      expect(bad.errors?.length).toBeGreaterThan(0);
    });
  });
}
