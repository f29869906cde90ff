// Bars pages of one request computed a bounded number at a time, so `symbols(tickers:) { nodes { bars } }` over 100 symbols does not start 100 symbols' reads at once.
import DataLoader from 'dataloader';
import { pMapSettled } from 'p-map';
import { MANY_SYMBOLS_PARALLELISM } from '../lake/bars/many.js';
import type { Context } from './context.js';

type Work = () => Promise<unknown>;

/**
 * One batching loader per request (keyed by the request's loaders, which live exactly as long):
 * graphql-js resolves the bars fields of every node of a list in one pass, so their pages land in
 * one batch, and the batch runs them MANY_SYMBOLS_PARALLELISM at a time. A page that fails fails
 * its own bars field only (an Error per key, as DataLoader expects).
 */
const loaders = new WeakMap<object, DataLoader<Work, unknown>>();

export function boundedPage<T>(ctx: Context, work: () => Promise<T>): Promise<T> {
  let loader = loaders.get(ctx.loaders);
  if (!loader) {
    loader = new DataLoader<Work, unknown>(
      async (works) => {
        const settled = await pMapSettled(works, (run) => run(), { concurrency: MANY_SYMBOLS_PARALLELISM });
        return settled.map((s) => (s.status === 'fulfilled' ? s.value : toError(s.reason)));
      },
      // Each page is its own work, never shared by key: the connection already computes its page once.
      { cache: false },
    );
    loaders.set(ctx.loaders, loader);
  }
  return loader.load(work) as Promise<T>;
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
