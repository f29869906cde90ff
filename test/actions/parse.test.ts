// The corporate-actions reader: our shape, camelCase, Polygon's and Alpaca's exports, typed errors naming the key, and generated hostile documents.
import { describe, expect, it } from 'vitest';
import {
  actionsDocument,
  MAX_ACTIONS,
  parseCorporateActions,
  type CorporateActions,
} from '../../src/lake/actions/parse.js';
import { isLakeError } from '../../src/lake/errors.js';
import { rng } from '../security/hostile.js';

const KEY = 'data/corporate-actions/NVDA/2024/actions.json';
const d = (text: string) => Date.UTC(Number(text.slice(0, 4)), Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10)));

const NVDA_2024: CorporateActions = {
  splits: [{ exDate: d('2024-06-10'), from: 1, to: 10 }],
  dividends: [
    { exDate: d('2024-03-05'), amount: 0.04 },
    {
      exDate: d('2024-06-11'),
      amount: 0.01,
      payDate: d('2024-06-28'),
      recordDate: d('2024-06-11'),
      declarationDate: d('2024-05-22'),
      currency: 'USD',
    },
  ],
};

function failure(data: unknown, symbol?: string): { code: string; key?: string; message: string } {
  try {
    parseCorporateActions(data, KEY, symbol);
  } catch (error) {
    if (!isLakeError(error)) throw error;
    return { code: error.code, key: error.key, message: error.message };
  }
  throw new Error(`accepted ${JSON.stringify(data).slice(0, 200)}`);
}

describe('parseCorporateActions', () => {
  it('reads our own document (snake_case, as lakeql writes it) and round-trips it', () => {
    const doc = actionsDocument('NVDA', 2024, NVDA_2024);
    expect(doc).toEqual({
      symbol: 'NVDA',
      year: 2024,
      splits: [{ ex_date: '2024-06-10', split_from: 1, split_to: 10 }],
      dividends: [
        { ex_date: '2024-03-05', cash_amount: 0.04 },
        {
          ex_date: '2024-06-11',
          cash_amount: 0.01,
          currency: 'USD',
          declaration_date: '2024-05-22',
          record_date: '2024-06-11',
          pay_date: '2024-06-28',
        },
      ],
    });
    expect(parseCorporateActions(JSON.parse(JSON.stringify(doc)), KEY, 'NVDA')).toEqual(NVDA_2024);
  });

  it('reads camelCase and sorts by ex-date', () => {
    const parsed = parseCorporateActions(
      {
        dividends: [
          {
            exDividendDate: '2024-06-11',
            cashAmount: 0.01,
            payDate: '2024-06-28',
            recordDate: '2024-06-11',
            declarationDate: '2024-05-22',
            currency: 'usd',
          },
          { exDate: '2024-03-05', amount: '0.04' },
        ],
        splits: [{ exDate: '2024-06-10', splitFrom: 1, splitTo: 10 }],
      },
      KEY,
    );
    expect(parsed).toEqual(NVDA_2024);
  });

  it('reads Polygon exports: results of /v3/reference/splits and /v3/reference/dividends, mixed', () => {
    const polygon = {
      status: 'OK',
      request_id: 'x',
      results: [
        {
          cash_amount: 0.01,
          currency: 'USD',
          declaration_date: '2024-05-22',
          dividend_type: 'CD',
          ex_dividend_date: '2024-06-11',
          frequency: 4,
          pay_date: '2024-06-28',
          record_date: '2024-06-11',
          ticker: 'NVDA',
        },
        { execution_date: '2024-06-10', id: 'E1', split_from: 1, split_to: 10, ticker: 'NVDA' },
        { cash_amount: 0.04, ex_dividend_date: '2024-03-05', ticker: 'NVDA' },
      ],
    };
    expect(parseCorporateActions(polygon, KEY, 'NVDA')).toEqual(NVDA_2024);
  });

  it('reads Alpaca exports: /v1/corporate-actions (forward_splits, cash_dividends) and announcement arrays', () => {
    const alpaca = {
      corporate_actions: {
        forward_splits: [
          {
            symbol: 'NVDA',
            new_rate: 10,
            old_rate: 1,
            process_date: '2024-06-10',
            ex_date: '2024-06-10',
            record_date: '2024-06-06',
            payable_date: '2024-06-07',
          },
        ],
        cash_dividends: [
          {
            symbol: 'NVDA',
            rate: 0.04,
            special: false,
            foreign: false,
            process_date: '2024-03-05',
            ex_date: '2024-03-05',
          },
          {
            symbol: 'NVDA',
            rate: 0.01,
            ex_date: '2024-06-11',
            record_date: '2024-06-11',
            payable_date: '2024-06-28',
            declaration_date: '2024-05-22',
            currency: 'USD',
          },
        ],
      },
      next_page_token: null,
    };
    expect(parseCorporateActions(alpaca, KEY, 'NVDA')).toEqual(NVDA_2024);
    const announcements = [
      { ca_type: 'split', ca_sub_type: 'stock_split', old_rate: '1', new_rate: '10', ex_date: '2024-06-10' },
      { ca_type: 'dividend', ca_sub_type: 'cash', cash: '0.04', ex_date: '2024-03-05' },
    ];
    const parsed = parseCorporateActions(announcements, KEY);
    expect(parsed.splits).toEqual(NVDA_2024.splits);
    expect(parsed.dividends).toEqual([{ exDate: d('2024-03-05'), amount: 0.04 }]);
  });

  it('reads a reverse split and an empty document', () => {
    expect(
      parseCorporateActions({ reverse_splits: [{ ex_date: '2024-01-02', old_rate: 10, new_rate: 1 }] }, KEY).splits,
    ).toEqual([{ exDate: d('2024-01-02'), from: 10, to: 1 }]);
    expect(parseCorporateActions({ splits: [], dividends: [] }, KEY)).toEqual({ splits: [], dividends: [] });
  });

  it('refuses malformed documents with INVALID_DATA naming the key and the entry', () => {
    const cases: [unknown, RegExp][] = [
      [null, /not a JSON object or array/],
      [42, /not a JSON object or array/],
      [{ symbol: 'NVDA' }, /no splits, dividends or results/],
      [{ splits: {} }, /splits is not a list/],
      [{ splits: [1] }, /splits\[0\] is not an object/],
      [{ splits: [{ split_from: 1, split_to: 10 }] }, /splits\[0\] has no ex-date/],
      [{ splits: [{ ex_date: '2024-06-10', split_to: 10 }] }, /splits\[0\] has no split_from/],
      [{ splits: [{ ex_date: '2024-06-10', split_from: 0, split_to: 10 }] }, /split_from must be a number above 0/],
      [{ splits: [{ ex_date: '2024-02-30', split_from: 1, split_to: 10 }] }, /ex_date must be a date/],
      [{ splits: [{ ex_date: 20240610, split_from: 1, split_to: 10 }] }, /ex_date must be a date/],
      [{ dividends: [{ ex_date: '2024-03-05', cash_amount: -1 }] }, /cash_amount must be a number above 0/],
      [{ dividends: [{ ex_date: '2024-03-05', cash_amount: '1e999' }] }, /cash_amount must be a number above 0/],
      [{ dividends: [{ ex_date: '2024-03-05', cash_amount: 1, currency: 'dollars' }] }, /currency/],
      [{ results: [{ ticker: 'NVDA', ex_dividend_date: '2024-03-05' }] }, /results\[0\] is neither a split/],
      [[{ ticker: 'AMD', cash_amount: 1, ex_dividend_date: '2024-03-05' }], /is for "AMD", not NVDA/],
    ];
    for (const [data, message] of cases) {
      const error = failure(data, 'NVDA');
      expect(error.code, JSON.stringify(data)).toBe('INVALID_DATA');
      expect(error.key).toBe(KEY);
      expect(error.message).toMatch(message);
      expect(error.message.startsWith(KEY)).toBe(true);
    }
  });

  it(`refuses more than ${MAX_ACTIONS} entries without walking them`, () => {
    const many = Array.from({ length: MAX_ACTIONS + 1 }, () => ({ ex_date: '2024-03-05', cash_amount: 1 }));
    expect(failure({ dividends: many }).message).toMatch(/more than/);
  });

  it('answers 20,000 generated hostile documents with a result or a typed INVALID_DATA error, never a crash', () => {
    const r = rng(13);
    const pick = <T>(items: T[]): T => items[Math.floor(r() * items.length)];
    const FIELDS = [
      'ex_date',
      'exDate',
      'execution_date',
      'ex_dividend_date',
      'split_from',
      'split_to',
      'old_rate',
      'new_rate',
      'rate',
      'cash_amount',
      'amount',
      'cash',
      'pay_date',
      'record_date',
      'declaration_date',
      'payable_date',
      'currency',
      'ticker',
      'symbol',
      'ca_type',
      'type',
      '__proto__',
      'constructor',
      'toString',
    ];
    const LISTS = [
      'splits',
      'dividends',
      'results',
      'forward_splits',
      'reverse_splits',
      'cash_dividends',
      'corporate_actions',
      'corporateActions',
      'cashDividends',
      '__proto__',
    ];
    const value = (depth: number): unknown => {
      switch (Math.floor(r() * 12)) {
        case 0:
          return pick([
            '2024-06-10',
            '2024-02-30',
            '0000-01-01',
            '2024-06-10T00:00:00Z',
            '2024-6-1',
            '',
            ' ',
            '\u0000',
            'NaN',
            '1e309',
            '-0',
            '0.04',
            'NVDA',
            'nvda ',
            'usd',
          ]);
        case 1:
          return pick([0, -0, 1, -1, 0.01, 10, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 5e-324, 20240610]);
        case 2:
          return pick([null, true, false]);
        case 3:
          return depth > 3 ? [] : Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
        case 4:
        case 5:
        case 6:
          return depth > 3 ? {} : entry(depth + 1);
        default:
          return pick(['2024-03-05', 1, 10, 0.25, 'NVDA', 'split', 'dividend']);
      }
    };
    const entry = (depth: number): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (let n = Math.floor(r() * 6); n > 0; n--) out[pick(FIELDS)] = value(depth);
      return out;
    };
    const doc = (): unknown => {
      if (r() < 0.1) return value(0);
      if (r() < 0.2) return Array.from({ length: Math.floor(r() * 5) }, () => entry(1));
      const out: Record<string, unknown> = {};
      for (let n = 1 + Math.floor(r() * 3); n > 0; n--)
        out[pick(LISTS)] =
          r() < 0.8 ? Array.from({ length: Math.floor(r() * 5) }, () => (r() < 0.85 ? entry(1) : value(1))) : value(1);
      return out;
    };
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const data = JSON.parse(JSON.stringify(doc()) ?? 'null');
      try {
        const parsed = parseCorporateActions(data, KEY, r() < 0.5 ? 'NVDA' : undefined);
        accepted++;
        for (const s of parsed.splits)
          expect(
            s.from > 0 && s.to > 0 && Number.isFinite(s.from) && Number.isFinite(s.to) && Number.isFinite(s.exDate),
          ).toBe(true);
        for (const v of parsed.dividends)
          expect(v.amount > 0 && Number.isFinite(v.amount) && Number.isFinite(v.exDate)).toBe(true);
      } catch (error) {
        if (!isLakeError(error)) throw new Error(`${JSON.stringify(data).slice(0, 300)} raised ${String(error)}`);
        expect(error.code).toBe('INVALID_DATA');
        expect(error.key).toBe(KEY);
      }
    }
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(19_000);
  });
});
