// Job progress over GraphQL: SSE and graphql-ws on one port and path, snapshot → updates → final, late and resuming subscribers.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import type { PutBody, PutOptions, PutResult } from '../../src/lake/store/types.js';
import { gql } from '../support/graphql.js';
import { tempDir, writeSourceTree } from '../jobs/support.js';

/** Each put takes a few ms, so a job lasts long enough to be watched. */
class SlowPuts extends CountingStore {
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    await new Promise((r) => setTimeout(r, 8));
    return super.put(key, body, options);
  }
}

interface Seen {
  seq: number;
  state: string;
  transferredBytes: number;
  totalBytes: number;
  doneFiles: number;
}
const FIELDS = 'seq state transferredBytes totalBytes doneFiles';
const SUBSCRIPTION = `subscription($id: ID!, $after: Int) { jobProgress(id: $id, after: $after) { ${FIELDS} } }`;

describe('job progress subscriptions', () => {
  let app: App;
  let url: string;
  let lake: string;

  beforeAll(async () => {
    lake = await tempDir('progress-lake');
    const uploadRoot = await tempDir('progress-upload');
    await writeSourceTree(uploadRoot, 'data/ticks/daily', 400);
    app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_PORT: '0', LAKEQL_UPLOAD_ROOT: uploadRoot }), {
      store: new SlowPuts(new LocalStore(lake)),
      location: { kind: 'local', directory: lake },
      log: () => {},
    });
    url = await app.start();
  });
  afterAll(() => app.stop());

  const start = async (concurrency = 4) => {
    const result = await gql(
      app,
      `mutation { startBackfill(source: "data/ticks/daily", concurrency: ${concurrency}, validate: false) { id state seq } }`,
    );
    expect(result.errors).toBeUndefined();
    return result.data.startBackfill as { id: string; state: string; seq: number };
  };

  const viaSse = async (id: string, after?: number): Promise<Seen[]> => {
    const client = createSseClient({ url, fetchFn: fetch, singleConnection: false });
    const seen: Seen[] = [];
    try {
      for await (const result of client.iterate({ query: SUBSCRIPTION, variables: { id, after } })) {
        if (result.errors) throw new Error(JSON.stringify(result.errors));
        seen.push((result.data as { jobProgress: Seen }).jobProgress);
      }
    } finally {
      client.dispose();
    }
    return seen;
  };

  const viaWs = async (id: string, after?: number): Promise<Seen[]> => {
    const client = createWsClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    const seen: Seen[] = [];
    try {
      for await (const result of client.iterate({ query: SUBSCRIPTION, variables: { id, after } })) {
        if (result.errors) throw new Error(JSON.stringify(result.errors));
        seen.push((result.data as { jobProgress: Seen }).jobProgress);
      }
    } catch (error) {
      // graphql-ws rejects with the operation's GraphQL errors (an array), not an Error.
      throw error instanceof Error ? error : new Error(JSON.stringify(error));
    } finally {
      await client.dispose();
    }
    return seen;
  };

  const checkStream = (seen: Seen[], label: string) => {
    expect(seen.length, label).toBeGreaterThan(3);
    expect(['QUEUED', 'RUNNING']).toContain(seen[0].state);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i].seq, label).toBeGreaterThan(seen[i - 1].seq);
      expect(seen[i].transferredBytes, label).toBeGreaterThanOrEqual(seen[i - 1].transferredBytes);
    }
    const final = seen.at(-1)!;
    expect(final.state, label).toBe('SUCCEEDED');
    expect(final.transferredBytes).toBe(final.totalBytes);
    expect(final.doneFiles).toBe(400);
    expect(
      seen.filter((s) => s.state === 'RUNNING' && s.transferredBytes > 0 && s.transferredBytes < final.totalBytes)
        .length,
      label,
    ).toBeGreaterThanOrEqual(2);
  };

  it('an SSE client and a graphql-ws client on the same path each get the snapshot, then updates, then the final state', async () => {
    const job = await start();
    const began = Date.now();
    const [sse, ws] = await Promise.all([viaSse(job.id), viaWs(job.id)]);
    const seconds = (Date.now() - began) / 1000;
    checkStream(sse, 'SSE');
    checkStream(ws, 'graphql-ws');
    // Throttled to about 10 snapshots a second per job (state changes come on top).
    expect(ws.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 5);
    expect(sse.at(-1)).toEqual(ws.at(-1));

    const queried = await gql(
      app,
      `query($id: ID!) { job(id: $id) { ${FIELDS} kind failedFiles errors { path } } jobs(state: SUCCEEDED) { id } }`,
      { id: job.id },
    );
    expect(queried.data.job).toEqual({ ...ws.at(-1), kind: 'BACKFILL', failedFiles: 0, errors: [] });
    expect(queried.data.jobs.map((j: { id: string }) => j.id)).toContain(job.id);
  });

  it('a late subscriber gets the current snapshot first; one that resumes from a sequence number misses no state change', async () => {
    const job = await start(8);
    // Join while it runs: the first message is the current snapshot, whatever the job has done already.
    await new Promise((r) => setTimeout(r, 250));
    const current = (await gql(app, `query($id: ID!) { job(id: $id) { ${FIELDS} } }`, { id: job.id })).data.job as Seen;
    const late = await viaWs(job.id);
    expect(late[0].seq).toBeGreaterThanOrEqual(current.seq);
    expect(late[0].state).toBe('RUNNING');
    expect(late.at(-1)!.state).toBe('SUCCEEDED');

    const afterwards = await viaSse(job.id);
    expect(afterwards).toEqual([late.at(-1)]);
    // Last saw seq 1 (QUEUED): it is told of RUNNING and then SUCCEEDED.
    const resumed = await viaWs(job.id, 1);
    expect(resumed.map((s) => s.state)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(resumed.at(-1)).toEqual(late.at(-1));
    expect(await viaSse(job.id, late.at(-1)!.seq)).toEqual([]);
  });

  it('cancelJob stops a running job and its subscribers end with CANCELLED; unknown jobs are typed errors', async () => {
    const job = await start(1);
    const watching = viaSse(job.id);
    await new Promise((r) => setTimeout(r, 150));
    const cancelled = await gql(app, `mutation($id: ID!) { cancelJob(id: $id) { state doneFiles totalFiles } }`, {
      id: job.id,
    });
    expect(cancelled.data.cancelJob.state).toBe('CANCELLED');
    expect(cancelled.data.cancelJob.doneFiles).toBeLessThan(400);
    expect((await watching).at(-1)!.state).toBe('CANCELLED');

    const unknown = await gql(app, 'mutation { cancelJob(id: "nope") { state } }');
    expect(unknown.errors![0].extensions!.code).toBe('NOT_FOUND');
    expect((await gql(app, '{ job(id: "nope") { id } }')).data.job).toBeNull();
    await expect(viaWs('nope')).rejects.toThrow(/NOT_FOUND|no job/);
  });

  it('refuses a source outside the upload root, symbolic links included, as a typed error', async () => {
    const result = await gql(app, 'mutation { a: startBackfill(source: "../") { id } }');
    expect(result.errors![0].extensions!.code).toBe('FORBIDDEN');
    const escaped = await gql(app, `mutation { startBackfill(source: "${path.resolve('/etc')}") { id } }`);
    expect(escaped.errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});
