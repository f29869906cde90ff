// Job progress for people: a cli-progress bar while a job runs, and the seed's statistics block when it ends.
import cliProgress from 'cli-progress';
import { graphql } from './gql/gql.js';
import { JobState, type BackfillMutation, type CliJobFragment } from './gql/graphql.js';

graphql(`
  fragment CliJob on Job {
    id kind state seq description dryRun totalFiles doneFiles failedFiles skippedFiles totalBytes transferredBytes
    bytesPerSecond createdAt startedAt finishedAt message errors { path key code backendCode message attempts }
  }
`);

/** What the CLI asks of a job (the CliJob fragment: the schema's Job, times as ISO strings), with the plan of a dry run. */
export type JobView = CliJobFragment & { plan?: BackfillMutation['startBackfill']['plan'] };

const FINAL_STATES: ReadonlySet<JobState> = new Set([JobState.Succeeded, JobState.Failed, JobState.Cancelled]);

export function isFinal(state: JobState): boolean {
  return FINAL_STATES.has(state);
}

/** The seed divides by 1024 twice and calls it MB; so do we, so the numbers compare. */
const MB = 1024 * 1024;

export interface Summary {
  id: string;
  kind: JobView['kind'];
  state: JobView['state'];
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  bytes: number;
  durationSeconds: number;
  megabytesPerSecond: number;
  message: string | null;
  errors: JobView['errors'];
}

export function summarize(job: JobView): Summary {
  const started = job.startedAt ? Date.parse(job.startedAt) : Date.parse(job.createdAt);
  const finished = job.finishedAt ? Date.parse(job.finishedAt) : started;
  const durationSeconds = Math.max(0, finished - started) / 1000;
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    total: job.totalFiles,
    succeeded: job.doneFiles,
    failed: job.failedFiles,
    skipped: job.skippedFiles,
    bytes: job.transferredBytes,
    durationSeconds,
    megabytesPerSecond: durationSeconds > 0 ? job.transferredBytes / MB / durationSeconds : 0,
    message: job.message,
    errors: job.errors,
  };
}

/** Like the seed's `Statistics:` block, plus what it lacked: skipped files, bytes, speed and why files failed. */
export function formatSummary(job: JobView): string {
  const s = summarize(job);
  const lines = [
    headline(job, s),
    '',
    'Statistics:',
    `  Total: ${s.total}`,
    `  Success: ${s.succeeded}`,
    `  Failed: ${s.failed}`,
    `  Skipped: ${s.skipped}`,
    `  Duration: ${s.durationSeconds.toFixed(2)}s`,
    `  Transferred: ${(s.bytes / MB).toFixed(2)} MB`,
    `  Speed: ${s.megabytesPerSecond.toFixed(2)} MB/s`,
  ];
  if (s.message) lines.push(`  Message: ${s.message}`);
  if (s.errors.length > 0) {
    lines.push('', `Failed${s.failed > s.errors.length ? ` (first ${s.errors.length} of ${s.failed})` : ''}:`);
    for (const e of s.errors)
      lines.push(
        `  ✗ ${e.key || e.path}: ${e.code}${e.backendCode ? ` (${e.backendCode})` : ''} after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}: ${e.message}`,
      );
  }
  return lines.join('\n');
}

/** The line people read first: what happened, in words, not only counts. */
function headline(job: JobView, s: Summary): string {
  const verb = job.kind === 'BACKFILL' ? 'Upload' : 'Download';
  const took = `in ${s.durationSeconds.toFixed(2)}s`;
  if (s.state === 'FAILED' && s.message) return `${verb} failed: ${s.message}`;
  if (s.state === 'CANCELLED')
    return `${verb} cancelled: ${s.succeeded} of ${s.total - s.skipped} files done before the cancel`;
  if (s.state === 'SUCCEEDED' && s.total > 0 && s.skipped === s.total)
    return `${verb} complete: nothing to do, all ${s.total} files already up to date (skipped)`;
  const skipped = s.skipped > 0 ? `, ${s.skipped} skipped as already up to date` : '';
  return `${verb} ${s.state === 'SUCCEEDED' ? 'complete' : s.state.toLowerCase()}: ${s.succeeded}/${s.total - s.skipped} succeeded${skipped} ${took}`;
}

export interface ProgressView {
  update(job: JobView): void;
  stop(): void;
}

/**
 * One bar over bytes (files when nothing is to be moved). cli-progress draws only on a terminal,
 * so piped output and --json stay clean; it writes to stderr, leaving stdout for results.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  const bar = new cliProgress.SingleBar({
    stream,
    format: '{label} [{bar}] {percentage}% | {files} files | {moved} MB | {rate} MB/s{failed}',
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    clearOnComplete: false,
    fps: 10,
  });
  let started = false;
  return {
    update(job) {
      const byBytes = job.totalBytes > 0;
      const total = Math.max(1, byBytes ? job.totalBytes : job.totalFiles);
      const value = byBytes ? job.transferredBytes : job.doneFiles + job.failedFiles + job.skippedFiles;
      const payload = {
        label: `${job.kind === 'BACKFILL' ? 'Uploading' : 'Downloading'}${job.state === 'QUEUED' ? ' (queued)' : ''}`,
        files: `${job.doneFiles + job.skippedFiles}/${job.totalFiles}`,
        moved: `${(job.transferredBytes / MB).toFixed(1)}/${(job.totalBytes / MB).toFixed(1)}`,
        rate: (job.bytesPerSecond / MB).toFixed(2),
        failed: job.failedFiles > 0 ? ` | ${job.failedFiles} failed` : '',
      };
      if (!started) {
        bar.start(total, Math.min(value, total), payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(Math.min(value, total), payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
