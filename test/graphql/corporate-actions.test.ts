// Symbol.corporateActions and putCorporateActions over GraphQL on every backend: reads of foreign formats, MERGE and REPLACE, validation, and adjusted bars following the writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { corporateActionsKey } from '../../src/lake/layout.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';
import { getBytes } from '../../src/lake/store/helpers.js';
import type { ObjectStore } from '../../src/lake/store/types.js';
import { gql } from '../support/graphql.js';
import { lakeSetups, startOn } from '../support/lake-setups.js';

const DAY = 86_400_000;
const ACTIONS = `query($t: String!, $from: Date, $to: Date) { symbol(ticker: $t) { corporateActions(from: $from, to: $to) {
  splits { exDate from to ratio } dividends { exDate amount currency recordDate payDate declarationDate }
  events { __typename ... on Split { exDate ratio } ... on CashDividend { exDate amount } } } } }`;
const PUT = `mutation($t: String!, $y: Int!, $input: CorporateActionsInput!, $mode: WriteMode) {
  putCorporateActions(ticker: $t, year: $y, input: $input, mode: $mode) { object { key contentType metadata } actions { splits { exDate } dividends { exDate amount } } } }`;

for (const setup of lakeSetups('actions')) {
  describe(`corporate actions over GraphQL on ${setup.name}`, () => {
    let app: App;
    let store: ObjectStore;
    let stop: () => Promise<void>;
    beforeAll(async () => {
      ({ app, store, stop } = await startOn(setup));
      // A Polygon export for 2023 and an Alpaca export for 2024, as other writers leave them.
      await store.put(
        corporateActionsKey('XYZ', 2023),
        JSON.stringify({
          status: 'OK',
          results: [
            {
              ticker: 'XYZ',
              ex_dividend_date: '2023-11-07',
              cash_amount: 0.5,
              pay_date: '2023-11-30',
              record_date: '2023-11-08',
              currency: 'USD',
            },
            { ticker: 'XYZ', execution_date: '2023-06-01', split_from: 1, split_to: 2 },
          ],
        }),
      );
      await store.put(
        corporateActionsKey('XYZ', 2024),
        JSON.stringify({
          corporate_actions: { cash_dividends: [{ symbol: 'XYZ', rate: 0.25, ex_date: '2024-02-06' }] },
        }),
      );
      const bars = Array.from({ length: 30 }, (_, i) => ({
        time: Date.UTC(2023, 4, 22) + i * DAY,
        open: 100,
        high: 101,
        low: 99,
        close: 100,
        volume: 1000,
      }));
      await store.put('data/ticks/daily/XYZ/2023/ticks.parquet', writeBarsParquet(bars, { resolution: 'DAILY' }));
    }, 60_000);
    afterAll(async () => {
      await stop?.();
    });

    it("reads every year's document, whatever its dialect, in date order and within [from, to]", async () => {
      const all = await gql(app, ACTIONS, { t: 'xyz' });
      expect(all.errors).toBeUndefined();
      const actions = all.data.symbol.corporateActions;
      expect(actions.splits).toEqual([{ exDate: '2023-06-01', from: 1, to: 2, ratio: 2 }]);
      expect(actions.dividends).toEqual([
        {
          exDate: '2023-11-07',
          amount: 0.5,
          currency: 'USD',
          recordDate: '2023-11-08',
          payDate: '2023-11-30',
          declarationDate: null,
        },
        { exDate: '2024-02-06', amount: 0.25, currency: null, recordDate: null, payDate: null, declarationDate: null },
      ]);
      expect(actions.events.map((e: { __typename: string; exDate: string }) => `${e.__typename} ${e.exDate}`)).toEqual([
        'Split 2023-06-01',
        'CashDividend 2023-11-07',
        'CashDividend 2024-02-06',
      ]);
      const window = await gql(app, ACTIONS, { t: 'XYZ', from: '2023-06-02', to: '2024-02-06' });
      expect(window.data.symbol.corporateActions.events.map((e: { exDate: string }) => e.exDate)).toEqual([
        '2023-11-07',
        '2024-02-06',
      ]);
      const backwards = await gql(app, ACTIONS, { t: 'XYZ', from: '2024-01-01', to: '2023-01-01' });
      expect(backwards.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('adjusted bars follow the documents: the 2-for-1 split halves prices before 2023-06-01', async () => {
      const q = `{ symbol(ticker: "XYZ") { bars(from: "2023-05-31", to: "2023-06-01", adjustment: SPLIT) { nodes { date close volume } } } }`;
      const result = await gql(app, q);
      expect(result.errors).toBeUndefined();
      expect(result.data.symbol.bars.nodes).toEqual([
        { date: '2023-05-31', close: 50, volume: 2000 },
        { date: '2023-06-01', close: 100, volume: 1000 },
      ]);
    });

    it('putCorporateActions writes our document with seed-style metadata; MERGE keeps other events, REPLACE does not', async () => {
      const first = await gql(app, PUT, {
        t: 'abc',
        y: 2024,
        input: {
          splits: [{ exDate: '2024-06-10', from: 1, to: 10 }],
          dividends: [{ exDate: '2024-03-05', amount: 0.04, currency: 'usd' }],
        },
      });
      expect(first.errors).toBeUndefined();
      expect(first.data.putCorporateActions.object).toEqual({
        key: 'data/corporate-actions/ABC/2024/actions.json',
        contentType: 'application/json',
        metadata: { symbol: 'ABC', year: '2024', 'data-type': 'corporate-actions' },
      });
      const merged = await gql(app, PUT, {
        t: 'ABC',
        y: 2024,
        input: {
          dividends: [
            { exDate: '2024-03-05', amount: 0.05 },
            { exDate: '2024-06-11', amount: 0.01 },
          ],
        },
      });
      expect(merged.errors).toBeUndefined();
      expect(merged.data.putCorporateActions.actions).toEqual({
        splits: [{ exDate: '2024-06-10' }],
        dividends: [
          { exDate: '2024-03-05', amount: 0.05 },
          { exDate: '2024-06-11', amount: 0.01 },
        ],
      });
      const stored = JSON.parse(Buffer.from(await getBytes(store, corporateActionsKey('ABC', 2024))).toString('utf8'));
      expect(stored).toEqual({
        symbol: 'ABC',
        year: 2024,
        splits: [{ ex_date: '2024-06-10', split_from: 1, split_to: 10 }],
        dividends: [
          { ex_date: '2024-03-05', cash_amount: 0.05 },
          { ex_date: '2024-06-11', cash_amount: 0.01 },
        ],
      });
      const head = await store.head(corporateActionsKey('ABC', 2024));
      expect(head.metadata).toEqual({ symbol: 'ABC', year: '2024', 'data-type': 'corporate-actions' });
      const replaced = await gql(app, PUT, {
        t: 'ABC',
        y: 2024,
        mode: 'REPLACE',
        input: { dividends: [{ exDate: '2024-09-04', amount: 0.01 }] },
      });
      expect(replaced.data.putCorporateActions.actions).toEqual({
        splits: [],
        dividends: [{ exDate: '2024-09-04', amount: 0.01 }],
      });
      const read = await gql(app, ACTIONS, { t: 'ABC' });
      expect(read.data.symbol.corporateActions.dividends.map((d: { exDate: string }) => d.exDate)).toEqual([
        '2024-09-04',
      ]);
    });

    it('refuses invalid input with BAD_USER_INPUT and writes nothing', async () => {
      const bad = [
        { y: 2024, input: { splits: [{ exDate: '2023-06-10', from: 1, to: 10 }] } },
        { y: 2024, input: { splits: [{ exDate: '2024-06-10', from: 0, to: 10 }] } },
        { y: 2024, input: { dividends: [{ exDate: '2024-03-05', amount: -1 }] } },
        {
          y: 2024,
          input: {
            dividends: [
              { exDate: '2024-03-05', amount: 1 },
              { exDate: '2024-03-05', amount: 2 },
            ],
          },
        },
        { y: 2024, input: { dividends: [{ exDate: '2024-03-05', amount: 1, currency: 'dollars' }] } },
        { y: 1800, input: {} },
      ];
      for (const variables of bad) {
        const result = await gql(app, PUT, { t: 'NEW', ...variables });
        expect(result.errors?.[0].extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
      }
      const missing = await gql(app, ACTIONS, { t: 'NEW' });
      expect(missing.data.symbol).toBeNull();
    });

    it('a malformed stored document is INVALID_DATA naming its key, for reads, adjusted bars and MERGE alike', async () => {
      const key = corporateActionsKey('BAD', 2024);
      await store.put(key, JSON.stringify({ splits: [{ ex_date: '2024-13-01', split_from: 1, split_to: 2 }] }));
      await store.put(
        'data/ticks/daily/BAD/2024/ticks.parquet',
        writeBarsParquet([{ time: Date.UTC(2024, 0, 2), open: 1, high: 1, low: 1, close: 1, volume: 1 }], {
          resolution: 'DAILY',
        }),
      );
      // Written around lakeql: as once the catalog index's bound has passed.
      app.services.catalog.invalidate();
      const read = await gql(app, ACTIONS, { t: 'BAD' });
      expect(read.errors?.[0].extensions).toMatchObject({ code: 'INVALID_DATA', key });
      const bars = await gql(
        app,
        `{ symbol(ticker: "BAD") { bars(adjustment: ALL) { nodes { close } } raw: bars { nodes { close } } } }`,
      );
      expect(bars.errors?.[0].extensions).toMatchObject({ code: 'INVALID_DATA', key });
      expect(bars.data.symbol.raw.nodes).toEqual([{ close: 1 }]);
      const merge = await gql(app, PUT, {
        t: 'BAD',
        y: 2024,
        input: { dividends: [{ exDate: '2024-03-05', amount: 1 }] },
      });
      expect(merge.errors?.[0].extensions).toMatchObject({ code: 'INVALID_DATA', key });
      const response = await app.yoga.fetch('http://lakeql.test/v1/bars/BAD?adjustment=split');
      expect(response.status).toBe(422);
      expect((await response.json()).errors[0].extensions).toMatchObject({ code: 'INVALID_DATA', key });
    });
  });
}
