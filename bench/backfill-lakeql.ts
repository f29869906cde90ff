// bench/backfill's lakeql side, run as its own process: one backfill job through the production engine, timed from inside.
import { loadConfig } from '../src/config.js';
import { JobJournal } from '../src/lake/jobs/journal.js';
import { openStore } from '../src/lake/store/open.js';
import { backfillJob } from '../src/lake/uploads/backfill.js';
import { createTransferServices } from '../src/services/transfers.js';

// argv: <upload root> <source below it> <bucket> <concurrency> [state directory: journal the job, resume it if one is there]
const [root, source, bucket, concurrency = '20', stateDir] = process.argv.slice(2);
const config = loadConfig({ ...process.env, LAKEQL_LAKE: `s3://${bucket}`, LAKEQL_UPLOAD_ROOT: root });
let sentBytes = 0;
const opened = await openStore(config.lake, {
  s3: {
    onRequest: (e) => {
      sentBytes += e.requestBytes ?? 0;
    },
  },
});
const journal = stateDir ? await JobJournal.open(stateDir) : undefined;
const transfers = createTransferServices(opened.store, config.transfers, { journal });

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const resumed = await transfers.resumeJournaled();
const id =
  resumed.resumed > 0
    ? (await transfers.jobs.list())[0].id
    : (
        await transfers.jobs.start(
          await backfillJob(transfers.engine, {
            source,
            prefix: source,
            concurrency: Number(concurrency),
            validate: false,
          }),
        )
      ).id;
// With a journal, the parent may kill -9 this process mid-way: it reads progress and bytes sent from these lines.
const ticker = stateDir
  ? setInterval(
      () =>
        void transfers.jobs
          .get(id)
          .then((s) => process.stdout.write(`${JSON.stringify({ progress: s?.transferredBytes, sentBytes })}\n`)),
      50,
    )
  : undefined;
const final = await transfers.jobs.wait(id);
clearInterval(ticker);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await journal?.close();
opened.close();
process.stdout.write(
  `${JSON.stringify({
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    state: final?.state,
    doneFiles: final?.doneFiles,
    failedFiles: final?.failedFiles,
    transferredBytes: final?.transferredBytes,
    sentBytes,
    resumed: resumed.resumed > 0,
    errors: final?.errors.slice(0, 3),
  })}\n`,
);
process.exit(final?.state === 'SUCCEEDED' ? 0 : 1);
