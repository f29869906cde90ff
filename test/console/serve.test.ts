// The console is built when missing or stale (and only then), and lakeql serves it at / with safe headers; GraphiQL stays at /graphql.
import { cp, mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ensureConsoleBuilt } from '../../src/console-build.js';
import { consolePlugin } from '../../src/http/console.js';
import { createYoga } from 'graphql-yoga';
import { schema } from '../../src/schema/index.js';

const CONSOLE = fileURLToPath(new URL('../../console/', import.meta.url));

describe('console build', () => {
  let root: string;

  beforeAll(async () => {
    // A copy, so this test never races a real build of console/dist; inside node_modules/.cache so vite.config.ts resolves 'vite'.
    const cache = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));
    await mkdir(cache, { recursive: true });
    root = path.join(await mkdtemp(path.join(cache, 'lakeql-console-build-')), 'console');
    for (const entry of ['index.html', 'vite.config.ts', 'tsconfig.json', 'src', 'public'])
      await cp(path.join(CONSOLE, entry), path.join(root, entry), { recursive: true });
  });
  afterAll(async () => rm(path.dirname(root), { recursive: true, force: true }));

  it('builds when dist is missing, not again while fresh, and again after a source changes', async () => {
    expect(await ensureConsoleBuilt({ root })).toMatchObject({ status: 'built' });
    const assets = await readdir(path.join(root, 'dist/assets'));
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(await ensureConsoleBuilt({ root })).toEqual({ status: 'fresh' });
    // An edit after the last build began.
    const now = new Date();
    await utimes(path.join(root, 'src/main.ts'), now, now);
    expect(await ensureConsoleBuilt({ root })).toMatchObject({ status: 'built' });
    expect(await ensureConsoleBuilt({ root })).toEqual({ status: 'fresh' });
    // No temp folders or lock left behind.
    expect((await readdir(root)).filter((e) => e.startsWith('.'))).toEqual([]);
  });

  it('serves a prebuilt console without sources (a production image), and reports a missing folder', async () => {
    await rm(path.join(root, 'src'), { recursive: true });
    expect(await ensureConsoleBuilt({ root })).toEqual({ status: 'fresh' });
    expect(await ensureConsoleBuilt({ root: path.join(root, 'nowhere') })).toMatchObject({ status: 'unavailable' });
  });
});

describe('console served by lakeql', () => {
  let app: App;
  let dist: string;

  beforeAll(async () => {
    const built = await ensureConsoleBuilt();
    expect(built.status).not.toBe('unavailable');
    dist = path.join(CONSOLE, 'dist');
    app = await buildApp(
      loadConfig({
        LAKEQL_DEMO: 'never',
        LAKEQL_LAKE: await mkdtemp(path.join(tmpdir(), 'lakeql-serve-')),
        LAKEQL_API_KEYS: 'ui:console-test-key-0123456789:read',
      }),
    );
  });
  afterAll(() => app.stop());

  const get = (pathname: string, init?: RequestInit) => app.yoga.fetch(`http://lakeql.test${pathname}`, init ?? {});

  it('serves the page at / without a key, with a strict CSP and no caching', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).toContain('<title>lakeql console</title>');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const asset = await get(script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await get(script, { method: 'HEAD' })).status).toBe(200);
  });

  it('keeps GraphiQL at /graphql and the API behind auth', async () => {
    const graphiql = await get('/graphql', { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    expect(await graphiql.text()).toContain('GraphiQL');
    const api = await get('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ lake { kind } }"}',
    });
    expect(api.status).toBe(401);
  });

  it('serves nothing outside the built folder', async () => {
    for (const probe of [
      '/assets/../../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/.built',
      '/package.json',
    ]) {
      const response = await get(probe);
      expect(response.status, probe).not.toBe(200);
    }
  });

  it('falls back to GraphiQL when no console was built', async () => {
    const yoga = createYoga({ schema, plugins: [consolePlugin({ directory: path.join(dist, 'no-such-build') })] });
    const response = await yoga.fetch('http://lakeql.test/');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/graphql');
  });
});
