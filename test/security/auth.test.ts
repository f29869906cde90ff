// Auth end to end: API keys and JWTs over HTTP, scopes per operation type and root field, HTTP routes, graphql-ws params, no key in logs.
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { getOperationAST } from 'graphql';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UrlSigner } from '../../src/lake/url-signer.js';
import { createLogger } from '../../src/log.js';
import { API_KEYS, bearer, jobSchemaYoga, KEYS, lakeApp, send, type LakeApp } from './support.js';

describe('API keys over HTTP on the real app', () => {
  let lake: LakeApp;
  const logged: string[] = [];
  const consoleSpies = (['log', 'error', 'warn', 'info', 'debug'] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' '))),
  );

  beforeAll(async () => {
    // Every log line, debug included, is kept to be searched for keys.
    const destination = new Writable({
      write(chunk, _encoding, done) {
        logged.push(String(chunk));
        done();
      },
    });
    lake = await lakeApp(
      { LAKEQL_API_KEYS: API_KEYS, LAKEQL_URL_SECRET: 'files-secret' },
      { logger: createLogger({ level: 'trace', destination }) },
    );
  });
  afterAll(async () => {
    consoleSpies.forEach((s) => s.mockRestore());
    await lake.close();
  });

  const query = '{ symbols(first: 2) { edges { node { ticker } } } }';

  it('turns away a request without credentials with 401 UNAUTHENTICATED before touching the store', async () => {
    lake.store.reset();
    const r = await send(lake.app.yoga, query);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(r.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(lake.store.total()).toBe(0);
  });

  it.each([
    ['an unknown key', { authorization: 'Bearer nOtAkEy-0123456789abcdef' }],
    ['a key one character short of a real one', { 'x-api-key': KEYS.reader.slice(0, -1) }],
    ['a key with one character more', { 'x-api-key': `${KEYS.reader}x` }],
    ['another scheme', { authorization: `Basic ${Buffer.from(`u:${KEYS.reader}`).toString('base64')}` }],
    ['two credentials at once', { authorization: `Bearer ${KEYS.reader}`, 'x-api-key': KEYS.both }],
    ['a JWT-shaped token when no JWT verification is configured', { authorization: 'Bearer aaa.bbb.ccc' }],
  ])('rejects %s with 401', async (_name, headers) => {
    lake.store.reset();
    const r = await send(lake.app.yoga, query, { headers });
    expect(r.status).toBe(401);
    expect(r.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(lake.store.total()).toBe(0);
  });

  it('answers a read key sent as Bearer or as X-API-Key', async () => {
    for (const headers of [
      bearer(KEYS.reader),
      { 'x-api-key': KEYS.reader },
      { authorization: `bearer  ${KEYS.both} ` },
    ]) {
      const r = await send(lake.app.yoga, query, { headers });
      expect(r.status).toBe(200);
      expect(r.body.data.symbols.edges).toHaveLength(2);
    }
  });

  it('refuses a query to a write-only key with 403 FORBIDDEN and no store request', async () => {
    lake.store.reset();
    const r = await send(lake.app.yoga, query, { headers: bearer(KEYS.writer) });
    expect(r.status).toBe(403);
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['read'] });
    expect(lake.store.total()).toBe(0);
  });

  it('leaves /health, /ready and the GraphiQL page open, with a header template for the key', async () => {
    expect((await lake.app.yoga.fetch('http://lakeql.test/health')).status).toBe(200);
    expect((await lake.app.yoga.fetch('http://lakeql.test/ready')).status).toBe(200);
    const page = await lake.app.yoga.fetch('http://lakeql.test/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    // The template sits in the page's JSON options, where "<" is written \u003c.
    expect(html).toMatch(/Bearer (<|\\u003c)your API key or JWT>/);
    for (const key of Object.values(KEYS)) expect(html).not.toContain(key);
  });

  it('lets a signed /files URL carry its own authorization, like an S3 presigned URL', async () => {
    const key = 'data/ticks/daily/S001/2023/ticks.parquet';
    const url = new UrlSigner('files-secret').sign('http://lakeql.test', key, 60);
    const ok = await lake.app.yoga.fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('S001 2023');
    // Without a valid signature a key does not help: the route only serves what lakeql signed.
    expect((await lake.app.yoga.fetch(`http://lakeql.test/files/${key}`, { headers: bearer(KEYS.both) })).status).toBe(
      403,
    );
    // One hex digit changed (to another digit, whatever it was).
    expect(
      (await lake.app.yoga.fetch(url.replace(/signature=(\w)/, (_, c: string) => `signature=${c === '0' ? '1' : '0'}`)))
        .status,
    ).toBe(403);
  });

  it('needs read on /v1/bars, for one symbol and for many', async () => {
    for (const bars of [
      'http://lakeql.test/v1/bars/S001?from=2023-01-01&to=2023-12-31',
      'http://lakeql.test/v1/bars?symbols=S001,S002&from=2023-01-01&to=2023-12-31',
    ]) {
      expect((await lake.app.yoga.fetch(bars)).status).toBe(401);
      expect((await lake.app.yoga.fetch(bars, { headers: { 'x-api-key': KEYS.writer } })).status).toBe(403);
      expect([401, 403]).not.toContain(
        (await lake.app.yoga.fetch(bars, { headers: { 'x-api-key': KEYS.reader } })).status,
      );
    }
  });

  it('never writes a key to the log, whatever fails', async () => {
    await send(lake.app.yoga, '{ symbol(ticker: "../x") { ticker } }', { headers: bearer(KEYS.reader) });
    // An unexpected failure is logged with its cause.
    const list = lake.store.list;
    lake.store.list = () => Promise.reject(new Error('store exploded'));
    // The catalog index must list again to answer: its listing is what fails.
    lake.app.services.catalog.invalidate();
    await send(lake.app.yoga, '{ symbols(first: 1) { edges { cursor } } }', { headers: { 'x-api-key': KEYS.both } });
    lake.store.list = list;
    await send(lake.app.yoga, query, { headers: bearer(`${KEYS.reader}x`) });
    await send(lake.app.yoga, 'mutation { nope }', { headers: bearer(KEYS.both) });
    const all = logged.join('\n');
    expect(all).toContain('store exploded');
    for (const key of Object.values(KEYS)) expect(all).not.toContain(key);
    expect(JSON.stringify(lake.app.services.config)).not.toContain(KEYS.reader);
  });
});

describe('scopes per operation type and root field', () => {
  const calls = { resolved: 0 };
  const yoga = jobSchemaYoga({ LAKEQL_API_KEYS: API_KEYS }, {}, calls);
  const ops = {
    query: '{ lake symbols }',
    jobQuery: '{ job(id: "1") { id state } }',
    jobsQuery: '{ jobs { id } }',
    mixed: '{ lake jobs { id } }',
    mutation: 'mutation { cancelJob(id: "1") { state } }',
    typename: '{ __typename }',
  };
  const matrix: [keyof typeof KEYS, keyof typeof ops, number][] = [
    ['reader', 'query', 200],
    ['reader', 'typename', 200],
    ['reader', 'jobQuery', 403],
    ['reader', 'jobsQuery', 403],
    ['reader', 'mixed', 403],
    ['reader', 'mutation', 403],
    ['writer', 'query', 403],
    ['writer', 'typename', 403],
    ['writer', 'jobQuery', 200],
    ['writer', 'jobsQuery', 200],
    ['writer', 'mixed', 403],
    ['writer', 'mutation', 200],
    ['both', 'query', 200],
    ['both', 'jobQuery', 200],
    ['both', 'mixed', 200],
    ['both', 'mutation', 200],
  ];

  it.each(matrix)('%s key, %s → %i', async (who, op, status) => {
    calls.resolved = 0;
    const r = await send(yoga, ops[op], { headers: bearer(KEYS[who]) });
    expect(r.status).toBe(status);
    if (status === 403) {
      expect(r.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(calls.resolved).toBe(0);
    } else {
      expect(r.body.errors).toBeUndefined();
    }
  });

  it.each([
    ['a named fragment', 'query { ...F } fragment F on Query { jobs { id } }'],
    ['an inline fragment', 'query { ... on Query { job(id: "1") { id } } }'],
    [
      'nested fragments',
      'query { ...A } fragment A on Query { ... on Query { ...B } } fragment B on Query { jobs { id } }',
    ],
    ['@skip(if: true)', 'query { lake jobs @skip(if: true) { id } }'],
    ['an alias', 'query { lake: jobs { id } }'],
    ['a second operation chosen by name', 'query A { lake } query B { jobs { id } }'],
  ])('sees a job field hidden in %s', async (_name, document) => {
    calls.resolved = 0;
    const r = await send(yoga, document, {
      headers: bearer(KEYS.reader),
      operationName: document.includes('query B') ? 'B' : undefined,
    });
    expect(r.status).toBe(403);
    expect(calls.resolved).toBe(0);
  });

  it('needs write for subscriptions over SSE', async () => {
    const subscribe = (key: string) =>
      yoga.fetch('http://lakeql.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(key) },
        body: JSON.stringify({ query: 'subscription { jobProgress(id: "1") { state } }' }),
      });
    calls.resolved = 0;
    const denied = await (await subscribe(KEYS.reader)).text();
    expect(denied).toContain('FORBIDDEN');
    expect(calls.resolved).toBe(0);
    const allowed = await (await subscribe(KEYS.writer)).text();
    expect(allowed).toContain('SUCCEEDED');
  });

  /** What graphql-ws does with yoga (yoga's graphql-ws recipe): context from connectionParams, no HTTP request. */
  async function overGraphqlWs(connectionParams: unknown, query: string): Promise<any> {
    const { parse, validate, contextFactory, execute, subscribe, schema } = yoga.getEnveloped({
      connectionParams,
      extra: { request: { socket: { remoteAddress: '10.0.0.9' } } },
    });
    const document = parse(query);
    const errors = validate(schema, document);
    if (errors.length > 0) return { errors };
    try {
      const contextValue = await contextFactory();
      const run = getOperationAST(document)?.operation === 'subscription' ? subscribe : execute;
      const result = await run({ schema, document, contextValue, variableValues: {}, rootValue: {} });
      if (Symbol.asyncIterator in result) {
        for await (const item of result as AsyncIterable<unknown>) return item;
      }
      return result;
    } catch (error) {
      return { errors: [error] };
    }
  }

  it('authenticates graphql-ws operations from connectionParams', async () => {
    const sub = 'subscription { jobProgress(id: "1") { state } }';
    calls.resolved = 0;
    expect((await overGraphqlWs(undefined, sub)).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await overGraphqlWs({ apiKey: 'wrong-wrong-wrong-wrong' }, sub)).errors[0].extensions.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await overGraphqlWs({ apiKey: KEYS.reader }, sub)).errors[0].extensions.code).toBe('FORBIDDEN');
    expect(calls.resolved).toBe(0);
    expect((await overGraphqlWs({ apiKey: KEYS.writer }, sub)).data.jobProgress.state).toBe('SUCCEEDED');
    expect((await overGraphqlWs({ Authorization: `Bearer ${KEYS.writer}` }, sub)).data.jobProgress.state).toBe(
      'SUCCEEDED',
    );
    expect((await overGraphqlWs({ headers: { 'X-API-Key': KEYS.both } }, sub)).data.jobProgress.state).toBe(
      'SUCCEEDED',
    );
    expect((await overGraphqlWs({ apiKey: KEYS.reader }, '{ lake }')).data.lake).toBe('local');
  });
});

describe('bearer JWTs', () => {
  const secret = 'a-shared-secret-of-at-least-32-bytes!';
  const now = Date.UTC(2026, 10, 1, 12, 0, 0);
  const clock = { now: () => now };
  const hs = (claims: JWTPayload, options: { exp?: number | null; key?: string; alg?: string } = {}) => {
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt(now / 1000);
    if (options.exp !== null) jwt.setExpirationTime(options.exp ?? now / 1000 + 600);
    return jwt.sign(new TextEncoder().encode(options.key ?? secret));
  };
  const env = { LAKEQL_JWT_SECRET: secret, LAKEQL_JWT_ISSUER: 'https://idp.example', LAKEQL_JWT_AUDIENCE: 'lakeql' };
  const yoga = jobSchemaYoga(env, clock);
  const good = { iss: 'https://idp.example', aud: 'lakeql', sub: 'alice' };

  it('accepts a valid HS256 token and takes scopes from scope or scp', async () => {
    expect(
      (await send(yoga, '{ lake }', { headers: bearer(await hs({ ...good, scope: 'openid read' })) })).status,
    ).toBe(200);
    expect((await send(yoga, '{ lake }', { headers: bearer(await hs({ ...good, scp: ['read'] })) })).status).toBe(200);
    expect((await send(yoga, '{ jobs { id } }', { headers: bearer(await hs({ ...good, scp: 'write' })) })).status).toBe(
      200,
    );
    expect(
      (await send(yoga, '{ jobs { id } }', { headers: bearer(await hs({ ...good, scope: 'read' })) })).status,
    ).toBe(403);
    expect((await send(yoga, '{ lake }', { headers: bearer(await hs({ ...good })) })).status).toBe(403);
  });

  it.each([
    [
      'expired (beyond the 30 s skew allowance)',
      () => hs({ ...good, scope: 'read' }, { exp: now / 1000 - 3600 }),
      /expired/,
    ],
    ['without exp', () => hs({ ...good, scope: 'read' }, { exp: null }), /exp/],
    ['from another issuer', () => hs({ ...good, iss: 'https://evil.example', scope: 'read' }), /iss/],
    ['for another audience', () => hs({ ...good, aud: 'other', scope: 'read' }), /aud/],
    [
      'signed with another secret',
      () => hs({ ...good, scope: 'read' }, { key: 'another-secret-of-at-least-32-bytes!!' }),
      /signature/,
    ],
    [
      'unsigned (alg none)',
      async () =>
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...good, scope: 'read', exp: now / 1000 + 60 })).toString('base64url')}.`,
      /./,
    ],
    ['garbage', async () => 'not.a.jwt', /./],
  ])('rejects a token %s with 401', async (_name, make, reason) => {
    const r = await send(yoga, '{ lake }', { headers: bearer(await make()) });
    expect(r.status).toBe(401);
    expect(r.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(r.body.errors[0].message).toMatch(reason);
  });

  it('allows 30 s of clock skew: a token 29 s past exp passes, 30 s past does not', async () => {
    expect(
      (
        await send(yoga, '{ lake }', {
          headers: bearer(await hs({ ...good, scope: 'read' }, { exp: now / 1000 - 29 })),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await send(yoga, '{ lake }', {
          headers: bearer(await hs({ ...good, scope: 'read' }, { exp: now / 1000 - 30 })),
        })
      ).status,
    ).toBe(401);
  });

  describe('against a JWKS URL', () => {
    let server: Server;
    let jwksUrl: string;
    let keys: Awaited<ReturnType<typeof generateKeyPair>>;
    let jwksRequests = 0;
    beforeAll(async () => {
      keys = await generateKeyPair('RS256', { extractable: true });
      const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
      server = createServer((_req, res) => {
        jwksRequests++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const rs = (claims: JWTPayload, kid = 'k1') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid })
        .setExpirationTime(now / 1000 + 600)
        .sign(keys.privateKey);

    it('verifies RS256 tokens, fetching the key set once', async () => {
      const jwks = jobSchemaYoga({ LAKEQL_JWT_JWKS_URL: jwksUrl, LAKEQL_JWT_AUDIENCE: 'lakeql' }, clock);
      for (let i = 0; i < 3; i++) {
        const r = await send(jwks, '{ lake }', {
          headers: bearer(await rs({ aud: 'lakeql', sub: 'bob', scope: 'read' })),
        });
        expect(r.status).toBe(200);
      }
      expect(jwksRequests).toBe(1);
    });

    it('refuses an HS256 token signed with the public key (algorithm confusion) and unknown key ids', async () => {
      const jwks = jobSchemaYoga({ LAKEQL_JWT_JWKS_URL: jwksUrl }, clock);
      const publicJwk = await exportJWK(keys.publicKey);
      const confused = await new SignJWT({ scope: 'read' })
        .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
        .setExpirationTime(now / 1000 + 600)
        .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
      const r1 = await send(jwks, '{ lake }', { headers: bearer(confused) });
      expect(r1.status).toBe(401);
      expect(r1.body.errors[0].message).toMatch(/algorithm/);
      const r2 = await send(jwks, '{ lake }', { headers: bearer(await rs({ scope: 'read' }, 'unknown')) });
      expect(r2.status).toBe(401);
    });

    it('answers 401, not a hang or 500, when the key set cannot be fetched', async () => {
      const down = jobSchemaYoga({ LAKEQL_JWT_JWKS_URL: 'http://127.0.0.1:1/jwks.json' }, clock);
      const r = await send(down, '{ lake }', { headers: bearer(await rs({ scope: 'read' })) });
      expect(r.status).toBe(401);
      expect(r.body.errors[0].message).toMatch(/key set/);
    });
  });
});

describe('the real app over a socket: graphql-ws and job fields', () => {
  let lake: LakeApp;
  let url: string;
  beforeAll(async () => {
    lake = await lakeApp({ LAKEQL_API_KEYS: API_KEYS, LAKEQL_PORT: '0' });
    url = await lake.app.start();
  });
  afterAll(async () => {
    await lake.app.stop();
    await lake.close();
  });

  /** One operation over graphql-ws; resolves with the first result or the error the server sent. */
  async function overWs(connectionParams: Record<string, unknown> | undefined, query: string): Promise<any> {
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: true,
    });
    try {
      return await new Promise((resolve, reject) => {
        const stop = client.subscribe(
          { query },
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

  it('authenticates each graphql-ws operation from connectionParams and checks its scope', async () => {
    const sub = 'subscription { jobProgress(id: "no-such-job") { state } }';
    // Refused at connection_init, before any operation (test/security/websocket.test.ts has the details).
    await expect(overWs(undefined, '{ lake { kind } }')).rejects.toMatchObject({ code: 4401 });
    await expect(overWs({ apiKey: 'not-a-key-not-a-key' }, '{ lake { kind } }')).rejects.toMatchObject({ code: 4403 });
    expect((await overWs({ apiKey: KEYS.reader }, '{ lake { kind } }')).data.lake.kind).toBe('LOCAL');
    expect((await overWs({ authorization: `Bearer ${KEYS.reader}` }, sub)).errors[0].extensions.code).toBe('FORBIDDEN');
    const allowed = await overWs({ apiKey: KEYS.writer }, sub);
    expect(JSON.stringify(allowed)).not.toMatch(/FORBIDDEN|UNAUTHENTICATED/);
  });

  it('needs write for job queries and mutations on the real schema', async () => {
    const post = (query: string, key: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query }),
      });
    expect((await post('{ jobs { id } }', KEYS.reader)).status).toBe(403);
    expect((await post('{ job(id: "x") { id } }', KEYS.reader)).status).toBe(403);
    expect((await post('mutation { cancelJob(id: "x") { id } }', KEYS.reader)).status).toBe(403);
    expect((await post('{ jobs { id } }', KEYS.writer)).status).toBe(200);
    expect((await post('{ lake { kind } }', KEYS.writer)).status).toBe(403);
    expect((await post('{ lake { kind } }', KEYS.reader)).status).toBe(200);
  });
});
