// Reads the bars of one Parquet object: footer by range, then only the chunks of the needed columns and row groups, decoded off-thread.
import { context, type Attributes, type Span } from '@opentelemetry/api';
import { InvalidDataError, isLakeError } from '../errors.js';
import { inSpan } from '../trace.js';
import type { ObjectStore } from '../store/types.js';
import { resolveBarColumns, type BarColumnMap } from './bar-columns.js';
import { mergeColumns, type DecodedBars } from './decode-arrow.js';
import type { DecodePool, DecodeReply } from './decode-pool.js';
import type { Footer } from './footer.js';
import { fetchSegments, getRange, readFooter, type FileRef, type FooterRead, type Segment } from './read-footer.js';

export interface ReadBarsOptions {
  /** A footer already read for this version of the file (saves its GET). Its tail is handed to the decoder. */
  footer?: FooterRead;
  /** Only these row groups (indexes into the footer's list); all when omitted. */
  rowGroups?: number[];
  signal?: AbortSignal;
}

/**
 * Decodes on the worker pool, column-wise in parallel parts for long files (SPLIT_ROWS).
 * Requests on a store with ranges: the footer's suffix GET (skipped when `footer` is given), then
 * one GET spanning the chunks of the bar columns in the chosen row groups, unless the footer's
 * suffix already held them (small files arrive whole in the first GET). Extra columns are never fetched
 * when they lie outside that span.
 */
export async function readBars(
  store: ObjectStore,
  pool: DecodePool,
  file: FileRef,
  options: ReadBarsOptions = {},
): Promise<DecodedBars> {
  const { footer, tail } = options.footer ?? (await readFooter(store, file, options.signal));
  const map = resolveBarColumns(file.key, footer);
  const groups = options.rowGroups ?? footer.rowGroups.map((_, i) => i);
  for (const g of groups) {
    if (!Number.isInteger(g) || g < 0 || g >= footer.rowGroups.length)
      throw new RangeError(`row group ${g} does not exist in ${file.key}`);
  }
  if (groups.every((g) => footer.rowGroups[g].numRows === 0)) return emptyBars(map);

  const wanted = new Set([map.time.name, ...Object.values(map.values)]);
  const columnIndexes = footer.columns.flatMap((c, i) => (wanted.has(c.name) ? [i] : []));
  const ranges = groups.flatMap((g) => columnIndexes.map((c) => footer.rowGroups[g].chunks[c]));
  const segments: Segment[] = [tail, ...(await fetchSegments(store, file, ranges, [tail], { signal: options.signal }))];

  const rowGroups = groups.length === footer.rowGroups.length ? undefined : groups;
  // Anything the decoder wants beyond the prefetched chunks (a page index, say) is read on demand, pinned to the same ETag.
  // Bound to this read's trace context: the worker asks for it from a message handler, which runs in no request's context.
  const fetch = context.bind(context.active(), (start: number, end: number) =>
    getRange(store, file, { start, end: end - 1 }, options.signal),
  );
  const rows = groups.reduce((n, g) => n + footer.rowGroups[g].numRows, 0);
  const parts = splitColumns(map, footer, groups, rows >= SPLIT_ROWS ? pool.size : 1);
  // The span lasts from handing the parts to the pool until the last reply, as seen from this thread; where that
  // time went is in its attributes (decodeTimings).
  const decodeAttributes = {
    'lakeql.key': file.key,
    'lakeql.rows': rows,
    'lakeql.parquet.parts': parts.length,
    'lakeql.bytes': segments.reduce((n, s) => n + s.bytes.byteLength, 0),
  };
  const replies = await inSpan('lakeql.parquet.decode', decodeAttributes, async (span) => {
    const done = await Promise.all(
      parts.map((names) =>
        pool
          .decode({ key: file.key, size: file.size, segments, names, rowGroups, rows }, fetch)
          .catch((error: Error) => {
            if (isLakeError(error)) throw error;
            throw new InvalidDataError(`${file.key}: ${error.message}`, { key: file.key, cause: error });
          }),
      ),
    );
    decodeTimings(span, done);
    return done;
  });
  const columns = replies.map((reply) => {
    if (!reply.ok)
      throw new InvalidDataError(`${file.key}: cannot decode Parquet data (${reply.message})`, { key: file.key });
    return reply.columns;
  });
  try {
    return mergeColumns(columns);
  } catch (cause) {
    throw new InvalidDataError(`${file.key}: ${(cause as Error).message}`, { key: file.key, cause });
  }
}

/**
 * Splits the decode span's time into its parts, as attributes of the span (and an event per part
 * when a file was split). The worker cannot add to the span itself: a span lives in this thread's
 * tracer provider, and one in each worker would need its own SDK and exporter and the context sent
 * along with every job. Child spans drawn here from the worker's timings would need start times
 * this thread never saw (the worker's clock has another origin, and the messages' share is only
 * known in sum), so the durations are reported as measured. The attributes follow the part the read
 * waited for (the one answered last); its queue_ms + worker_ms fit within the span, and its
 * batch_wait_ms + decode_ms within worker_ms, the rest being the messages each way and this
 * thread's event loop getting to the reply.
 */
function decodeTimings(span: Span, replies: DecodeReply[]): void {
  if (!span.isRecording() || replies.length === 0) return;
  const total = (r: DecodeReply) => r.timing.queueMs + r.timing.workerMs;
  const last = replies.reduce((a, b) => (total(b) > total(a) ? b : a));
  span.setAttributes({
    ...timingAttributes(last),
    // Parts hold the same rows (other columns); a failed part decoded none.
    'lakeql.parquet.decoded_rows': Math.min(...replies.map((r) => (r.ok ? r.columns.rows : 0))),
    'lakeql.parquet.decoded_bytes': replies.reduce((n, r) => n + r.bytes, 0),
    'lakeql.parquet.fetches': replies.reduce((n, r) => n + (r.ok ? r.fetched : 0), 0),
  });
  if (replies.length > 1)
    for (const [part, reply] of replies.entries())
      span.addEvent('lakeql.parquet.part', {
        'lakeql.parquet.part': part,
        ...timingAttributes(reply),
        'lakeql.parquet.decoded_bytes': reply.bytes,
      });
}

function timingAttributes({ timing }: DecodeReply): Attributes {
  return {
    'lakeql.parquet.queue_ms': timing.queueMs,
    'lakeql.parquet.worker_ms': timing.workerMs,
    'lakeql.parquet.batch_wait_ms': timing.batchWaitMs,
    'lakeql.parquet.decode_ms': timing.decodeMs,
  };
}

/**
 * Files at least this long are decoded column-wise in parallel, one part per worker: one month of
 * minute bars (~8 000 rows) is a single row group, and a single file would otherwise use one core.
 */
export const SPLIT_ROWS = 4096;

type PartNames = { time?: string; values: BarColumnMap['values'] };

/** The bar columns in up to `count` parts of about equal compressed size; time goes in the first. */
function splitColumns(map: BarColumnMap, footer: Footer, groups: number[], count: number): PartNames[] {
  const entries = Object.entries(map.values) as [keyof BarColumnMap['values'], string][];
  if (count <= 1 || entries.length < 2) return [{ time: map.time.name, values: map.values }];
  const bytes = (name: string) => {
    const c = footer.columns.findIndex((col) => col.name === name);
    return groups.reduce((n, g) => n + (footer.rowGroups[g].chunks[c].end - footer.rowGroups[g].chunks[c].start), 0);
  };
  const parts: (PartNames & { bytes: number })[] = Array.from({ length: Math.min(count, entries.length) }, () => ({
    values: {},
    bytes: 0,
  }));
  parts[0].time = map.time.name;
  parts[0].bytes = bytes(map.time.name);
  for (const [role, name] of entries.sort((a, b) => bytes(b[1]) - bytes(a[1]))) {
    const lightest = parts.reduce((min, p) => (p.bytes < min.bytes ? p : min));
    lightest.values[role] = name;
    lightest.bytes += bytes(name);
  }
  return parts.map(({ time, values }) => ({ time, values }));
}

function emptyBars(map: BarColumnMap): DecodedBars {
  const values: DecodedBars['values'] = {};
  for (const role of Object.keys(map.values) as (keyof BarColumnMap['values'])[]) values[role] = new Float64Array(0);
  return { rows: 0, time: new Float64Array(0), values };
}
