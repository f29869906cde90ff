// Worker thread that decodes Parquet with parquet-wasm: a wasm panic on a corrupt page kills this thread, never the server.
import { parentPort } from 'node:worker_threads';
import { tableFromIPC } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { decodeBars } from './decode-arrow.js';
import type { DecodeJob, DecodeReply } from './decode-pool.js';
import { SegmentBlob } from './segment-blob.js';

/** Rows per decoded batch: large, so a file arrives in few Arrow batches (each costs a copy and a loop restart). */
const BATCH_SIZE = 1 << 17;

parentPort!.on('message', (job: DecodeJob) => {
  void run(job).then(
    (reply) => {
      const transfer = reply.ok ? [reply.bars.time.buffer, ...Object.values(reply.bars.values).map((v) => v!.buffer)] : [];
      parentPort!.postMessage(reply, transfer as ArrayBuffer[]);
    },
  );
});

async function run(job: DecodeJob): Promise<DecodeReply> {
  const blob = new SegmentBlob(job.size, job.segments);
  let file: pw.ParquetFile | undefined;
  try {
    // fromFile only calls size/slice/arrayBuffer, so the look-alike stands in for a Blob.
    file = await pw.ParquetFile.fromFile(blob as unknown as Blob);
    const columns = [job.names.time, ...Object.values(job.names.values)].filter((c, i, all) => all.indexOf(c) === i);
    const table = await file.read({ columns, rowGroups: job.rowGroups, batchSize: BATCH_SIZE });
    const arrow = tableFromIPC(table.intoIPCStream());
    return { id: job.id, ok: true, bars: decodeBars(arrow, job.names) };
  } catch (error) {
    if (blob.missing) return { id: job.id, ok: false, missing: { start: blob.missing.start, end: blob.missing.end }, message: blob.missing.message };
    return { id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  } finally {
    file?.free();
  }
}
