// Cuts what stops flowing: calls `onStall` once no progress has been seen for `ms`.
import type { SetTimer } from './request-clock.js';

/**
 * Re-arms itself while `progress()` moves; stops by itself once `done()` holds. Returns a cancel.
 * The timers it sets are the injected ones, so tests with a fake clock drive it like the request clock.
 */
export function watchStall(options: {
  setTimer: SetTimer;
  ms: number;
  progress: () => number;
  done: () => boolean;
  onStall: () => void;
}): () => void {
  let cancel = () => {};
  let stopped = false;
  const arm = (seen: number) => {
    cancel = options.setTimer(() => {
      if (stopped || options.done()) return;
      if (options.progress() !== seen) return arm(options.progress());
      options.onStall();
    }, options.ms);
  };
  arm(options.progress());
  return () => {
    stopped = true;
    cancel();
  };
}
