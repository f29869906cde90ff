// The CLI's subscriptions over graphql-sse: CRLF, CR and LF event streams cut at any byte, keep-alive comments, broken and refused streams, and stopping early.
import { describe, expect, it } from 'vitest';
import { GatewayClient, GatewayError } from '../../src/cli/client.js';
import { FollowDocument, type FollowSubscription } from '../../src/cli/gql/graphql.js';
import { splitBytes, sseServer, type ScriptedAnswer } from '../support/sse-server.js';

const API_KEY = 'sse-test-key';

/** A job snapshot as the gateway sends it; the description is not ASCII, so a cut can land inside a character. */
function job(seq: number, state: string): FollowSubscription['jobProgress'] {
  return {
    id: 'job-1',
    kind: 'BACKFILL',
    state: state as FollowSubscription['jobProgress']['state'],
    seq,
    description: `Zürich → ✓ 日本 ${seq}`,
    dryRun: false,
    totalFiles: 2,
    doneFiles: seq - 1,
    failedFiles: 0,
    skippedFiles: 0,
    totalBytes: 10,
    transferredBytes: 5 * (seq - 1),
    bytesPerSecond: 1,
    createdAt: '2026-12-04T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    message: null,
    errors: [],
  };
}

/** What Yoga writes, with `eol` as the line ending: a keep-alive comment, two results and the end. */
function stream(eol: string, snapshots = [job(2, 'RUNNING'), job(3, 'SUCCEEDED')]): string {
  const event = (name: string, data: string) => `event: ${name}${eol}data:${data ? ` ${data}` : ''}${eol}${eol}`;
  return `:${eol}${eol}${snapshots.map((s) => event('next', JSON.stringify({ data: { jobProgress: s } }))).join(`:${eol}${eol}`)}${event('complete', '')}`;
}

/** Deterministic pseudo-random cut points (mulberry32), so a failing case can be replayed. */
function cuts(seed: number, length: number, count: number): number[] {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Math.floor(next() * length));
}

async function follow(
  answers: ScriptedAnswer[],
  options: { signal?: AbortSignal; stopAt?: number; apiKey?: string } = {},
) {
  const server = await sseServer(answers);
  const client = new GatewayClient({ url: server.url, apiKey: options.apiKey ?? API_KEY });
  const seen: FollowSubscription['jobProgress'][] = [];
  try {
    const completed = await client
      .subscribe(
        FollowDocument,
        { id: 'job-1', after: 1 },
        ({ jobProgress }) => {
          seen.push(jobProgress);
          return jobProgress.seq === options.stopAt;
        },
        options.signal,
      )
      .catch((error: unknown) => error);
    return { completed, seen, requests: server.requests };
  } finally {
    await server.close();
  }
}

describe('CLI subscriptions over graphql-sse', () => {
  for (const [name, eol] of [
    ['CRLF', '\r\n'],
    ['CR', '\r'],
    ['LF', '\n'],
  ] as const) {
    it(`reads a ${name}-delimited event stream, whatever the chunk borders`, async () => {
      const text = stream(eol);
      const length = new TextEncoder().encode(text).length;
      // Every border inside the first line endings, then random cuts (inside "\r\n" pairs and multi-byte characters too).
      for (const borders of [
        [],
        [1, 2, 3, 4, 5],
        ...Array.from({ length: 12 }, (_, i) => cuts(i + 1, length, 1 + (i % 6) * 4)),
      ]) {
        const { completed, seen } = await follow([{ chunks: splitBytes(text, borders) }]);
        expect(completed, `borders ${borders.join(',')}`).toBe(true);
        expect(seen, `borders ${borders.join(',')}`).toEqual([job(2, 'RUNNING'), job(3, 'SUCCEEDED')]);
      }
    });
  }

  it('sends the operation as graphql-sse does: a POST for an event stream, with the key', async () => {
    const { requests } = await follow([{ chunks: [stream('\r\n')] }]);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.method).toBe('POST');
    expect(requests[0]!.headers.accept).toBe('text/event-stream');
    expect(requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(JSON.parse(requests[0]!.body)).toEqual({
      query: FollowDocument.toString(),
      variables: { id: 'job-1', after: 1 },
    });
  });

  it('stops reading when the caller has what it wants, and closes the stream', async () => {
    const { completed, seen, requests } = await follow(
      [{ chunks: [stream('\r\n', [job(2, 'RUNNING'), job(3, 'RUNNING')])], hold: true }],
      { stopAt: 2 },
    );
    expect(completed).toBe(true);
    expect(seen.map((s) => s.seq)).toEqual([2]);
    await requests[0]!.closed;
  });

  it('resolves false and closes the stream when the signal aborts', async () => {
    const controller = new AbortController();
    const server = await sseServer([{ chunks: [`:\r\n\r\n`], hold: true }]);
    try {
      const client = new GatewayClient({ url: server.url });
      const pending = client.subscribe(FollowDocument, { id: 'job-1' }, () => false, controller.signal);
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.abort();
      expect(await pending).toBe(false);
      await server.requests[0]!.closed;
    } finally {
      await server.close();
    }
  });

  it('says a stream that broke before the end is UNREACHABLE, so the caller resumes', async () => {
    const text = stream('\r\n');
    const { completed, seen } = await follow([{ chunks: [text.slice(0, text.indexOf('event: complete'))] }]);
    expect(completed).toBeInstanceOf(GatewayError);
    expect(completed).toMatchObject({ code: 'UNREACHABLE' });
    expect(seen.map((s) => s.seq)).toEqual([2, 3]);
  });

  it('turns GraphQL errors in the stream, refusals and wrong keys into typed errors', async () => {
    const errors = { errors: [{ message: 'no job job-1', extensions: { code: 'NOT_FOUND' } }] };
    const inStream = await follow([
      { chunks: [`event: next\r\ndata: ${JSON.stringify(errors)}\r\n\r\nevent: complete\r\ndata:\r\n\r\n`] },
    ]);
    expect(inStream.completed).toMatchObject({ name: 'GatewayError', code: 'NOT_FOUND', message: 'no job job-1' });
    const refused = await follow([
      {
        status: 400,
        headers: { 'content-type': 'application/json' },
        chunks: [JSON.stringify({ errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT' } }] })],
      },
    ]);
    expect(refused.completed).toMatchObject({ code: 'BAD_USER_INPUT', status: 400 });
    const opaque = await follow([
      { status: 502, headers: { 'content-type': 'text/html' }, chunks: ['<h1>Bad gateway</h1>'] },
    ]);
    expect(opaque.completed).toMatchObject({ code: 'PROTOCOL', status: 502 });
    const unauthenticated = await follow([
      { status: 401, headers: { 'content-type': 'application/json' }, chunks: ['{}'] },
    ]);
    expect(unauthenticated.completed).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    // Each was asked once: graphql-sse's own retries are off, the CLI decides what to retry.
    for (const outcome of [inStream, refused, opaque, unauthenticated]) expect(outcome.requests).toHaveLength(1);
  });

  it('rejects what is not a GraphQL event stream with PROTOCOL, without hanging', async () => {
    for (const garbage of [
      'event: surprise\r\ndata: {}\r\n\r\n',
      'event: next\r\ndata: {not json\r\n\r\n',
      'data: {"data":{}}\r\n\r\n',
    ]) {
      const { completed } = await follow([{ chunks: [garbage] }]);
      expect(completed, garbage).toMatchObject({ code: 'PROTOCOL' });
    }
  });

  it('says UNREACHABLE, with the hint, when nothing listens', async () => {
    const server = await sseServer([{ chunks: [] }]);
    await server.close();
    const client = new GatewayClient({ url: server.url });
    const error = await client.subscribe(FollowDocument, { id: 'job-1' }, () => false).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNREACHABLE' });
    expect((error as Error).message).toContain('lakeql serve');
  });
});
