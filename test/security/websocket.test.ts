// graphql-ws with auth on, over real sockets: credentials checked before the ack, capped payloads, an init deadline, a per-key connection cap, and queries and mutations with HTTP's scopes.
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { objectBytes } from '../jobs/support.js';
import { API_KEYS, KEYS, lakeApp, type LakeApp } from './support.js';

interface Outcome {
  code: number;
  messages: { type: string }[];
}

/** A raw graphql-transport-ws socket: sends `init` (or nothing), then reports the close code and every message received. */
function rawSocket(
  url: string,
  init: string | null,
  options: { headers?: Record<string, string>; waitMs?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { headers: options.headers });
    const messages: { type: string }[] = [];
    socket.on('open', () => {
      if (init !== null) socket.send(init);
    });
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    socket.on('close', (code) => resolve({ code, messages }));
    socket.on('error', reject);
    // Still open after the wait: report it as open (code 0) and close it ourselves.
    setTimeout(() => {
      if (socket.readyState === WebSocket.OPEN) {
        resolve({ code: 0, messages });
        socket.close();
      }
    }, options.waitMs ?? 8000);
  });
}

describe('graphql-ws with API keys', () => {
  let lake: LakeApp;
  let ws: string;
  const logged: string[] = [];
  beforeAll(async () => {
    lake = await lakeApp(
      { LAKEQL_API_KEYS: API_KEYS, LAKEQL_PORT: '0', LAKEQL_MAX_BODY_BYTES: '65536', LAKEQL_MAX_WS_CONNECTIONS: '3' },
      { log: (message) => logged.push(message) },
    );
    ws = (await lake.app.start()).replace(/^http/, 'ws');
  });
  afterAll(async () => {
    await lake.app.stop();
    await lake.close();
  });

  const init = (payload?: Record<string, unknown>) =>
    JSON.stringify({ type: 'connection_init', ...(payload ? { payload } : {}) });

  it('closes 4401 without credentials and 4403 with wrong ones, before any ack', async () => {
    for (const payload of [undefined, {}, { authorization: '' }]) {
      const outcome = await rawSocket(ws, init(payload));
      expect(outcome.code, JSON.stringify(payload)).toBe(4401);
      expect(outcome.messages).toEqual([]);
    }
    for (const payload of [
      { apiKey: 'not-a-key-not-a-key' },
      { authorization: 'Bearer nope-nope-nope-nope' },
      { 'x-api-key': `${KEYS.reader}x` },
    ]) {
      const outcome = await rawSocket(ws, init(payload));
      expect(outcome.code, JSON.stringify(payload)).toBe(4403);
      expect(outcome.messages).toEqual([]);
    }
    // As HTTP takes them: a bearer token or x-api-key, in connectionParams or on the upgrade request.
    for (const [payload, headers] of [
      [{ authorization: `Bearer ${KEYS.reader}` }, {}],
      [{ 'x-api-key': KEYS.reader }, {}],
      [undefined, { authorization: `Bearer ${KEYS.reader}` }],
      [undefined, { 'x-api-key': KEYS.reader }],
    ] as const) {
      const outcome = await rawSocket(ws, init(payload), { headers, waitMs: 500 });
      expect(
        outcome.messages.map((m) => m.type),
        JSON.stringify([payload, headers]),
      ).toEqual(['connection_ack']);
    }
  });

  it('closes a socket whose connection_init does not come within 3 s (4408)', async () => {
    const outcome = await rawSocket(ws, null);
    expect(outcome.code).toBe(4408);
  });

  it("caps messages at LAKEQL_MAX_BODY_BYTES (1009, message too big), reported as the client's mistake, not a fault with a stack", async () => {
    const stderr = vi.spyOn(console, 'error');
    try {
      const outcome = await rawSocket(ws, init({ apiKey: KEYS.reader, padding: 'x'.repeat(70_000) }));
      expect(outcome.code).toBe(1009);
      expect(outcome.messages).toEqual([]);
      expect(stderr).not.toHaveBeenCalled();
      expect(logged.filter((line) => /broke the protocol: Max payload size exceeded/.test(line))).toHaveLength(1);
    } finally {
      stderr.mockRestore();
    }
  });

  it('caps open connections per key (LAKEQL_MAX_WS_CONNECTIONS) and frees a slot when one closes', async () => {
    const sockets: WebSocket[] = [];
    const acked = (socket: WebSocket) =>
      new Promise<void>((resolve, reject) => {
        socket.on('message', (data) => (JSON.parse(String(data)).type === 'connection_ack' ? resolve() : undefined));
        socket.on('close', (code) => reject(new Error(`closed ${code}`)));
      });
    for (let i = 0; i < 3; i++) {
      const socket = new WebSocket(ws, 'graphql-transport-ws');
      sockets.push(socket);
      const ready = acked(socket);
      socket.on('open', () => socket.send(init({ apiKey: KEYS.both })));
      await ready;
    }
    expect((await rawSocket(ws, init({ apiKey: KEYS.both }))).code).toBe(4429);
    // Another key has its own allowance.
    expect((await rawSocket(ws, init({ apiKey: KEYS.reader }), { waitMs: 500 })).messages.map((m) => m.type)).toEqual([
      'connection_ack',
    ]);
    const closed = new Promise((resolve) => sockets[0].on('close', resolve));
    sockets[0].close();
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await rawSocket(ws, init({ apiKey: KEYS.both }), { waitMs: 500 })).messages.map((m) => m.type)).toEqual([
      'connection_ack',
    ]);
    for (const socket of sockets.slice(1)) socket.close();
  });

  /** One operation through the graphql-ws client; resolves with the first result or the errors sent. */
  async function operation(apiKey: string, query: string, variables?: Record<string, unknown>): Promise<any> {
    const client = createClient({
      url: ws,
      webSocketImpl: WebSocket,
      connectionParams: { apiKey },
      retryAttempts: 0,
      lazy: true,
    });
    try {
      return await new Promise((resolve, reject) => {
        const stop = client.subscribe(
          { query, variables },
          {
            next: (value) => {
              resolve(value);
              stop();
            },
            error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
            complete: () => resolve({ completed: true }),
          },
        );
      });
    } finally {
      await client.dispose();
    }
  }

  it('runs queries and mutations over graphql-ws with the same scopes as HTTP', async () => {
    expect((await operation(KEYS.reader, '{ lake { kind } }')).data.lake.kind).toBe('LOCAL');
    const PUT = 'mutation($d: JSON!) { putFundamentals(symbol: "WSX", year: 2024, quarter: 1, data: $d) { key size } }';
    const written = await operation(KEYS.writer, PUT, { d: { revenue: 1 } });
    expect(written.errors).toBeUndefined();
    expect(written.data.putFundamentals.key).toBe('data/fundamental/WSX/2024/Q1.json');
    expect((await objectBytes(lake.store, 'data/fundamental/WSX/2024/Q1.json')).toString()).toMatch(/"revenue": 1/);
    // A read key may not mutate, over graphql-ws as over HTTP; a write key may not query the lake.
    expect((await operation(KEYS.reader, PUT, { d: { revenue: 2 } })).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await operation(KEYS.writer, '{ lake { kind } }')).errors[0].extensions.code).toBe('FORBIDDEN');
  });
});
