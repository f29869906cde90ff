// Generated hostile `every`, `session` and `timeframe` values on GET /v1/bars and the bars field: a typed 400 / BAD_USER_INPUT or bars, never a crash.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { exportResponse } from '../bars/client.js';
import { writeMinuteSymbol } from '../bars/lakes.js';
import { duck } from '../bars/support.js';
import { gql } from '../support/graphql.js';
import { hostileNumber, hostileString, rng } from './hostile.js';

type Rng = () => number;

let dir: string;
let app: App;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lakeql-interval-fuzz-'));
  const db = await duck();
  await writeMinuteSymbol(db, dir);
  db.closeSync();
  app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), { store: new LocalStore(dir) });
});
afterAll(async () => {
  await app?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Near-valid and hostile `every` texts: edges of each range, signs, exponents, fractions, padding, huge, and hostile strings. */
function hostileEvery(r: Rng): string {
  const pick = r() * 10;
  if (pick < 3) return String(Math.floor(r() * 800) - 20);
  if (pick < 4) return String(hostileNumber(r));
  if (pick < 6)
    return [
      '5',
      '05',
      '0x5',
      '5.0',
      '5e0',
      '+5',
      ' 5',
      '5 ',
      '1e3',
      '720',
      '721',
      '12',
      '13',
      '0',
      '-0',
      '99999999999999999999',
      '١٥',
      '５',
      '',
    ][Math.floor(r() * 19)];
  return hostileString(r);
}

function hostileSession(r: Rng): string | null {
  const pick = r() * 10;
  if (pick < 2) return null;
  if (pick < 5)
    return ['regular', 'REGULAR', 'Extended', 'extended ', 'rth', 'eth', 'ALL', 'REGULAR,EXTENDED', 'regul\u0430r', ''][
      Math.floor(r() * 10)
    ];
  return hostileString(r);
}

const TIMEFRAMES = ['minute', 'HOUR', 'day', 'week', 'MONTH', 'hour', 'bogus'];

describe('GET /v1/bars interval parameters', () => {
  it('answers 300 generated every/session/timeframe combinations with bars or a typed 400', async () => {
    const r = rng(1414);
    let ok = 0;
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const every = hostileEvery(r);
      const session = hostileSession(r);
      const timeframe = TIMEFRAMES[Math.floor(r() * TIMEFRAMES.length)];
      const query: Record<string, string> = { timeframe, every, from: '2024-03-08', to: '2024-03-08', format: 'json' };
      if (session !== null) query.session = session;
      const response = await exportResponse(app, 'MN', query);
      const text = await response.text();
      const label = JSON.stringify(query).slice(0, 200);
      if (response.status === 200) {
        ok++;
        const bars = JSON.parse(text) as unknown[];
        expect(Array.isArray(bars), label).toBe(true);
        expect(/^\d{1,3}$/.test(every) || every === '', label).toBe(true);
      } else {
        refused++;
        expect(response.status, `${label}: ${text.slice(0, 200)}`).toBe(400);
        const body = JSON.parse(text);
        expect(body.errors[0].extensions.code, label).toBe('BAD_USER_INPUT');
        expect(body.errors[0].message, label).not.toMatch(/\n\s+at /);
        expect(body.errors[0].message.length, label).toBeLessThan(300);
      }
    }
    expect(ok).toBeGreaterThan(3);
    expect(refused).toBeGreaterThan(100);
  });

  it("accepts exactly the documented forms: decimal every within the timeframe's range, session in any case", async () => {
    const status = async (query: Record<string, string>) =>
      (await exportResponse(app, 'MN', { from: '2024-03-08', to: '2024-03-08', ...query })).status;
    expect(await status({ timeframe: 'minute', every: '5', session: 'Regular' })).toBe(200);
    expect(await status({ timeframe: 'minute', every: '720' })).toBe(200);
    expect(await status({ timeframe: 'hour', every: '12', session: 'EXTENDED' })).toBe(200);
    for (const every of ['0', '721', '5.0', '+5', '0x5', '1e1', ' 5'])
      expect(await status({ timeframe: 'minute', every }), every).toBe(400);
    expect(await status({ timeframe: 'hour', every: '13' })).toBe(400);
    expect(await status({ timeframe: 'day', every: '2' })).toBe(400);
    expect(await status({ timeframe: 'minute', session: 'overnight' })).toBe(400);
  });
});

describe('bars(every:, session:) over GraphQL', () => {
  it('refuses 200 generated every values outside the range with BAD_USER_INPUT, and values that are no Int or TradingSession at variable coercion', async () => {
    const r = rng(1415);
    for (let i = 0; i < 200; i++) {
      const every = r() < 0.5 ? Math.floor(r() * 2000) - 500 : hostileNumber(r);
      const timeframe = ['MINUTE', 'HOUR', 'DAY', 'WEEK'][Math.floor(r() * 4)];
      const session = r() < 0.8 ? 'REGULAR' : hostileString(r);
      const result = await gql(
        app,
        `query($e: Int, $t: Timeframe!, $s: TradingSession!) { symbol(ticker: "MN") { bars(timeframe: $t, every: $e, session: $s, from: "2024-03-08", to: "2024-03-08", first: 5) { nodes { time close } } } }`,
        { e: every, t: timeframe, s: session },
      );
      const max = { MINUTE: 720, HOUR: 12, DAY: 1, WEEK: 1 }[timeframe]!;
      // NaN and ±Infinity travel as JSON null: every then takes its default, 1.
      const sent = Number.isFinite(every) ? every : 1;
      const coerces = Number.isInteger(sent) && Math.abs(sent) < 2 ** 31 && session === 'REGULAR';
      const valid = coerces && sent >= 1 && sent <= max;
      const label = `${timeframe} ${every} ${JSON.stringify(session).slice(0, 60)}`;
      if (valid) {
        expect(result.errors, label).toBeUndefined();
        expect(Array.isArray(result.data.symbol.bars.nodes), label).toBe(true);
      } else if (coerces) {
        expect(result.errors?.[0].extensions?.code, label).toBe('BAD_USER_INPUT');
        expect(result.errors?.[0].message, label).toMatch(/^every must be/);
      } else {
        // graphql-js refuses the variables before execution: errors, no data.
        expect(result.errors?.length, label).toBeGreaterThan(0);
        expect(result.data ?? null, label).toBeNull();
      }
    }
  });
});
