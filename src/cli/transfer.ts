// `lakeql backfill DIR` and `lakeql download PREFIX DIR`: start a job on the gateway, follow it live, summarize, exit non-zero on any failure.
import { type GatewayClient, GatewayError } from './client.js';
import { graphql } from './gql/gql.js';
import type { BackfillMode } from './gql/graphql.js';
import { formatSummary, isFinal, progressBar, summarize, type JobView } from './progress.js';

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
  json: boolean;
  /** Draw a progress bar (a terminal, and not --json). */
  bar: boolean;
}

const FOLLOW = graphql(`
  subscription Follow($id: ID!, $after: Int) { jobProgress(id: $id, after: $after) { ...CliJob } }
`);
const CANCEL = graphql(`
  mutation Cancel($id: ID!) { cancelJob(id: $id) { ...CliJob } }
`);
/** The plan comes with a dry run only: a real job's is null, and asking would only add to the query's cost. */
const BACKFILL = graphql(`
  mutation Backfill(
    $source: String!, $prefix: String, $include: [String!], $exclude: [String!], $concurrency: Int, $partSize: Int, $mode: BackfillMode,
    $dryRun: Boolean!, $validate: Boolean
  ) {
    startBackfill(
      source: $source, prefix: $prefix, include: $include, exclude: $exclude, concurrency: $concurrency, partSize: $partSize, mode: $mode,
      dryRun: $dryRun, validate: $validate
    ) { ...CliJob plan @include(if: $dryRun) { action key path size reason } }
  }
`);
const DOWNLOAD = graphql(`
  mutation Download($prefix: String!, $destination: String!, $concurrency: Int) {
    startDownload(prefix: $prefix, destination: $destination, concurrency: $concurrency) { ...CliJob }
  }
`);
/** Reconnects after the stream breaks (gateway restart, proxy timeout); `after` makes them lossless. */
const MAX_RECONNECTS = 5;

export interface BackfillArgs {
  source: string;
  prefix?: string;
  include?: string[];
  exclude?: string[];
  concurrency?: number;
  partSize?: number;
  mode?: BackfillMode;
  dryRun?: boolean;
  validate?: boolean;
}

export async function backfill(client: GatewayClient, args: BackfillArgs, output: Output): Promise<number> {
  const { startBackfill } = await client.request(BACKFILL, { ...args, dryRun: args.dryRun ?? false });
  if (args.dryRun) return reportPlan(startBackfill, output);
  return follow(client, startBackfill, output);
}

export async function download(
  client: GatewayClient,
  args: { prefix: string; destination: string; concurrency?: number },
  output: Output,
): Promise<number> {
  const { startDownload } = await client.request(DOWNLOAD, args);
  return follow(client, startDownload, output);
}

/** Follows a job to its final state; Ctrl-C cancels it on the gateway (the job is the gateway's, not ours). */
export async function follow(client: GatewayClient, first: JobView, output: Output): Promise<number> {
  let bar = output.bar ? progressBar() : undefined;
  if (!output.json) output.err(`job ${first.id}: ${first.description}`);
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    // The bar ends its line first, and draws no more: the message and the summary each get lines of their own.
    bar?.stop();
    bar = undefined;
    output.err('cancelling the job (Ctrl-C again to leave it running)…');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let last = first;
  try {
    bar?.update(last);
    let reconnects = 0;
    while (!isFinal(last.state) && !controller.signal.aborted) {
      try {
        await client.subscribe(
          FOLLOW,
          { id: last.id, after: last.seq },
          ({ jobProgress: job }) => {
            if (job.seq <= last.seq) return false;
            last = job;
            reconnects = 0;
            bar?.update(job);
            return isFinal(job.state);
          },
          controller.signal,
        );
      } catch (error) {
        if (controller.signal.aborted) break;
        if (!(error instanceof GatewayError) || error.code !== 'UNREACHABLE' || ++reconnects > MAX_RECONNECTS)
          throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** reconnects));
      }
    }
    if (interrupted) last = (await client.request(CANCEL, { id: last.id })).cancelJob;
  } finally {
    process.off('SIGINT', onSigint);
    bar?.stop();
  }
  report(last, output);
  if (interrupted) return 130;
  return last.state === 'SUCCEEDED' && last.failedFiles === 0 ? 0 : 1;
}

function report(job: JobView, output: Output): void {
  if (output.json) output.out(JSON.stringify({ summary: summarize(job), job }, null, 2));
  else output.out(formatSummary(job));
}

function reportPlan(job: JobView, output: Output): number {
  const plan = job.plan ?? [];
  if (output.json) {
    output.out(JSON.stringify({ summary: summarize(job), plan, job }, null, 2));
  } else {
    for (const entry of plan)
      output.out(
        `${entry.action.padEnd(6)} ${String(entry.size).padStart(12)}  ${entry.key}${entry.reason ? `  (${entry.reason})` : ''}`,
      );
    const count = (action: string) => plan.filter((e) => e.action === action).length;
    output.out(
      `\nDry run: ${count('UPLOAD')} to upload (${job.totalBytes} bytes), ${count('SKIP')} to skip, ${count('REFUSE')} refused; nothing was written.`,
    );
  }
  return job.state === 'SUCCEEDED' && !(job.plan ?? []).some((e) => e.action === 'REFUSE') ? 0 : 1;
}
