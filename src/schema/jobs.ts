// Job: a backfill, download or single-file upload run by the server, with its statistics, errors, plan and a live progress subscription.
import { JOB_KINDS, JOB_STATES, type FileError, type JobSnapshot, type PlanEntry } from '../lake/jobs/types.js';
import * as resolvers from '../resolvers/jobs.js';
import { builder } from './builder.js';

/** One GraphQL enum value per name of a list, in the list's order; `docs` must describe every name. */
function valuesOf<V extends string>(
  names: readonly V[],
  docs: Record<V, string>,
): { [K in V]: { value: K; description: string } } {
  return Object.fromEntries(names.map((name) => [name, { value: name, description: docs[name] }])) as {
    [K in V]: { value: K; description: string };
  };
}

const JobKind = builder.enumType('JobKind', {
  description: 'What a job does.',
  values: valuesOf(JOB_KINDS, {
    BACKFILL: 'startBackfill: a directory below LAKEQL_UPLOAD_ROOT uploaded by the server.',
    DOWNLOAD: 'startDownload: a prefix downloaded into LAKEQL_DOWNLOAD_ROOT.',
    UPLOAD: 'createUploadJob: one file streamed in by uploadTickFile(jobId).',
  }),
});
const JobState = builder.enumType('JobState', {
  description: 'Where a job is in its life; SUCCEEDED, FAILED and CANCELLED are final.',
  values: valuesOf(JOB_STATES, {
    QUEUED: 'Waiting for an instance to run it (or, for UPLOAD, for its file).',
    RUNNING: 'Moving files.',
    SUCCEEDED: 'Finished with every file done or skipped.',
    FAILED: 'Finished with failed files (see errors) or failed as a whole (see message).',
    CANCELLED: 'Stopped by cancelJob.',
  }),
});
const BackfillMode = builder.enumType('BackfillMode', {
  description: 'What a backfill does with keys that already exist.',
  values: {
    OVERWRITE: { description: 'Upload every planned file.' },
    SKIP_EXISTING: { description: 'Leave keys that already exist alone.' },
    SYNC: { description: 'Leave objects whose size and checksum already match the file.' },
  } as const,
});
const PlanAction = builder.enumType('PlanAction', {
  description: 'What a backfill does with one file.',
  values: {
    UPLOAD: { value: 'UPLOAD', description: 'The file is uploaded to its key.' },
    SKIP: { value: 'SKIP', description: 'The file is left out because of the mode (see reason).' },
    REFUSE: {
      value: 'REFUSE',
      description: 'The file cannot be uploaded, e.g. a link out of the root or a bad key (see reason).',
    },
  } as const,
});

const FileErrorRef = builder.objectRef<FileError>('FileError').implement({
  description: 'A file that failed, or (with an empty path) a failure of the whole job.',
  fields: (t) => ({
    path: t.exposeString('path', {
      description:
        "Path relative to the backfill's source, the object key for a download, or the file's name as sent for an upload; empty for a failure of the whole job.",
    }),
    key: t.exposeString('key', { description: 'Object key the file was going to or from.' }),
    code: t.exposeString('code', {
      description: 'The lake error code: NOT_FOUND, PERMISSION_DENIED, STORE_ERROR, INVALID_DATA, …',
    }),
    backendCode: t.string({
      nullable: true,
      description: 'The store\'s own code, e.g. S3 "NoSuchBucket" or "SlowDown".',
      resolve: (e) => e.backendCode ?? null,
    }),
    message: t.exposeString('message', { description: 'What went wrong, for a person.' }),
    attempts: t.exposeInt('attempts', { description: 'Tries made before giving up, retries included.' }),
  }),
});

const PlanEntryRef = builder.objectRef<PlanEntry>('PlanEntry').implement({
  description: 'One file of a backfill plan: what a real run would do with it.',
  fields: (t) => ({
    path: t.exposeString('path', { description: "Path relative to the backfill's source directory." }),
    key: t.exposeString('key', { description: 'Object key the file would be uploaded to.' }),
    size: t.field({ type: 'SafeInt', description: 'Bytes.', resolve: (p) => p.size }),
    action: t.field({ type: PlanAction, description: 'Upload, skip or refuse.', resolve: (p) => p.action }),
    reason: t.string({
      nullable: true,
      description: 'Why the file is skipped ("exists", "unchanged") or refused; null for UPLOAD.',
      resolve: (p) => p.reason ?? null,
    }),
  }),
});

const time = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

export const Job = builder.objectRef<JobSnapshot>('Job').implement({
  description:
    'One snapshot of a job. `seq` grows with every snapshot published; resume a subscription with the last one seen.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The job's id, for job, jobProgress and cancelJob." }),
    kind: t.field({ type: JobKind, description: 'Backfill, download or upload.', resolve: (j) => j.kind }),
    state: t.field({ type: JobState, description: 'Where the job is in its life.', resolve: (j) => j.state }),
    seq: t.exposeInt('seq', {
      description: 'Snapshot number, one more with every snapshot published; pass as jobProgress(after).',
    }),
    description: t.exposeString('description', {
      description: 'What the job works on, e.g. "upload-root/data/ticks/daily → data/ticks/daily/".',
    }),
    dryRun: t.exposeBoolean('dryRun', {
      description: 'True for a dry run: nothing is written, and plan says what would be.',
    }),
    totalFiles: t.exposeInt('totalFiles', { description: 'Files the job covers, known once it has planned.' }),
    doneFiles: t.exposeInt('doneFiles', { description: 'Files transferred so far.' }),
    failedFiles: t.exposeInt('failedFiles', {
      description: 'Files that failed so far (all of them, though errors lists at most 100).',
    }),
    skippedFiles: t.exposeInt('skippedFiles', {
      description: 'Files left alone because of the mode, e.g. already in the lake.',
    }),
    totalBytes: t.field({
      type: 'SafeInt',
      description: 'Bytes to transfer, known before the first byte moves (skipped files excluded).',
      resolve: (j) => j.totalBytes,
    }),
    transferredBytes: t.field({
      type: 'SafeInt',
      description: 'Bytes sent so far, counted as they go out; never decreases.',
      resolve: (j) => j.transferredBytes,
    }),
    bytesPerSecond: t.field({
      type: 'SafeInt',
      description: 'Recent rate while running; the overall average once finished.',
      resolve: (j) => j.bytesPerSecond,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the job was created (UTC).',
      resolve: (j) => new Date(j.createdAt),
    }),
    startedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When an instance started running it (UTC); null while QUEUED.',
      resolve: (j) => time(j.startedAt),
    }),
    finishedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it reached a final state (UTC); null until then.',
      resolve: (j) => time(j.finishedAt),
    }),
    message: t.string({
      nullable: true,
      description: 'Why the job failed as a whole.',
      resolve: (j) => j.message ?? null,
    }),
    errors: t.field({
      type: [FileErrorRef],
      description: 'The first 100 errors; failedFiles counts them all.',
      resolve: (j) => j.errors,
    }),
    plan: t.field({
      type: [PlanEntryRef],
      nullable: true,
      description: 'Dry runs only: what a real run would do.',
      resolve: (j) => j.plan ?? null,
    }),
    key: t.string({
      nullable: true,
      description: 'UPLOAD jobs: the object key the upload writes.',
      resolve: (j) => j.key ?? null,
    }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'UPLOAD jobs: if uploadTickFile has not begun streaming into the job by then, it fails.',
      resolve: (j) => time(j.expiresAt),
    }),
  }),
});

builder.queryFields((t) => ({
  job: t.field({
    type: Job,
    nullable: true,
    description: 'The latest snapshot of one job; null when no job has that id.',
    args: { id: t.arg.id({ required: true, description: "The job's id." }) },
    resolve: (_r, a, ctx) => resolvers.job(ctx, String(a.id)),
  }),
  jobs: t.field({
    type: [Job],
    description: 'Newest first.',
    args: {
      state: t.arg({ type: JobState, description: 'Only jobs in this state.' }),
      kind: t.arg({ type: JobKind, description: 'Only jobs of this kind.' }),
    },
    resolve: (_r, a, ctx) => resolvers.jobs(ctx, { state: a.state ?? undefined, kind: a.kind ?? undefined }),
  }),
}));

builder.mutationFields((t) => ({
  startBackfill: t.field({
    type: Job,
    description:
      "Uploads a directory below LAKEQL_UPLOAD_ROOT, as the seed's upload_directory_parallel: key = prefix/relative path. A dry run answers with its plan.",
    args: {
      source: t.arg.string({
        required: true,
        description: 'Directory relative to LAKEQL_UPLOAD_ROOT (or absolute inside it).',
      }),
      prefix: t.arg.string({ description: "Key prefix; default: the source's path below the upload root." }),
      include: t.arg.stringList({
        description:
          'Globs on the relative path (`*`, `**`, `?`, `[a-z]`, `{a,b}`; no "/" = any depth). Default: *.parquet.',
      }),
      exclude: t.arg.stringList({ description: 'Globs, as for include, of relative paths to leave out.' }),
      concurrency: t.arg.int({ description: 'Files in flight (default LAKEQL_JOB_CONCURRENCY, at most 64).' }),
      partSize: t.arg.int({ description: 'Bytes per multipart part, at least 5 MiB (default LAKEQL_PART_SIZE).' }),
      mode: t.arg({
        type: BackfillMode,
        defaultValue: 'OVERWRITE',
        description: 'What to do with keys that already exist.',
      }),
      dryRun: t.arg.boolean({ defaultValue: false, description: 'Plan only: write nothing and answer with the plan.' }),
      validate: t.arg.boolean({
        defaultValue: true,
        description:
          'Check each tick file (data/ticks/…) before sending it, as single uploads are checked: Parquet magic and footer, bar columns, dates inside the year or month its key names. A file that fails is a failed file with the reason. false copies bytes as they are (a raw mirror).',
      }),
    },
    resolve: (_r, a, ctx) =>
      resolvers.startBackfill(ctx, {
        source: a.source,
        prefix: a.prefix ?? undefined,
        include: a.include ?? undefined,
        exclude: a.exclude ?? undefined,
        concurrency: a.concurrency ?? undefined,
        partSize: a.partSize ?? undefined,
        mode: a.mode ?? 'OVERWRITE',
        dryRun: a.dryRun ?? false,
        validate: a.validate ?? true,
      }),
  }),
  startDownload: t.field({
    type: Job,
    description:
      "Downloads every object under a prefix into a directory below LAKEQL_DOWNLOAD_ROOT, as the seed's download_directory_parallel; each file appears whole (temp file + rename).",
    args: {
      prefix: t.arg.string({ required: true, description: 'Key prefix to download, e.g. data/ticks/daily/AAPL/.' }),
      destination: t.arg.string({
        required: true,
        description: 'Directory relative to LAKEQL_DOWNLOAD_ROOT (or absolute inside it).',
      }),
      concurrency: t.arg.int({ description: 'Files in flight (default LAKEQL_JOB_CONCURRENCY, at most 64).' }),
    },
    resolve: (_r, a, ctx) =>
      resolvers.startDownload(ctx, {
        prefix: a.prefix,
        destination: a.destination,
        concurrency: a.concurrency ?? undefined,
      }),
  }),
  cancelJob: t.field({
    type: Job,
    description: 'Answers once the job has stopped and its unfinished multipart uploads are aborted.',
    args: { id: t.arg.id({ required: true, description: "The job's id." }) },
    resolve: (_r, a, ctx) => resolvers.cancelJob(ctx, String(a.id)),
  }),
}));

builder.subscriptionField('jobProgress', (t) =>
  t.field({
    type: Job,
    description:
      'The current snapshot, then updates (at most ~10 a second), ending with the final state. With `after` (the last seq seen), every state change since then comes first.',
    args: {
      id: t.arg.id({ required: true, description: "The job's id." }),
      after: t.arg.int({ description: 'The last seq seen, to resume without missing a state change.' }),
    },
    subscribe: (_r, a, ctx) => resolvers.jobProgress(ctx, String(a.id), a.after ?? undefined),
    resolve: (snapshot) => snapshot,
  }),
);
