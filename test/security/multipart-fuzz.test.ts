// Fuzz: generated GraphQL multipart bodies over real sockets against a gateway process, with a read key and a write key.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BarRow } from '../../src/lake/bars/types.js';
import { writeBarsParquet } from '../../src/lake/parquet/write.js';
import { rng } from './hostile.js';
import { fuzzCase, type FuzzFiles } from './multipart-fuzz-cases.js';
import {
  eventually,
  healthOn,
  httpRequests,
  sendRaw,
  spillFiles,
  startGateway,
  type Gateway,
  type RawOutcome,
} from './multipart-support.js';
import { API_KEYS, KEYS } from './support.js';

/** Bodies generated per run; each goes out twice (read key, write key), except a stall, which only the write key sends. */
const BODIES = 2000;
const SEED = 0x6d70_6675;
const TIMEOUT_MS = 1500;
/** Names of objects internal to the parser that must never reach a client. */
const INTERNAL =
  /StreamedFile|MultipartFile|UploadSlot|UploadSession|PassThrough|FileStream|Busboy|Dicer|\[object Object\]|\n\s+at /;

const DAY = 86_400_000;
const daily = (year: number, n: number): BarRow[] =>
  Array.from({ length: n }, (_, i) => ({
    time: Date.UTC(year, 0, 2) + i * DAY,
    open: 10,
    high: 12,
    low: 9,
    close: 11 + (i % 7),
    volume: 1000 + i,
  }));

describe('multipart fuzz', () => {
  let gw: Gateway;
  const files: FuzzFiles = {
    valid: [2016, 2018, 2020].map((year) => ({
      year,
      bytes: writeBarsParquet(daily(year, 20 + (year % 7) * 30), { resolution: 'DAILY' }),
    })),
  };

  beforeAll(async () => {
    gw = await startGateway({ LAKEQL_API_KEYS: API_KEYS, LAKEQL_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) });
  });
  afterAll(() => gw?.stop());

  it(`${BODIES} distinct bodies × (read key, write key): the process stays up, /health answers, no temp file remains, every answer is typed or correct`, async () => {
    const r = rng(SEED);
    const outcomes = new Map<string, number>();
    const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    const distinct = new Set<string>();
    let keepAliveChecked = 0;
    const failures: string[] = [];
    // Every HTTP request this test makes to the gateway, counted as it goes out; the start-up's own probes are in the base.
    let sentRequests = (await httpRequests(gw.url, KEYS.reader)).received;
    for (let n = 0; n < BODIES && failures.length < 5; n++) {
      const fuzz = fuzzCase(r, files, n, { allowStall: true });
      distinct.add(
        createHash('sha256')
          .update(fuzz.plan.headers['content-type'] ?? '')
          .update(fuzz.plan.body)
          .digest('hex'),
      );
      // Both keys' requests go out together (a read key is answered before its body is read, so it never spills);
      // a stall costs the request timeout and the read key gets none, so it is sent with the write key only.
      const keys = fuzz.plan.cut === 'stall' ? [KEYS.writer] : [KEYS.reader, KEYS.writer];
      const sent = await Promise.all(
        keys.map(async (key) => {
          const reader = key === KEYS.reader;
          // Pauses come from their own stream per request, so the bodies a seed generates do not depend on timing.
          const pauses = rng((SEED ^ Math.imul(n + 1, 0x9e37_79b1) ^ (reader ? 1 : 2)) >>> 0);
          const pauseMs = fuzz.plan.pauseMs ? () => Math.floor(pauses() * 12) : undefined;
          const plan = { ...fuzz.plan, pauseMs, headers: { ...fuzz.plan.headers, authorization: `Bearer ${key}` } };
          sentRequests++;
          const outcome = await sendRaw(gw.port, plan, TIMEOUT_MS * 3 + 5000);
          // The write key has no read scope: a query is refused, and that is its correct answer.
          const forbidden = reader || fuzz.needsRead === true;
          const problem = judge(outcome, { forbidden, expectData: fuzz.expectData, cut: plan.cut });
          count(`${reader ? 'read key' : 'write key'}: ${outcomeLabel(outcome)}`);
          if (
            outcome.kind === 'response' &&
            outcome.sentAll &&
            !problem &&
            n % 10 === 0 &&
            !/close/i.test(outcome.response.headers.connection ?? '')
          ) {
            sentRequests++;
            const health = await healthOn(outcome.socket);
            keepAliveChecked++;
            if (health !== 200) failures.push(`#${n} ${fuzz.label}: the connection was not reusable (${health})`);
          }
          if (outcome.kind === 'response') outcome.socket.destroy();
          if (problem) failures.push(`#${n} ${reader ? 'read' : 'write'} key, ${fuzz.label}: ${problem}`);
          return outcome;
        }),
      );
      if (gw.child.exitCode !== null || gw.child.signalCode !== null) {
        failures.push(`#${n} ${fuzz.label}: the gateway exited: ${gw.stderr().slice(-2000)}`);
        break;
      }
      // A spill is removed before its request's answer goes out, so one seen once every request here was answered
      // fails at once: the previous body's requests were all finished before this one was sent (below).
      const answered = sent.every((outcome) => outcome.kind === 'response');
      const atAnswer = answered ? await spillFiles(gw.spillDir) : [];
      if (atAnswer.length)
        failures.push(`#${n} ${fuzz.label}: temp files remain after the answer: ${atAnswer.join(', ')}`);
      // A client that left gets no answer: the gateway still has to notice, fail its request and remove its spill,
      // and under load it may not even have read that request yet. Once it has received every request sent so
      // far and has none in flight but the scrape, every request of this body is done; then nothing may remain.
      const settled = await eventually(
        () => {
          sentRequests++;
          return httpRequests(gw.url, KEYS.reader);
        },
        ({ inFlight, received }) => inFlight === 1 && received >= sentRequests,
        10_000,
      );
      if (settled.inFlight !== 1 || settled.received < sentRequests)
        failures.push(
          `#${n} ${fuzz.label}: after 10 s, ${settled.received} of ${sentRequests} requests received, ${settled.inFlight} in flight`,
        );
      const left = await spillFiles(gw.spillDir);
      sentRequests++;
      const health = await fetch(new URL('/health', gw.url)).then(
        (res) => res.status,
        (error: Error) => error.message,
      );
      if (health !== 200) failures.push(`#${n} ${fuzz.label}: /health answered ${health}`);
      if (left.length) failures.push(`#${n} ${fuzz.label}: temp files remain: ${left.join(', ')}`);
    }
    const table = [...outcomes]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `  ${String(v).padStart(5)}  ${k}`)
      .join('\n');
    const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
    console.log(
      `multipart fuzz (seed ${SEED}): ${BODIES} bodies (${distinct.size} distinct), ${total} requests, by outcome:\n${table}\n  keep-alive reuse checked on ${keepAliveChecked} connections`,
    );
    expect(failures).toEqual([]);
    expect(distinct.size).toBeGreaterThanOrEqual(2000);
    expect(total).toBeGreaterThanOrEqual(3900);
  }, 420_000);
});

/** Outcome label: status and error codes, or what happened to the connection. */
function outcomeLabel(outcome: RawOutcome): string {
  if (outcome.kind !== 'response') return outcome.kind === 'reset' ? `reset (${outcome.error})` : outcome.kind;
  let body: { data?: unknown; errors?: { extensions?: { code?: string } }[] } | undefined;
  try {
    body = JSON.parse(outcome.response.body);
  } catch {
    return `${outcome.response.status} (not JSON)`;
  }
  const codes = [...new Set(body?.errors?.map((e) => e.extensions?.code ?? 'no code') ?? [])];
  return `${outcome.response.status} ${codes.length ? codes.join('+') : 'data'}${codes.length && body?.data ? ' (partial data)' : ''}`;
}

/** Undefined when the answer is acceptable; otherwise what is wrong with it. */
function judge(
  outcome: RawOutcome,
  c: { forbidden: boolean; expectData?: unknown; cut?: 'abort' | 'stall' },
): string | undefined {
  if (c.cut === 'abort')
    return outcome.kind === 'closed' ? undefined : `expected the test to close the socket, got ${outcome.kind}`;
  if (outcome.kind !== 'response') return `no HTTP answer: ${outcomeLabel(outcome)}`;
  const { status, body } = outcome.response;
  if (INTERNAL.test(body)) return `the answer names an internal object: ${body.slice(0, 300)}`;
  if (status >= 500 && status !== 504) return `status ${status}: ${body.slice(0, 300)}`;
  let parsed: { data?: unknown; errors?: { message?: string; extensions?: { code?: string } }[] };
  try {
    parsed = JSON.parse(body);
  } catch {
    return `status ${status} with a body that is not JSON: ${body.slice(0, 200)}`;
  }
  if (c.forbidden)
    return status === 403 && parsed.errors?.[0]?.extensions?.code === 'FORBIDDEN'
      ? undefined
      : `expected 403 FORBIDDEN, got ${status}: ${body.slice(0, 300)}`;
  for (const error of parsed.errors ?? []) {
    const code = error.extensions?.code;
    if (!code || code === 'INTERNAL_SERVER_ERROR')
      return `an untyped or internal error: ${JSON.stringify(error).slice(0, 300)}`;
  }
  if (c.cut === 'stall') return undefined;
  if (c.expectData !== undefined) {
    if (JSON.stringify(parsed.data) !== JSON.stringify(c.expectData) || parsed.errors)
      return `a valid request got ${body.slice(0, 400)}`;
  } else if (!parsed.errors && parsed.data == null) return `neither data nor errors: ${body.slice(0, 200)}`;
  return undefined;
}
