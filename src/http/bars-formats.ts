// Encoders for the bulk export: bar batches in, byte streams out (Arrow IPC stream, Parquet, CSV, JSON, NDJSON), pulled so memory stays bounded.
import {
  DateDay,
  Field,
  Float64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeUnit,
  Timestamp,
  tableToIPC,
  Utf8,
  type Data,
} from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { BAR_FIELDS, emptyBatch, type BarBatch } from '../lake/bars/resample.js';

export const FORMATS = {
  arrow: 'application/vnd.apache.arrow.stream',
  parquet: 'application/vnd.apache.parquet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
} as const;
export type Format = keyof typeof FORMATS;

/** Rows per Parquet row group in exports: bounds the writer's buffer (≈ 9 columns × 8 B × 128 Ki ≈ 9 MB). */
const EXPORT_ROW_GROUP = 128 * 1024;

/** A batch of one symbol's bars; `symbol` is written as the first column of the long format. */
export type ExportBatch = BarBatch & { symbol?: string };

export interface EncodeOptions {
  /** Long format: a `symbol` column before `time`, filled from each batch's `symbol`. */
  symbolColumn?: boolean;
}

/** Turns batches into a byte stream; `next` yields the next batch or undefined at the end; `cancel` runs if the client goes away. */
export function encode(
  format: Format,
  next: () => Promise<ExportBatch | undefined>,
  cancel: () => void = () => {},
  options: EncodeOptions = {},
): ReadableStream<Uint8Array> {
  const schema = options.symbolColumn ? LONG_SCHEMA : SCHEMA;
  if (format === 'parquet') return parquetStream(schema, next, cancel);
  const encoder = format === 'arrow' ? arrowEncoder(schema) : textEncoder(format, options.symbolColumn === true);
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (done) return;
        const batch = await next();
        if (!batch) {
          done = true;
          const tail = encoder.end();
          if (tail.byteLength > 0) controller.enqueue(tail);
          controller.close();
          return;
        }
        controller.enqueue(encoder.batch(batch));
      },
      cancel,
    },
    // Pull only when the consumer has taken the previous chunk: the export never runs ahead of the socket.
    { highWaterMark: 0 },
  );
}

interface Encoder {
  batch(batch: ExportBatch): Uint8Array;
  end(): Uint8Array;
}

const SCHEMA = new Schema([
  new Field('time', new Timestamp(TimeUnit.MILLISECOND, 'UTC'), false),
  new Field('date', new DateDay(), false),
  ...BAR_FIELDS.map((name) => new Field(name, new Float64(), true)),
]);

const LONG_SCHEMA = new Schema([new Field('symbol', new Utf8(), false), ...SCHEMA.fields]);

export function arrowBatch(batch: ExportBatch, schema: Schema = SCHEMA): RecordBatch {
  const n = batch.length;
  const time = new BigInt64Array(n);
  // Written as two 32-bit words per value: a BigInt per row would cost more than the rest of the batch.
  const words = new Int32Array(time.buffer);
  const date = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = batch.time[i];
    const hi = Math.floor(t / 4_294_967_296);
    words[2 * i] = t - hi * 4_294_967_296;
    words[2 * i + 1] = hi;
    date[i] = Math.round(batch.date[i] / 86_400_000);
  }
  const children: Data[] = [
    makeData({ type: SCHEMA.fields[0].type, length: n, data: time } as never),
    makeData({ type: new DateDay(), length: n, data: date }),
    ...BAR_FIELDS.map((name) => nullable(batch[name].subarray(0, n))),
  ];
  if (schema !== SCHEMA) children.unshift(repeated(batch.symbol ?? '', n));
  const struct = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children });
  return new RecordBatch(schema, struct);
}

/** A Utf8 column holding one string n times (a batch belongs to one symbol). */
function repeated(text: string, n: number): Data {
  const bytes = new TextEncoder().encode(text);
  const data = new Uint8Array(bytes.length * n);
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    data.set(bytes, i * bytes.length);
    offsets[i + 1] = (i + 1) * bytes.length;
  }
  return makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data });
}

/** Float64 column with NaN as null. */
function nullable(values: Float64Array): Data {
  let nulls = 0;
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) nulls++;
  if (nulls === 0) return makeData({ type: new Float64(), length: values.length, data: values });
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) bitmap[i >> 3] |= 1 << (i & 7);
  return makeData({ type: new Float64(), length: values.length, data: values, nullBitmap: bitmap, nullCount: nulls });
}

/**
 * Arrow IPC stream written message by message: apache-arrow's stream writer keeps every byte it
 * ever wrote, so each batch is encoded alone and stripped of the schema and end marker that
 * `tableToIPC` puts around it (the schema is the same constant every time).
 */
function arrowEncoder(schema: Schema): Encoder {
  const empty = tableToIPC(new Table(schema), 'stream');
  const schemaLength = empty.byteLength - 8;
  let first = true;
  return {
    batch(batch) {
      const bytes = tableToIPC(new Table(schema, [arrowBatch(batch, schema)]), 'stream');
      const body = bytes.subarray(first ? 0 : schemaLength, bytes.byteLength - 8);
      first = false;
      return body;
    },
    end: () => (first ? empty : empty.subarray(schemaLength)),
  };
}

function parquetStream(
  schema: Schema,
  next: () => Promise<ExportBatch | undefined>,
  cancel: () => void,
): ReadableStream<Uint8Array> {
  let started = false;
  const input = new ReadableStream(
    {
      async pull(controller) {
        const batch = (await next()) ?? (started ? undefined : emptyBatch(0));
        started = true;
        if (!batch) return controller.close();
        const ipc = tableToIPC(new Table(schema, [arrowBatch(batch, schema)]), 'stream');
        controller.enqueue(pw.Table.fromIPCStream(ipc).recordBatch(0));
      },
    },
    { highWaterMark: 0 },
  );
  const properties = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.ZSTD)
    .setMaxRowGroupSize(EXPORT_ROW_GROUP)
    .build();
  // transformParquetStream is async only in setup; wrap it so the caller gets a stream at once.
  const output = pw.transformParquetStream(input, properties) as Promise<ReadableStream<Uint8Array>>;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        reader ??= (await output).getReader();
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        cancel();
        await (await output).cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

const HEADER = ['time', 'date', ...BAR_FIELDS];

/**
 * CSV (RFC 4180, header row, empty = null), a JSON array, or one JSON object per line. Times ISO-8601 UTC, dates YYYY-MM-DD.
 * Tickers hold only letters, digits, "." and "-", so the symbol column needs no quoting or escaping.
 */
function textEncoder(format: 'csv' | 'json' | 'ndjson', symbolColumn: boolean): Encoder {
  const utf8 = new TextEncoder();
  const header = `${symbolColumn ? 'symbol,' : ''}${HEADER.join(',')}\n`;
  let first = true;
  return {
    batch(batch) {
      if (batch.length === 0) return new Uint8Array(0);
      const lines = new Array<string>(batch.length);
      const csvSymbol = symbolColumn ? `${batch.symbol},` : '';
      const jsonSymbol = symbolColumn ? `"symbol":"${batch.symbol}",` : '';
      for (let i = 0; i < batch.length; i++) {
        const time = new Date(batch.time[i]).toISOString();
        const date = new Date(batch.date[i]).toISOString().slice(0, 10);
        if (format === 'csv')
          lines[i] = `${csvSymbol}${time},${date},${BAR_FIELDS.map((f) => number(batch[f][i], '')).join(',')}`;
        else
          lines[i] =
            `{${jsonSymbol}"time":"${time}","date":"${date}",${BAR_FIELDS.map((f) => `"${f}":${number(batch[f][i], 'null')}`).join(',')}}`;
      }
      let text: string;
      if (format === 'json') text = (first ? '[\n' : ',\n') + lines.join(',\n');
      else text = `${(first && format === 'csv' ? header : '') + lines.join('\n')}\n`;
      first = false;
      return utf8.encode(text);
    },
    end() {
      if (format === 'json') return utf8.encode(first ? '[]\n' : '\n]\n');
      return utf8.encode(format === 'csv' && first ? header : '');
    },
  };
}

/** Shortest round-trip decimal form; null (or empty in CSV) for NaN. */
function number(value: number, empty: string): string {
  return Number.isFinite(value) ? String(value) : empty;
}
