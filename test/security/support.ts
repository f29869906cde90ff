// Shared pieces of the security tests: an app over a small directory lake, a tiny job-shaped schema, and request helpers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSchema, createYoga } from 'graphql-yoga';
import { buildApp, type App, type AppDeps } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { securityPlugins, type SecurityDeps } from '../../src/http/security.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { maskError } from '../../src/schema/errors.js';
import { writeCatalogLake } from '../support/lake-fixture.js';

/** Keys used across the tests: 16+ base64url characters, as LAKEQL_API_KEYS demands. */
export const KEYS = {
  reader: 'rEaDeR-0123456789abcdef',
  writer: 'wRiTeR-0123456789abcdef',
  both: 'bOtH-0123456789abcdef_xyz',
};
export const API_KEYS = `reader:${KEYS.reader}:read,writer:${KEYS.writer}:write,both:${KEYS.both}:read+write`;

export interface LakeApp {
  app: App;
  store: CountingStore;
  dir: string;
  close(): Promise<void>;
}

/** buildApp over a directory lake of 5 symbols × 2 years, behind a CountingStore. */
export async function lakeApp(
  env: Record<string, string> = {},
  deps: Omit<AppDeps, 'store' | 'location'> = {},
): Promise<LakeApp> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lakeql-security-'));
  const local = new LocalStore(dir);
  await writeCatalogLake(local, { symbols: 5, years: [2023, 2024], quarters: 1 });
  const store = new CountingStore(local);
  const app = await buildApp(loadConfig({ LAKEQL_DEMO: 'never', ...env }), {
    log: () => {},
    ...deps,
    store,
    location: { kind: 'local', directory: dir },
  });
  return { app, store, dir, close: () => rm(dir, { recursive: true, force: true }) };
}

/** yoga.fetch's overloads do not fit one signature type; every target here is a yoga instance. */
type Fetcher = { fetch: (...args: never[]) => unknown };

export interface Sent {
  status: number;
  headers: Headers;
  body: any;
}

/** POSTs a GraphQL operation as JSON and returns status, headers and parsed body. */
export async function send(
  target: Fetcher,
  query: string,
  options: {
    headers?: Record<string, string>;
    variables?: Record<string, unknown>;
    operationName?: string;
    ctx?: Record<string, unknown>;
  } = {},
): Promise<Sent> {
  const fetch = target.fetch as unknown as (
    url: string,
    init: RequestInit,
    ctx?: Record<string, unknown>,
  ) => Promise<Response>;
  const response = await fetch(
    'http://lakeql.test/graphql',
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...options.headers,
      },
      body: JSON.stringify({ query, variables: options.variables, operationName: options.operationName }),
    },
    options.ctx,
  );
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Non-JSON bodies (event streams, plain text) stay text.
  }
  return { status: response.status, headers: response.headers, body };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * A job-shaped schema (the real Mutation and Subscription fields arrive with the upload jobs):
 * enough to check which scope each operation type and root field needs, through the same plugins.
 */
export function jobSchemaYoga(env: Record<string, string>, security: SecurityDeps = {}, calls = { resolved: 0 }) {
  const config = loadConfig({ LAKEQL_DEMO: 'never', ...env });
  const resolved =
    <T>(value: T) =>
    () => {
      calls.resolved++;
      return value;
    };
  const schema = createSchema({
    typeDefs: /* GraphQL */ `
      type Job { id: ID! state: String! }
      type Query { lake: String! symbols(first: Int = 100): [String!]! job(id: ID!): Job jobs: [Job!]! }
      type Mutation { cancelJob(id: ID!): Job! }
      type Subscription { jobProgress(id: ID!): Job! }
    `,
    resolvers: {
      Query: {
        lake: resolved('local'),
        symbols: resolved(['AAPL']),
        job: resolved({ id: '1', state: 'RUNNING' }),
        jobs: resolved([]),
      },
      Mutation: { cancelJob: resolved({ id: '1', state: 'CANCELLED' }) },
      Subscription: {
        jobProgress: {
          subscribe: async function* () {
            calls.resolved++;
            yield { jobProgress: { id: '1', state: 'SUCCEEDED' } };
          },
        },
      },
    },
  });
  return createYoga({
    schema,
    maskedErrors: { maskError },
    logging: false,
    plugins: securityPlugins(config, security),
  });
}

/** A recursive schema that can be as deep, wide and paged as a limit test needs. Resolvers return almost nothing. */
export function nodeSchemaYoga(env: Record<string, string> = {}, security: SecurityDeps = {}) {
  const config = loadConfig({ LAKEQL_DEMO: 'never', ...env });
  const node = { value: 1, child: null as unknown, items: [] as unknown[] };
  node.child = node;
  const schema = createSchema({
    typeDefs: /* GraphQL */ `
      enum Color { RED GREEN }
      type Node { value: Int! child: Node! items(first: Int = 10): [Node!]! color(c: Color): Color }
      type Query { value: Int! child: Node! items(first: Int = 10): [Node!]! color(c: Color): Color sum(values: [Int!]!): Int! }
    `,
    resolvers: {
      Query: {
        value: () => 1,
        child: () => node,
        items: () => [],
        color: (_: unknown, a: { c?: string }) => a.c ?? null,
        sum: (_: unknown, a: { values: number[] }) => a.values.reduce((x, y) => x + y, 0),
      },
      Node: { items: () => [], color: (_: unknown, a: { c?: string }) => a.c ?? null },
    },
  });
  return createYoga({
    schema,
    maskedErrors: { maskError },
    logging: false,
    plugins: securityPlugins(config, security),
  });
}
