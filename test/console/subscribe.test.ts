// The console's subscribe() (console/src/graphql.ts, graphql-sse underneath) on CRLF event streams, refusals and stop, run in Node against a scripted server.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { JobProgressSubscription as JobProgress } from '../../console/src/gql/graphql.js';
import { splitBytes, sseServer, type ScriptedAnswer, type SseServer } from '../support/sse-server.js';

type Console = typeof import('../../console/src/graphql.js');
type Documents = typeof import('../../console/src/documents.js');

/** The page's globals the module reads: where it was loaded from, the session's API key, and the build's document ids. */
const storage = new Map<string, string>();
const documentIds: Record<string, string> = {};
let page: { origin: string };
let graphql: Console;
let documents: Documents;

function job(seq: number, state: JobProgress['jobProgress']['state']): JobProgress['jobProgress'] {
  return {
    id: 'job-1',
    kind: 'UPLOAD',
    state,
    seq,
    description: `Zürich → ✓ ${seq}`,
    totalFiles: 1,
    doneFiles: 0,
    failedFiles: 0,
    skippedFiles: 0,
    totalBytes: 10,
    transferredBytes: seq,
    bytesPerSecond: 1,
    createdAt: '2026-12-04T00:00:00.000Z',
    finishedAt: null,
    message: null,
  };
}

const crlf = (...events: [string, unknown][]) =>
  events
    .map(([name, data]) => `event: ${name}\r\ndata:${data === undefined ? '' : ` ${JSON.stringify(data)}`}\r\n\r\n`)
    .join(':\r\n\r\n');

/** Subscribes to JobProgress against `answers`; resolves when onDone runs, with what arrived and the error it was given. */
async function run(
  answers: ScriptedAnswer[],
  stopAfter?: number,
): Promise<{ seen: number[]; error?: Error; doneCalls: number; server: SseServer }> {
  const server = await sseServer(answers);
  page.origin = new URL(server.url).origin;
  const seen: number[] = [];
  let doneCalls = 0;
  try {
    const error = await new Promise<Error | undefined>((resolve) => {
      const stop = graphql.subscribe(
        documents.JobProgressSubscription,
        { id: 'job-1', after: 1 },
        ({ jobProgress }) => {
          seen.push(jobProgress.seq);
          if (seen.length === stopAfter) stop();
        },
        (e) => {
          doneCalls++;
          resolve(e);
        },
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { seen, error, doneCalls, server };
  } finally {
    await server.close();
  }
}

describe('console subscriptions over graphql-sse', () => {
  beforeAll(async () => {
    page = { origin: 'http://127.0.0.1' };
    Object.assign(globalThis, {
      // The client resolves /graphql against the page's address at each subscribe: a getter points it at each test's server.
      location: {
        get href() {
          return `${page.origin}/`;
        },
      },
      __LAKEQL_DOCUMENT_IDS__: documentIds,
      sessionStorage: {
        getItem: (k: string) => storage.get(k) ?? null,
        setItem: (k: string, v: string) => storage.set(k, v),
        removeItem: (k: string) => storage.delete(k),
      },
    });
    graphql = await import('../../console/src/graphql.js');
    documents = await import('../../console/src/documents.js');
  });
  afterAll(() => {
    delete (globalThis as { location?: unknown }).location;
    delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
    delete (globalThis as { __LAKEQL_DOCUMENT_IDS__?: unknown }).__LAKEQL_DOCUMENT_IDS__;
  });

  it('reads a CRLF-delimited stream cut inside line endings and characters, then ends once, without an error', async () => {
    const text = crlf(
      ['next', { data: { jobProgress: job(2, 'RUNNING') } }],
      ['next', { data: { jobProgress: job(3, 'SUCCEEDED') } }],
      ['complete', undefined],
    );
    const length = new TextEncoder().encode(text).length;
    for (const borders of [[], Array.from({ length }, (_, i) => i), [15, 16, 17, 40, 41, 77, 78, 79]]) {
      const { seen, error, doneCalls } = await run([{ chunks: splitBytes(text, borders) }]);
      expect({ seen, error, doneCalls }).toEqual({ seen: [2, 3], error: undefined, doneCalls: 1 });
    }
  });

  it("sends the session's key and the document", async () => {
    graphql.apiKey.set('console-key-123');
    try {
      const { server } = await run([{ chunks: [crlf(['complete', undefined])] }]);
      expect(server.requests[0]!.headers).toMatchObject({
        authorization: 'Bearer console-key-123',
        accept: 'text/event-stream',
      });
      expect(JSON.parse(server.requests[0]!.body)).toMatchObject({
        query: documents.JobProgressSubscription.toString(),
        variables: { id: 'job-1', after: 1 },
      });
    } finally {
      graphql.apiKey.set('');
    }
  });

  it('stops on request: nothing more arrives, onDone runs once, the stream is closed', async () => {
    const { seen, error, doneCalls, server } = await run(
      [
        {
          chunks: [
            crlf(
              ['next', { data: { jobProgress: job(2, 'RUNNING') } }],
              ['next', { data: { jobProgress: job(3, 'RUNNING') } }],
            ),
          ],
          hold: true,
        },
      ],
      1,
    );
    expect({ seen, error, doneCalls }).toEqual({ seen: [2], error: undefined, doneCalls: 1 });
    await server.requests[0]!.closed;
  });

  it('ends with a typed error on a refusal, on GraphQL errors in the stream, and on a stream that broke', async () => {
    const refused = await run([
      { status: 403, headers: { 'content-type': 'application/json' }, chunks: ['{"errors":[{"message":"no"}]}'] },
    ]);
    expect(refused.error).toMatchObject({ code: 'HTTP', status: 403, message: 'no' });
    const opaque = await run([
      { status: 502, headers: { 'content-type': 'text/html' }, chunks: ['<h1>Bad gateway</h1>'] },
    ]);
    expect(opaque.error).toMatchObject({ code: 'HTTP', status: 502, message: 'subscription refused: HTTP 502' });
    const failed = await run([
      {
        chunks: [crlf(['next', { errors: [{ message: 'no job job-1', extensions: { code: 'NOT_FOUND' } }] }])],
        hold: true,
      },
    ]);
    expect(failed.error).toMatchObject({ code: 'NOT_FOUND', message: 'no job job-1' });
    const broken = await run([{ chunks: [crlf(['next', { data: { jobProgress: job(2, 'RUNNING') } }])] }]);
    expect(broken.seen).toEqual([2]);
    expect(broken.error).toBeInstanceOf(Error);
    for (const outcome of [refused, opaque, failed, broken]) expect(outcome.doneCalls).toBe(1);
  });

  it('sends the text once when the gateway does not know the id, as request() does', async () => {
    const text = documents.JobProgressSubscription.toString();
    documentIds[text] = 'id-of-another-build';
    const unknownId = {
      errors: [{ message: 'no persisted document has this id', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
    };
    try {
      for (const refusal of [
        { status: 404, headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify(unknownId)] },
        { chunks: [crlf(['next', unknownId], ['complete', undefined])] },
      ]) {
        const { seen, error, doneCalls, server } = await run([
          refusal,
          { chunks: [crlf(['next', { data: { jobProgress: job(2, 'RUNNING') } }], ['complete', undefined])] },
        ]);
        expect({ seen, error, doneCalls }).toEqual({ seen: [2], error: undefined, doneCalls: 1 });
        expect(server.requests.map((r) => JSON.parse(r.body))).toEqual([
          {
            query: '',
            variables: { id: 'job-1', after: 1 },
            extensions: { persistedQuery: { version: 1, sha256Hash: 'id-of-another-build' } },
          },
          { query: text, variables: { id: 'job-1', after: 1 } },
        ]);
      }
    } finally {
      delete documentIds[text];
    }
  });

  it('follows a job on a gateway that takes only trusted documents, naming the subscription by its hash', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lakeql-console-sse-'));
    const trusted: Record<string, string> = {};
    for (const document of [documents.CreateUploadJobMutation, documents.UploadJobProgressSubscription]) {
      const text = document.toString();
      trusted[createHash('sha256').update(text).digest('hex')] = text;
    }
    await writeFile(path.join(dir, 'trusted.json'), JSON.stringify(trusted));
    const app = await buildApp(
      loadConfig({
        LAKEQL_DEMO: 'never',
        LAKEQL_LAKE: dir,
        LAKEQL_PORT: '0',
        LAKEQL_RATE_LIMIT: 'off',
        LAKEQL_TRUSTED_DOCUMENTS: path.join(dir, 'trusted.json'),
      }),
    );
    try {
      page.origin = new URL(await app.start()).origin;
      for (const [id, text] of Object.entries(trusted)) documentIds[text] = id;
      // request() fetches the page-relative /graphql, which only a browser resolves: the job is registered by hand.
      const created = await fetch(`${page.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({
          documentId: documentIds[documents.CreateUploadJobMutation.toString()],
          variables: { symbol: 'AAPL', year: 2024, resolution: 'DAILY', contentLength: 1000 },
        }),
      });
      const answer = (await created.json()) as { data: { createUploadJob: { id: string } } };
      expect(answer, JSON.stringify(answer)).toHaveProperty('data.createUploadJob.id');
      const job = answer.data.createUploadJob;
      const first = await new Promise<unknown>((resolve, reject) => {
        const stop = graphql.subscribe(
          documents.UploadJobProgressSubscription,
          { id: job.id },
          ({ jobProgress }) => {
            stop();
            resolve(jobProgress);
          },
          (error) => error && reject(error),
        );
      });
      expect(first).toMatchObject({ id: job.id, state: 'QUEUED', seq: 1, totalBytes: 1000 });
    } finally {
      for (const text of Object.values(trusted)) delete documentIds[text];
      await app.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
