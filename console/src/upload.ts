// Drag and drop a Parquet file onto the drop zone: an UPLOAD job, the file streamed into it, and a bar fed by the job's subscription.
import {
  CreateUploadJobMutation,
  isFinal,
  UploadJobProgressSubscription,
  UploadJobQuery,
  UploadTickFileMutation,
  type Resolution,
  type SymbolYear,
  type UploadJob,
} from './documents.js';
import { byId, bytes, dateTime, h } from './dom.js';
import { request, subscribe, upload } from './graphql.js';

export interface UploadPanel {
  /** The symbol files go to, and the files it has (an upload onto one of them asks first). */
  setSymbol(ticker: string, years: SymbolYear[]): void;
}

/** How long the page waits for the job's first snapshot before sending anyway (the subscription catches up). */
const FIRST_SNAPSHOT_MS = 3000;
/** The final snapshot is published before the gateway answers, but travels apart: how long to wait before asking for it. */
const FINAL_SNAPSHOT_MS = 3000;

const sleep = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));

/**
 * Why the bar follows the job and not the browser: the browser knows what it has sent to the
 * gateway; the job knows what the store has received, which is what "uploaded" means, and it is
 * what any other client watching the job sees. The browser's own count stays as a "sent" line.
 * The bar carries the job's id, state and seq (data-job, data-state, data-seq) as it shows them.
 */
export function uploadPanel(onStored: (ticker: string, year: number) => void): UploadPanel {
  let ticker = '';
  let existing: SymbolYear[] = [];
  /** Set once the user types a year: from then on a file's name may not change it. */
  let yearTyped = false;
  const year = h('input', {
    attrs: {
      type: 'number',
      min: '1900',
      max: '2100',
      value: String(new Date().getUTCFullYear()),
      'aria-label': 'Year',
      name: 'year',
    },
  });
  const resolution = h(
    'select',
    { attrs: { 'aria-label': 'Resolution', name: 'resolution' } },
    h('option', { text: 'daily', attrs: { value: 'DAILY' } }),
    h('option', { text: 'minute', attrs: { value: 'MINUTE' } }),
  );
  const month = h('input', {
    attrs: { type: 'number', min: '1', max: '12', value: '1', 'aria-label': 'Month', name: 'month', disabled: '' },
  });
  resolution.addEventListener('change', () => (month.disabled = resolution.value !== 'MINUTE'));
  year.addEventListener('input', () => (yearTyped = true));
  const picker = h('input', { attrs: { type: 'file', accept: '.parquet', hidden: '' } });
  const bar = h('div', { class: 'bar-fill' });
  const progress = h(
    'div',
    {
      class: 'progress',
      attrs: {
        role: 'progressbar',
        'aria-valuemin': '0',
        'aria-valuemax': '100',
        'aria-valuenow': '0',
        'data-testid': 'upload-progress',
      },
    },
    bar,
  );
  const status = h('div', {
    class: 'upload-status small',
    attrs: { 'data-testid': 'upload-status', 'aria-live': 'polite' },
  });
  const sent = h('div', { class: 'upload-sent small muted', attrs: { 'data-testid': 'upload-sent' } });
  const zone = h(
    'div',
    { class: 'dropzone', attrs: { tabindex: '0', 'data-testid': 'dropzone' } },
    h('strong', { text: 'Drop a Parquet file here' }),
    h('span', { class: 'muted small', text: ' or click to choose one' }),
  );
  byId('upload').replaceChildren(
    h(
      'div',
      { class: 'upload-form' },
      h('label', {}, 'Year ', year),
      h('label', {}, 'Resolution ', resolution),
      h('label', {}, 'Month ', month),
    ),
    zone,
    picker,
    progress,
    status,
    sent,
  );

  const setProgress = (percent: number) => {
    bar.style.width = `${percent}%`;
    progress.setAttribute('aria-valuenow', String(Math.round(percent)));
  };

  /** The job of the latest drop: a previous upload still finishing must not move the bar. */
  let active: string | undefined;

  /** One snapshot of the job onto the bar; an older one than shown (reordered delivery) is ignored. */
  const show = (job: UploadJob) => {
    if (job.id !== active || (progress.dataset.job === job.id && job.seq <= Number(progress.dataset.seq))) return;
    Object.assign(progress.dataset, { job: job.id, seq: String(job.seq), state: job.state });
    progress.setAttribute('aria-valuetext', `${bytes(job.transferredBytes)} of ${bytes(job.totalBytes)} stored`);
    progress.classList.toggle('done', job.state === 'SUCCEEDED');
    progress.classList.toggle('failed', job.state === 'FAILED' || job.state === 'CANCELLED');
    setProgress(job.state === 'SUCCEEDED' ? 100 : (job.transferredBytes / Math.max(1, job.totalBytes)) * 100);
  };

  /** Follows the job: `started` at its first snapshot, `ended` with its final one (or the last seen, if the stream stops). */
  const follow = (id: string) => {
    let last: UploadJob | undefined;
    let started!: () => void;
    let ended!: (job: UploadJob | undefined) => void;
    const result = {
      started: new Promise<void>((resolve) => (started = resolve)),
      ended: new Promise<UploadJob | undefined>((resolve) => (ended = resolve)),
      stop: () => {},
    };
    result.stop = subscribe(
      UploadJobProgressSubscription,
      { id },
      ({ jobProgress }) => {
        last = jobProgress;
        show(jobProgress);
        started();
        if (isFinal(jobProgress.state)) ended(jobProgress);
      },
      () => {
        started();
        ended(last);
      },
    );
    return result;
  };

  const refuse = (message: string) => {
    status.classList.add('error');
    status.textContent = message;
  };

  const start = async (file: File) => {
    status.classList.remove('error');
    // A year in the file name (ticks_2019.parquet, AAPL-2019.parquet) is the likeliest target, unless the user typed one.
    const named = /(?:^|[^0-9])((?:19|20)\d\d)(?:[^0-9]|$)/.exec(file.name)?.[1];
    if (named && yearTyped && named !== year.value) {
      return refuse(
        `Not uploaded: the file name says ${named} but the year field says ${year.value}. Correct one of them and drop the file again.`,
      );
    }
    if (named && !yearTyped) year.value = named;
    const target = {
      symbol: ticker,
      year: Number(year.value),
      resolution: resolution.value as Resolution,
      month: resolution.value === 'MINUTE' ? Number(month.value) : null,
    };
    if (!Number.isInteger(target.year) || target.year < 1900 || target.year > 2100)
      return refuse('Not uploaded: the year must be a whole number from 1900 to 2100.');
    if (target.month !== null && (!Number.isInteger(target.month) || target.month < 1 || target.month > 12))
      return refuse('Not uploaded: the month must be 1 to 12.');
    const clash = existing
      .find((y) => y.year === target.year)
      ?.tickFiles.find((f) => f.resolution === target.resolution && (f.month ?? null) === target.month);
    if (clash) {
      const what = `${target.symbol} ${target.year} ${target.resolution === 'DAILY' ? 'daily' : `minute (month ${target.month})`} bars`;
      if (
        !confirm(
          `${what} already exist in the lake (${bytes(clash.size)}, written ${dateTime(clash.lastModified)}).\n\nReplace them with ${file.name}?`,
        )
      ) {
        status.textContent = `Not uploaded: kept the existing ${what}.`;
        return;
      }
    }
    active = undefined;
    progress.classList.remove('failed', 'done');
    for (const name of ['job', 'seq', 'state']) delete progress.dataset[name];
    setProgress(0);
    sent.textContent = '';
    status.textContent = `Uploading ${file.name} (${bytes(file.size)}) as ${target.symbol} ${target.year}…`;
    let mine: string | undefined;
    try {
      const { createUploadJob: job } = await request(CreateUploadJobMutation, { ...target, contentLength: file.size });
      mine = active = job.id;
      const following = follow(job.id);
      await Promise.race([following.started, sleep(FIRST_SNAPSHOT_MS)]);
      const outcome = await upload(UploadTickFileMutation, { ...target, jobId: job.id, file: null }, file, (p) => {
        if (active !== mine) return;
        sent.textContent = `Sent to the gateway: ${Math.round((p.sent / Math.max(1, p.total)) * 100)}%`;
        if (p.sent >= p.total) status.textContent = `Validating ${file.name}…`;
      }).then(
        (r) => ({ stored: r.uploadTickFile }),
        (error: Error) => ({ error }),
      );
      let final = await Promise.race([following.ended, sleep(FINAL_SNAPSHOT_MS)]);
      if (!final || !isFinal(final.state))
        final = (await request(UploadJobQuery, { id: job.id }).catch(() => undefined))?.job ?? undefined;
      following.stop();
      if (final) show(final);
      if ('error' in outcome) throw outcome.error;
      if (active !== mine) return onStored(target.symbol, target.year); // a newer drop owns the panel now
      status.textContent = `Stored ${outcome.stored.key} (${bytes(outcome.stored.size)})`;
      onStored(target.symbol, target.year);
    } catch (error) {
      if (active !== mine) return;
      progress.classList.add('failed');
      refuse(`Upload failed: ${(error as Error).message}`);
    }
  };

  zone.addEventListener('click', () => picker.click());
  zone.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && picker.click());
  picker.addEventListener('change', () => picker.files?.[0] && void start(picker.files[0]));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) void start(file);
  });

  return {
    setSymbol(next, years) {
      ticker = next;
      existing = years;
      zone.querySelector('strong')!.textContent = `Drop a Parquet file here to add it to ${next}`;
    },
  };
}
