// Generated dates, ranges, years and cursors against the calendar and coverage arguments: a typed error or a bounded answer, never a crash.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import {
  CALENDAR_MAX_SPAN_DAYS,
  calendarRange,
  holidaysBetween,
  sessionsBetween,
} from '../../src/lake/calendar/range.js';
import { isLakeError } from '../../src/lake/errors.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { writePlantedLake } from '../coverage/planted.js';
import { gql } from '../support/graphql.js';
import { hostileNumber, hostileString, rng } from './hostile.js';

type Rng = () => number;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A pair: often `to` a few days to ~11 years after a real `from`, so the span cap is crossed both ways. */
function hostilePair(r: Rng): [unknown, unknown] {
  const from = hostileDate(r);
  if (r() < 0.5 && typeof from === 'string' && !Number.isNaN(Date.parse(from)) && /^\d{4}-/.test(from)) {
    const to = new Date(Date.parse(from.slice(0, 10)) + Math.floor(r() * 2200) * 86_400_000);
    if (!Number.isNaN(to.getTime())) return [from, to.toISOString().slice(0, 10)];
  }
  return [from, hostileDate(r)];
}

/** Dates near the edges: real ones of 1899–2201, impossible days, odd widths, and hostile strings. */
function hostileDate(r: Rng): unknown {
  const pick = r() * 10;
  if (pick < 5) {
    const year = 1899 + Math.floor(r() * 303);
    return `${year}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 31))}`;
  }
  if (pick < 6) return `${Math.floor(r() * 100000)}-${pad(Math.floor(r() * 14))}-${pad(Math.floor(r() * 33))}`;
  if (pick < 7) return hostileNumber(r);
  if (pick < 7.5) return null;
  if (pick < 8) return `${1999 + Math.floor(r() * 4)}-02-29T00:00:00Z`;
  return hostileString(r);
}

describe('calendar ranges', () => {
  it('accept a real date pair within the bounds, and refuse everything else with INVALID_INPUT (BAD_USER_INPUT over GraphQL)', () => {
    const r = rng(13);
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const [a, b] = hostilePair(r);
      const from = String(a);
      const to = String(b);
      try {
        const range = calendarRange(from, to);
        accepted++;
        const sessions = sessionsBetween(range);
        expect(sessions.length).toBeLessThanOrEqual(Math.ceil((CALENDAR_MAX_SPAN_DAYS * 5) / 7) + 1);
        for (const s of sessions) expect(s.date >= from && s.date <= to).toBe(true);
        for (const h of holidaysBetween(range)) expect(h.date >= from && h.date <= to).toBe(true);
      } catch (error) {
        if (!isLakeError(error)) throw new Error(`${from}..${to} raised ${String(error)}`);
        expect(error.code).toBe('INVALID_INPUT');
      }
    }
    expect(accepted).toBeGreaterThan(100);
  });
});

describe('calendar and coverage over GraphQL', () => {
  let dir: string;
  let app: App;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lakeql-calfuzz-'));
    await writePlantedLake(dir);
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_MAX_PAGE_SIZE: '100' }), {
      store: new LocalStore(dir),
    });
  });
  afterAll(async () => {
    await app?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const TYPED = ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'];

  function expectTyped(result: Awaited<ReturnType<typeof gql>>, label: string): boolean {
    if (!result.errors) return true;
    for (const error of result.errors) {
      // Variable coercion (a float for an Int, "2025-02-30" for a Date) is refused by graphql-js before execution, without a code.
      if (error.extensions?.code === undefined)
        expect(error.message, label).toMatch(
          /^Variable "\$\w+"|cannot represent|^Value "[\s\S]*" does not exist in "Resolution" enum/,
        );
      else expect(TYPED, `${label}: ${error.message}`).toContain(error.extensions.code);
      expect(error.message).not.toMatch(/\n\s+at |node_modules|\/src\//);
    }
    return false;
  }

  it('answers 400 generated calendar and holiday ranges with data or a typed error', async () => {
    const r = rng(14);
    let answered = 0;
    for (let i = 0; i < 400; i++) {
      const [from, to] = hostilePair(r);
      const variables = { from, to };
      const field =
        i % 2
          ? 'calendar(from: $from, to: $to) { date open close openLocal closeLocal earlyClose }'
          : 'holidays(from: $from, to: $to) { date name kind close }';
      const result = await gql(app, `query($from: Date!, $to: Date!) { ${field} }`, variables);
      if (expectTyped(result, JSON.stringify(variables))) answered++;
    }
    expect(answered).toBeGreaterThan(20);
  });

  it('answers 200 generated coverage arguments with data or a typed error', async () => {
    const r = rng(15);
    for (let i = 0; i < 200; i++) {
      const year = r() < 0.5 ? 2015 + Math.floor(r() * 15) : hostileNumber(r);
      const first = r() < 0.5 ? 1 + Math.floor(r() * 60) : hostileNumber(r);
      const after =
        r() < 0.5
          ? null
          : r() < 0.5
            ? Buffer.from(`symbol:${hostileString(r)}`).toString('base64url')
            : hostileString(r);
      const resolution = r() < 0.8 ? (r() < 0.5 ? 'DAILY' : 'MINUTE') : hostileString(r);
      const variables = { year, first, after, resolution };
      const result = await gql(
        app,
        `query($year: Int!, $first: Int, $after: String, $resolution: Resolution) {
        lake { coverage(year: $year, first: $first, after: $after, resolution: $resolution) { nodes { symbol missingDates } pageInfo { hasNextPage } } } }`,
        variables,
      );
      expectTyped(result, JSON.stringify(variables));
      const single = await gql(
        app,
        `query($year: Int!, $resolution: Resolution) { symbol(ticker: "GAPS") { year(year: $year) { coverage(resolution: $resolution) { complete } } } }`,
        { year, resolution },
      );
      expectTyped(single, JSON.stringify({ year, resolution }));
    }
  });

  it('serves the calendar: sessions in UTC and New York time, early closes, and the bounds', async () => {
    const week = await gql(
      app,
      '{ calendar(from: "2025-12-22", to: "2025-12-28") { date open close openLocal closeLocal sessionMinutes earlyClose earlyCloseReason } }',
    );
    expect(week.data.calendar).toEqual([
      {
        date: '2025-12-22',
        open: '2025-12-22T14:30:00.000Z',
        close: '2025-12-22T21:00:00.000Z',
        openLocal: '09:30:00',
        closeLocal: '16:00:00',
        sessionMinutes: 390,
        earlyClose: false,
        earlyCloseReason: null,
      },
      {
        date: '2025-12-23',
        open: '2025-12-23T14:30:00.000Z',
        close: '2025-12-23T21:00:00.000Z',
        openLocal: '09:30:00',
        closeLocal: '16:00:00',
        sessionMinutes: 390,
        earlyClose: false,
        earlyCloseReason: null,
      },
      {
        date: '2025-12-24',
        open: '2025-12-24T14:30:00.000Z',
        close: '2025-12-24T18:00:00.000Z',
        openLocal: '09:30:00',
        closeLocal: '13:00:00',
        sessionMinutes: 210,
        earlyClose: true,
        earlyCloseReason: 'Christmas Eve',
      },
      {
        date: '2025-12-26',
        open: '2025-12-26T14:30:00.000Z',
        close: '2025-12-26T21:00:00.000Z',
        openLocal: '09:30:00',
        closeLocal: '16:00:00',
        sessionMinutes: 390,
        earlyClose: false,
        earlyCloseReason: null,
      },
    ]);
    const summer = await gql(app, '{ calendar(from: "2025-07-03", to: "2025-07-03") { open close closeLocal } }');
    expect(summer.data.calendar).toEqual([
      { open: '2025-07-03T13:30:00.000Z', close: '2025-07-03T17:00:00.000Z', closeLocal: '13:00:00' },
    ]);
    const holidays = await gql(app, '{ holidays(from: "2025-01-01", to: "2025-01-31") { date name kind close } }');
    expect(holidays.data.holidays).toEqual([
      { date: '2025-01-01', name: "New Year's Day", kind: 'CLOSED', close: null },
      { date: '2025-01-09', name: 'National day of mourning for President Carter', kind: 'CLOSED', close: null },
      { date: '2025-01-20', name: 'Martin Luther King Jr. Day', kind: 'CLOSED', close: null },
    ]);
    const early = await gql(app, '{ holidays(from: "2024-11-01", to: "2024-12-31") { date name kind close } }');
    expect(early.data.holidays).toEqual([
      { date: '2024-11-28', name: 'Thanksgiving Day', kind: 'CLOSED', close: null },
      { date: '2024-11-29', name: 'Day after Thanksgiving', kind: 'EARLY_CLOSE', close: '2024-11-29T18:00:00.000Z' },
      { date: '2024-12-24', name: 'Christmas Eve', kind: 'EARLY_CLOSE', close: '2024-12-24T18:00:00.000Z' },
      { date: '2024-12-25', name: 'Christmas Day', kind: 'CLOSED', close: null },
    ]);
    for (const [from, to] of [
      ['1999-12-31', '2000-01-05'],
      ['2100-12-01', '2101-01-01'],
      ['2000-01-01', '2006-01-01'],
      ['2025-02-01', '2025-01-01'],
    ]) {
      const result = await gql(app, `{ calendar(from: "${from}", to: "${to}") { date } }`);
      expect(result.errors?.[0]?.extensions?.code, `${from}..${to}`).toBe('BAD_USER_INPUT');
    }
  });
});
