// Work a request leaves running past its handler: the in-flight gauge counts the request until that work is done too.
import type { IncomingMessage } from 'node:http';

/**
 * When a client goes away, the fetch adapter settles the request's handler at once, while the
 * request's own work goes on: a multipart body still being parsed, its temp files still to be
 * removed. Such work is registered here under the Node request, and the request counts as in
 * flight until it has settled.
 */
const held = new WeakMap<IncomingMessage, Promise<unknown>[]>();

/** Starts keeping work for `req`; the returned function resolves once all of it (added before or while waiting) has settled. */
export function trackRequest(req: IncomingMessage): () => Promise<void> {
  const work: Promise<unknown>[] = [];
  held.set(req, work);
  return async () => {
    while (work.length > 0) await Promise.allSettled(work.splice(0));
    held.delete(req);
  };
}

/** Registers work of a request that outlives its answer; ignored for requests nobody tracks. */
export function holdRequest(req: unknown, work: Promise<unknown>): void {
  held.get(req as IncomingMessage)?.push(work);
}
