// completeUpload with auth on: a write-only key gets back the metadata its grant required, never what the store holds.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BarRow } from '../../src/lake/bars/types.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';
import { objectBytes } from '../jobs/support.js';
import { API_KEYS, bearer, KEYS, lakeApp, send, type LakeApp } from './support.js';

const DAY = 86_400_000;
const rows: BarRow[] = Array.from({ length: 20 }, (_, i) => ({
  time: Date.UTC(2021, 0, 4) + i * DAY,
  open: 1,
  high: 2,
  low: 0.5,
  close: 1.5,
  volume: 100 + i,
}));

describe('completeUpload and scopes', () => {
  let lake: LakeApp;
  beforeAll(async () => {
    lake = await lakeApp({ LAKEQL_API_KEYS: API_KEYS });
  });
  afterAll(() => lake.close());

  it("returns the grant's metadata to a write-only key, the stored metadata to a key that may read", async () => {
    const bytes = writeBarsParquet(rows, { resolution: 'DAILY' });
    const sha = createHash('sha256').update(bytes).digest('base64');
    const granted = await send(
      lake.app.yoga,
      `mutation($n: SafeInt!, $c: String!) { createUploadUrl(symbol: "AMD", year: 2021, contentLength: $n, checksum: $c) { url key headers completionToken } }`,
      { headers: bearer(KEYS.writer), variables: { n: bytes.byteLength, c: sha } },
    );
    expect(granted.body.errors).toBeUndefined();
    const grant = granted.body.data.createUploadUrl;
    const put = await lake.app.yoga.fetch(grant.url, {
      method: 'PUT',
      headers: grant.headers,
      body: new Uint8Array(bytes),
    });
    expect(put.status, await put.clone().text()).toBe(200);
    // Someone with direct access to the lake adds metadata a write-only key must not learn.
    await lake.store.put(grant.key, await objectBytes(lake.store, grant.key), {
      contentType: 'application/vnd.apache.parquet',
      metadata: { symbol: 'AMD', year: '2021', 'data-type': 'daily-ticks', owner: 'research-desk' },
    });

    const COMPLETE = 'mutation($k: String!, $t: String!) { completeUpload(key: $k, token: $t) { key size metadata } }';
    const writer = await send(lake.app.yoga, COMPLETE, {
      headers: bearer(KEYS.writer),
      variables: { k: grant.key, t: grant.completionToken },
    });
    expect(writer.body.errors).toBeUndefined();
    expect(writer.body.data.completeUpload.metadata).toEqual({
      symbol: 'AMD',
      year: '2021',
      'data-type': 'daily-ticks',
    });
    const both = await send(lake.app.yoga, COMPLETE, {
      headers: bearer(KEYS.both),
      variables: { k: grant.key, t: grant.completionToken },
    });
    expect(both.body.data.completeUpload.metadata).toMatchObject({ owner: 'research-desk' });
  });
});
