// Runs one job's work to its end and decides the final state: SUCCEEDED, FAILED (with why) or CANCELLED.
import { isLakeError } from '../errors.js';
import type { JobContext, JobWork } from './job-spec.js';
import type { JobTracker } from './tracker.js';
import type { JobState } from './types.js';

export interface RunOptions {
  /** A claimed registered job: its tracker already moved it to RUNNING. */
  claimed: boolean;
  context?: JobContext;
  /** True once the service is closing: a journaled job stopped then is interrupted, not cancelled. */
  closing: () => boolean;
  log: (message: string) => void;
}

export async function runWork(tracker: JobTracker, work: JobWork, options: RunOptions): Promise<void> {
  const { context } = options;
  if (!options.claimed) tracker.start();
  let state: JobState;
  let message: string | undefined;
  try {
    await work(tracker, context);
    state = tracker.signal.aborted ? 'CANCELLED' : tracker.current.failedFiles > 0 ? 'FAILED' : 'SUCCEEDED';
    if (state === 'FAILED') message = `${tracker.current.failedFiles} of ${tracker.current.totalFiles} files failed`;
  } catch (error) {
    // A cancel makes in-flight requests fail in all sorts of ways; the user asked for it, so it is CANCELLED.
    if (tracker.signal.aborted) {
      state = 'CANCELLED';
    } else {
      state = 'FAILED';
      message = error instanceof Error ? error.message : String(error);
      if (!isLakeError(error))
        options.log(`job ${tracker.id} failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  // Stopped by close() rather than by a user: a journaled job is left unfinished in the journal, to be resumed.
  if (state === 'CANCELLED' && options.closing() && context?.files) return;
  await tracker.finish(state, message);
}
