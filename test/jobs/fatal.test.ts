// A failure no file can escape (access denied mid-job) stops the whole job at once: no retries, no attempt at every file.
import { describe, expect, it } from 'vitest';
import { PermissionDeniedError } from '../../src/lake/errors.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import type { PutBody, PutOptions, PutResult } from '../../src/lake/store/types.js';
import { backfillJob } from '../../src/lake/uploads/backfill.js';
import { harness, tempDir, writeSourceTree } from './support.js';

/** Lists fine (the pre-flight passes), then refuses every write the way S3 translates AccessDenied. */
class DenyingStore extends CountingStore {
  puts = 0;

  override async put(key: string, _body: PutBody, _options?: PutOptions): Promise<PutResult> {
    this.puts++;
    await new Promise((r) => setTimeout(r, 2));
    throw new PermissionDeniedError(`S3 PutObject "${key}": AccessDenied (HTTP 403): access denied`, {
      key,
      store: 's3',
      backendCode: 'AccessDenied',
    });
  }
}

describe('job-fatal errors', () => {
  it('access denied on the first writes fails the job with AccessDenied after at most one request per file in flight', async () => {
    const root = await tempDir('fatal');
    await writeSourceTree(root, 'data', 200);
    const store = new DenyingStore(new LocalStore(await tempDir('fatal-lake')));
    const h = harness(store, { uploadRoot: root, concurrency: 4, attempts: 5 });
    const final = (await h.jobs.wait(
      (
        await h.jobs.start(await backfillJob(h.engine, { source: 'data', concurrency: 4 }))
      ).id,
    ))!;
    expect(final.state).toBe('FAILED');
    expect(final.message).toMatch(/AccessDenied/);
    expect(final.errors[0]).toMatchObject({ code: 'PERMISSION_DENIED', backendCode: 'AccessDenied', attempts: 1 });
    expect(final.doneFiles).toBe(0);
    expect(store.puts).toBeLessThanOrEqual(4);
  });
});
