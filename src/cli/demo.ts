// `lakeql demo [LAKE]`: writes the demo lake (daily and minute bars, fundamentals) into a directory or an s3:// location.
import cliProgress from 'cli-progress';
import { ensureDemoLake } from '../lake/demo/create-demo-lake.js';
import { openStore } from '../lake/store/open.js';
import type { Output } from './transfer.js';

export interface DemoArgs {
  /** A directory, file:// URL or s3://bucket/prefix (AWS settings from the environment). */
  lake: string;
  tickers?: string[];
  years?: number[];
}

export async function demo(args: DemoArgs, output: Output): Promise<number> {
  const opened = await openStore(args.lake);
  const where =
    opened.location.kind === 's3'
      ? `s3://${opened.location.bucket}/${opened.location.prefix}`
      : opened.location.directory;
  const bar = output.bar
    ? new cliProgress.SingleBar({
        stream: process.stderr,
        format: 'Writing the demo lake [{bar}] {percentage}% | {value}/{total} objects',
        hideCursor: true,
        fps: 10,
      })
    : undefined;
  let started = false;
  try {
    const report = await ensureDemoLake(opened.store, {
      tickers: args.tickers,
      years: args.years,
      onProgress: ({ done, total }) => {
        if (!bar) return;
        if (!started) bar.start(total, done);
        started = true;
        bar.update(done);
      },
    });
    if (started) bar?.stop();
    started = false;
    if (!report) {
      if (output.json) output.out(JSON.stringify({ lake: where, written: false }));
      else output.out(`${where} already holds data (a demo lake or a real one): nothing written`);
      return 0;
    }
    if (output.json) output.out(JSON.stringify({ lake: where, written: true, ...report }));
    else
      output.out(
        `wrote the demo lake to ${where}: ${report.objects} objects, ${(report.bytes / 1024 / 1024).toFixed(1)} MB in ${(report.ms / 1000).toFixed(1)}s`,
      );
    return 0;
  } finally {
    if (started) bar?.stop();
    opened.close();
  }
}
