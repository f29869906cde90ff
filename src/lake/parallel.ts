// Bounded parallelism over one iterator (p-map underneath): at most N items in flight, none read ahead of need, every started item settled before it returns or throws.
import pMap, { pMapStop } from 'p-map';

export interface BoundedOptions {
  /** Stops taking new items once aborted; items already started finish (their work sees the same signal). */
  signal?: AbortSignal;
}

/**
 * Runs `work` on each item, at most `concurrency` at a time, each item taken from the iterator only
 * when a slot is free (back-pressure: a generator of file parts reads a part only when it can be sent).
 * After the first failure or an abort no further item is started; the call then waits for every
 * started item and throws the first error (or returns, on abort with no error).
 *
 * Why not p-map alone: p-map rejects at the first error or abort while mappers it started still
 * run, and a multipart upload must not be aborted (nor a job reported finished) while a part is in
 * flight. So failures are caught here and every later item answers `pMapStop`, which makes p-map
 * settle only once the items before it have. p-map also rejects at once when the source throws (a
 * body stream that errors) and pulls async iterators concurrently, which a hand-written iterator
 * may not survive; the items go through one async generator, which queues pulls and turns a
 * source's error into the end of the items plus a failure.
 */
export async function forEachBounded<T>(
  items: Iterable<T> | AsyncIterable<T>,
  concurrency: number,
  work: (item: T) => Promise<void>,
  options: BoundedOptions = {},
): Promise<void> {
  let failed = false;
  let firstError: unknown;
  const fail = (error: unknown) => {
    if (!failed) firstError = error;
    failed = true;
  };
  await pMap(
    serial(items, fail),
    async (item) => {
      if (failed || options.signal?.aborted) return pMapStop;
      try {
        await work(item);
      } catch (error) {
        fail(error);
      }
      // p-map keeps one slot per item for results (8 bytes each: 8 MB for a million files).
      return undefined;
    },
    { concurrency: Math.max(1, concurrency) },
  );
  if (failed) throw firstError;
}

/** The items one pull at a time; a source that throws ends the items (the error is kept), so p-map still waits for the started ones. */
async function* serial<T>(items: Iterable<T> | AsyncIterable<T>, fail: (error: unknown) => void): AsyncGenerator<T> {
  try {
    yield* items;
  } catch (error) {
    fail(error);
  }
}
