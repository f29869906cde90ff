// The jobs panel: recent jobs from Query.jobs, and each running one followed live through the jobProgress subscription.
import { CancelJobMutation, isFinal, JobProgressSubscription, JobsQuery, type Job } from './documents.js';
import { byId, bytes, h } from './dom.js';
import { GraphQLRequestError, request, subscribe } from './graphql.js';

/**
 * New jobs are found by polling (there is no "all jobs" subscription), every second while the page is
 * visible; from then on their progress streams over jobProgress.
 */
const POLL_MS = 1000;
const SHOWN = 8;
const KIND_LABELS: Record<Job['kind'], string> = { BACKFILL: 'Backfill', DOWNLOAD: 'Download', UPLOAD: 'Upload' };

export function jobsPanel(): { refresh(): Promise<void> } {
  const host = byId('jobs');
  const status = byId('jobs-status');
  const jobs = new Map<string, Job>();
  const following = new Map<string, () => void>();

  const render = () => {
    const shown = [...jobs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, SHOWN);
    if (shown.length === 0) {
      host.replaceChildren(
        h(
          'p',
          { class: 'muted' },
          'No jobs yet. Start a backfill with ',
          h('code', { text: 'lakeql backfill DIR' }),
          ' or the ',
          h('code', { text: 'startBackfill' }),
          ' mutation.',
        ),
      );
      return;
    }
    host.replaceChildren(
      h(
        'table',
        { class: 'jobs' },
        h(
          'tbody',
          {},
          ...shown.map((job) => {
            const percent =
              job.totalBytes > 0
                ? (job.transferredBytes / job.totalBytes) * 100
                : job.totalFiles > 0
                  ? ((job.doneFiles + job.skippedFiles + job.failedFiles) / job.totalFiles) * 100
                  : job.state === 'SUCCEEDED'
                    ? 100
                    : 0;
            return h(
              'tr',
              { attrs: { 'data-job': job.id, 'data-state': job.state } },
              h('td', {}, h('span', { class: `state ${job.state.toLowerCase()}`, text: job.state.toLowerCase() })),
              h(
                'td',
                {},
                h('div', { text: `${KIND_LABELS[job.kind]}: ${job.description}` }),
                h(
                  'div',
                  {
                    class: `progress slim ${job.state === 'SUCCEEDED' ? 'done' : job.state === 'FAILED' || job.state === 'CANCELLED' ? 'failed' : ''}`,
                    attrs: { role: 'progressbar', 'aria-valuenow': String(Math.round(percent)) },
                  },
                  h('div', { class: 'bar-fill', attrs: { style: `width:${percent}%` } }),
                ),
              ),
              h('td', {
                class: 'num small',
                text: `${job.doneFiles + job.skippedFiles}/${job.totalFiles} files${job.failedFiles ? `, ${job.failedFiles} failed` : ''}`,
              }),
              h('td', { class: 'num small', text: `${bytes(job.transferredBytes)} of ${bytes(job.totalBytes)}` }),
              h('td', {
                class: 'num small',
                text: job.state === 'RUNNING' || job.finishedAt ? `${bytes(job.bytesPerSecond)}/s` : '',
              }),
              h('td', {
                class: 'num small muted',
                title: `started ${job.createdAt}${job.finishedAt ? `, finished ${job.finishedAt}` : ''}`,
                text: times(job),
              }),
              h(
                'td',
                {},
                job.state === 'RUNNING' || job.state === 'QUEUED'
                  ? h('button', {
                      class: 'small-button',
                      text: 'Cancel',
                      attrs: { type: 'button', 'data-cancel': job.id },
                      on: { click: (e) => void cancel(job.id, e.target as HTMLButtonElement) },
                    })
                  : null,
              ),
            );
          }),
        ),
      ),
    );
  };

  const cancel = async (id: string, button: HTMLButtonElement) => {
    button.disabled = true;
    button.textContent = 'Cancelling…';
    try {
      const { cancelJob } = await request(CancelJobMutation, { id });
      if (cancelJob.seq >= (jobs.get(id)?.seq ?? 0)) jobs.set(id, cancelJob);
      render();
    } catch (error) {
      button.disabled = false;
      button.textContent = 'Cancel';
      status.textContent = `Could not cancel: ${(error as Error).message}`;
    }
  };

  const follow = (job: Job) => {
    if (following.has(job.id) || isFinal(job.state)) return;
    const stop = subscribe(
      JobProgressSubscription,
      { id: job.id, after: job.seq },
      ({ jobProgress }) => {
        if (jobProgress.seq > (jobs.get(jobProgress.id)?.seq ?? 0)) jobs.set(jobProgress.id, jobProgress);
        render();
      },
      () => following.delete(job.id),
    );
    following.set(job.id, stop);
  };

  const refresh = async () => {
    try {
      const { jobs: list } = await request(JobsQuery, {});
      for (const job of list) if (job.seq >= (jobs.get(job.id)?.seq ?? 0)) jobs.set(job.id, job);
      status.textContent = following.size > 0 ? `${following.size} live` : '';
      for (const job of list) follow(job);
      render();
    } catch (error) {
      const code = error instanceof GraphQLRequestError ? error.code : '';
      status.textContent =
        code === 'FORBIDDEN' || code === 'UNAUTHENTICATED'
          ? 'Jobs need an API key with the write scope.'
          : `Jobs unavailable: ${(error as Error).message}`;
    }
  };

  setInterval(() => document.visibilityState === 'visible' && void refresh(), POLL_MS);
  return { refresh };
}

/** "14:03:07 · 2.4 s" (start in local time, then how long it ran or has been running). */
function times(job: Job): string {
  const started = new Date(job.createdAt);
  const end = job.finishedAt ? new Date(job.finishedAt) : new Date();
  const seconds = Math.max(0, (end.getTime() - started.getTime()) / 1000);
  const took =
    seconds < 60
      ? `${seconds.toFixed(1)} s`
      : seconds < 3600
        ? `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`
        : `${(seconds / 3600).toFixed(1)} h`;
  return `${started.toLocaleTimeString('en-GB')} · ${took}`;
}
