// Malformed, truncated and lying Parquet files give typed INVALID_DATA errors, quickly and within bounded memory.
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { isLakeError } from '../../src/lake/errors.js';
import { dailyTicksKey } from '../../src/lake/layout.js';
import { DecodePool } from '../../src/lake/parquet/decode-pool.js';
import { parseFooter } from '../../src/lake/parquet/footer.js';
import { readBars } from '../../src/lake/parquet/read.js';
import { readFooter } from '../../src/lake/parquet/read-footer.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { rng } from './hostile.js';
import { readFooterTree, withPageSize, withRowCount, withValueCount } from './parquet-mutate.js';
import { send } from './support.js';

const DAY = 86_400_000;
const bars = Array.from({ length: 250 }, (_, i) => ({
  time: Date.UTC(2024, 0, 2) + i * DAY,
  open: 10 + i,
  high: 11 + i,
  low: 9 + i,
  close: 10.5 + i,
  volume: 1000 + i,
}));
/** Growth of the process's peak RSS (main thread and decoder threads) that a hostile file may cause. */
const MAX_RSS_GROWTH_MB = 256;

let dir: string;
let store: LocalStore;
let pool: DecodePool;
let good: Uint8Array;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'lakeql-parquet-hostile-'));
  store = new LocalStore(dir);
  pool = new DecodePool({ size: 2, timeoutMs: 20_000 });
  good = writeBarsParquet(bars, { resolution: 'DAILY' });
});
afterAll(async () => {
  await pool.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Puts `bytes` in the store and reads its footer and bars; resolves with the rows read or the LakeError code. */
async function read(
  name: string,
  bytes: Uint8Array,
  decode = true,
): Promise<{ rows?: number; code?: string; message?: string }> {
  const key = `hostile/${name}.parquet`;
  await store.put(key, bytes);
  const file = await store.head(key);
  try {
    const footer = await readFooter(store, file);
    if (!decode) return { rows: footer.footer.numRows };
    return { rows: (await readBars(store, pool, file, { footer })).rows };
  } catch (error) {
    if (!isLakeError(error)) throw new Error(`${name}: not a lake error: ${String(error)}`);
    return { code: error.code, message: error.message };
  }
}

const rssMb = () => process.resourceUsage().maxRSS / 1024;

describe('lying Parquet files', () => {
  it('reads the untouched file (the mutations below start from a good one)', async () => {
    expect(await read('good', good)).toEqual({ rows: 250 });
    expect(await read('same-page-size', withPageSize(good, readPageSize(good)))).toEqual({ rows: 250 });
  });

  it.each([
    ['a page declaring 1 GiB uncompressed', () => withPageSize(good, 2 ** 30)],
    ['a page declaring 2 GiB - 1 uncompressed', () => withPageSize(good, 2 ** 31 - 1)],
    ['a page declaring a negative size', () => withPageSize(good, -5)],
    ['row counts of 2^50', () => withRowCount(good, 2 ** 50)],
  ])('%s: INVALID_DATA naming the file, bounded memory', async (name, make) => {
    const before = rssMb();
    const result = await read(name.replace(/\W+/g, '-'), make());
    expect(result.code).toBe('INVALID_DATA');
    expect(result.message).toContain('hostile/');
    expect(rssMb() - before).toBeLessThan(MAX_RSS_GROWTH_MB);
  });

  it.each([
    ['a row count of 2^31', () => withRowCount(good, 2 ** 31)],
    ['a value count of 2^40', () => withValueCount(good, 2 ** 40)],
  ])('%s is not trusted for allocation: the real rows or INVALID_DATA, bounded memory', async (name, make) => {
    const before = rssMb();
    const result = await read(name.replace(/\W+/g, '-'), make());
    expect(result.rows === 250 || result.code === 'INVALID_DATA', JSON.stringify(result)).toBe(true);
    expect(rssMb() - before).toBeLessThan(MAX_RSS_GROWTH_MB);
  });

  it('refuses footers that declare more list elements, bytes or nesting than they hold, without allocating for them', () => {
    const huge = [
      // FileMetaData { 1: version i32 = 1, 2: schema list<struct> of 2^31 - 1 elements } and nothing more.
      Uint8Array.from([0x15, 0x02, 0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07]),
      // A binary field declaring 2^40 bytes.
      Uint8Array.from([0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]),
      // 200 nested structs.
      Uint8Array.from([...Array(200).fill(0x1c), 0x00]),
      // A varint longer than 10 bytes.
      Uint8Array.from([0x15, ...Array(12).fill(0xff), 0x01]),
    ];
    for (const bytes of huge) expect(() => parseFooter(bytes)).toThrow();
  });

  it('answers INVALID_DATA through GraphQL for such a file while the other years still answer', async () => {
    const lake = path.join(dir, 'lake');
    const local = new LocalStore(lake);
    await fs.mkdir(lake, { recursive: true });
    await local.put(dailyTicksKey('EVIL', 2024), withPageSize(good, 2 ** 31 - 1));
    await local.put(
      dailyTicksKey('EVIL', 2023),
      writeBarsParquet(
        bars.map((b) => ({ ...b, time: b.time - 365 * DAY })),
        { resolution: 'DAILY' },
      ),
    );
    const app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never' }), {
      store: local,
      location: { kind: 'local', directory: lake },
      log: () => {},
    });
    const r = await send(
      app.yoga,
      `{ symbol(ticker: "EVIL") {
      y2023: year(year: 2023) { bars(first: 2) { nodes { date close } } }
      y2024: year(year: 2024) { bars(first: 2) { nodes { date close } } }
    } }`,
    );
    expect(r.body.data.symbol.y2023.bars.nodes).toHaveLength(2);
    const error = r.body.errors.find((e: { path: string[] }) => e.path.includes('y2024'));
    expect(error.extensions).toMatchObject({ code: 'INVALID_DATA', key: dailyTicksKey('EVIL', 2024) });
  });
});

describe('truncated and corrupted Parquet files', () => {
  it('gives INVALID_DATA for truncations of a file: every length over the footer, every 7th before it', async () => {
    const before = rssMb();
    const { start } = readFooterTree(good);
    for (let length = 0; length < good.byteLength; length += length >= start - 8 ? 1 : 7) {
      const result = await read(`cut-${length}`, good.subarray(0, length), false);
      expect(result.code, `cut at ${length}`).toBe('INVALID_DATA');
    }
    expect(rssMb() - before).toBeLessThan(MAX_RSS_GROWTH_MB);
  });

  it('reads the footer of 2000 files with random bytes flipped to a result or INVALID_DATA, and decodes a sample of them', async () => {
    const r = rng(11);
    const { start } = readFooterTree(good);
    const before = rssMb();
    const outcomes: Record<string, number> = {};
    let decoded = 0;
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(good);
      // Mostly in the footer (the metadata parser), some anywhere (pages, the length word).
      for (let n = 1 + Math.floor(r() * 4); n > 0; n--) {
        const at = r() < 0.7 ? start + Math.floor(r() * (good.byteLength - start)) : Math.floor(r() * good.byteLength);
        bytes[at] = Math.floor(r() * 256);
      }
      // Decoding costs a decoder thread when it crashes (~0.5 s to replace): every 50th file goes all the way.
      const decode = i % 50 === 0;
      if (decode) decoded++;
      const result = await read(`flip-${i}`, bytes, decode);
      const outcome = result.code ?? 'ok';
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      expect(['ok', 'INVALID_DATA']).toContain(outcome);
    }
    expect(outcomes.INVALID_DATA).toBeGreaterThan(100);
    expect(decoded).toBe(40);
    expect(rssMb() - before).toBeLessThan(MAX_RSS_GROWTH_MB);
  });
});

/** The first page's declared uncompressed size, to check the rewriter keeps a file intact when nothing changes. */
function readPageSize(file: Uint8Array): number {
  const { footer } = readFooterTree(file);
  const group = (footer.get(4) as { v: { v: Map<number, any> }[] }).v[0].v;
  const meta = (group.get(1) as { v: { v: Map<number, any> }[] }).v[0].v.get(3).v as Map<number, { v: number }>;
  const at = meta.get(11)?.v ?? meta.get(9)!.v;
  // Field 1 (type) then field 2 (uncompressed size): both small-delta headers followed by zigzag varints.
  let pos = at + 1;
  while (file[pos] & 0x80) pos++;
  pos += 2;
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = file[pos++];
    value += (b & 0x7f) * scale;
    if (!(b & 0x80)) break;
    scale *= 128;
  }
  return value / 2;
}
