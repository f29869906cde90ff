// bench/backfill's lakeql side, run as its own process: one backfill job through the production engine, timed from inside.
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/lake/store/open.js';
import { backfillJob } from '../src/lake/uploads/backfill.js';
import { createTransferServices } from '../src/services/transfers.js';

// argv: <upload root> <source below it> <bucket> <concurrency>
const [root, source, bucket, concurrency = '20'] = process.argv.slice(2);
const config = loadConfig({ ...process.env, LAKEQL_LAKE: `s3://${bucket}`, LAKEQL_UPLOAD_ROOT: root });
const opened = await openStore(config.lake);
const transfers = createTransferServices(opened.store, config.transfers);

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const started = await transfers.jobs.start(await backfillJob(transfers.engine, { source, prefix: source, concurrency: Number(concurrency), validate: false }));
const final = await transfers.jobs.wait(started.id);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
opened.close();
process.stdout.write(`${JSON.stringify({
  wallMs, cpuMs: (cpu.user + cpu.system) / 1000, state: final?.state, doneFiles: final?.doneFiles, failedFiles: final?.failedFiles,
  transferredBytes: final?.transferredBytes, errors: final?.errors.slice(0, 3),
})}\n`);
process.exit(final?.state === 'SUCCEEDED' ? 0 : 1);
