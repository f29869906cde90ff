// Runs the ObjectStore conformance suite on every backend and decorator, plus what only one backend has.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  InvalidKeyError,
  NotFoundError,
  NotSupportedError,
  PermissionDeniedError,
  StoreError,
  UnauthenticatedError,
} from '../../src/lake/errors.js';
import { CountingStore } from '../../src/lake/store/counting.js';
import { exists, getBytes, listAll, listCommonPrefixes } from '../../src/lake/store/helpers.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { bucketProblem, openStore, parseLakeLocation } from '../../src/lake/store/open.js';
import { PrefixedStore } from '../../src/lake/store/prefixed.js';
import { S3Store, type S3RequestEvent } from '../../src/lake/store/s3/store.js';
import { uploaderFor } from '../../src/lake/store/uploader.js';
import { isMultipartStore, isPresigner, type ObjectStore } from '../../src/lake/store/types.js';
import { createBucket, s3Servers, type S3Server, s3StoreOn, skippedS3Servers } from '../support/s3-servers.js';
import {
  type ConformanceFeature,
  type ConformanceTarget,
  runObjectStoreConformance,
} from './object-store.conformance.js';

const NO_PRESIGNER = 'the directory backend has no presigner (lakeql serves its files through its own signed URLs)';
const NESTED = 'nested/lake/';

async function tempDir(name: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `lakeql-${name}-`));
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function missingDir(): string {
  return path.join(tmpdir(), `lakeql-missing-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

function localTarget(name: string, wrap: (store: ObjectStore) => ObjectStore): ConformanceTarget {
  return {
    name,
    async setup() {
      const dir = await tempDir('conformance');
      return { store: wrap(new LocalStore(dir)), teardown: () => rm(dir, { recursive: true, force: true }) };
    },
    unreachable: () => wrap(new LocalStore(missingDir())),
    skip: { presign: NO_PRESIGNER },
  };
}

runObjectStoreConformance(localTarget('LocalStore', (s) => s));
runObjectStoreConformance(
  localTarget(`PrefixedStore("${NESTED}") over LocalStore`, (s) => new PrefixedStore(s, NESTED)),
);

function skipsFor(server: S3Server): Partial<Record<ConformanceFeature, string>> {
  const skips: Partial<Record<ConformanceFeature, string>> = {};
  for (const feature of [
    'presign',
    'multipart',
    'listMultipartUploads',
    'atomicCreate',
    'suffixRange',
    'noSuchUpload',
  ] as const) {
    if (!server.capabilities[feature]) skips[feature] = server.lacking[feature] ?? `${server.name} does not support it`;
  }
  return skips;
}

function s3Target(server: S3Server, name: string, wrap: (store: S3Store) => ObjectStore): ConformanceTarget {
  let requests = 0;
  const onRequest = () => {
    requests++;
  };
  const unreachable = s3StoreOn(server, 'lakeql-no-such-bucket', { onRequest });
  return {
    name,
    async setup() {
      const store = s3StoreOn(server, await createBucket(server, 'conformance'), { onRequest });
      return {
        store: wrap(store),
        teardown: async () => {
          store.close();
          unreachable.close();
        },
      };
    },
    unreachable: () => wrap(unreachable),
    ioCount: () => requests,
    skip: skipsFor(server),
  };
}

for (const server of s3Servers()) {
  runObjectStoreConformance(s3Target(server, `S3Store on ${server.name}`, (s) => s));
  runObjectStoreConformance(
    s3Target(server, `PrefixedStore("${NESTED}") over S3Store on ${server.name}`, (s) => new PrefixedStore(s, NESTED)),
  );

  describe(`S3Store on ${server.name}: boundary behaviour`, () => {
    let bucket: string;
    const events: S3RequestEvent[] = [];
    let store: S3Store;
    beforeAll(async () => {
      bucket = await createBucket(server, 'boundary');
      store = s3StoreOn(server, bucket, { onRequest: (e) => events.push(e) });
    });
    afterAll(() => store.close());

    it('a missing bucket is NotFound with backendCode NoSuchBucket', async () => {
      const missing = s3StoreOn(server, 'lakeql-this-bucket-does-not-exist');
      try {
        for (const call of [() => missing.list(), () => missing.get('k'), () => missing.put('k', 'x')]) {
          const error = await call().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(NotFoundError);
          expect(error).toMatchObject({ backendCode: 'NoSuchBucket', retryable: false, store: 's3' });
        }
      } finally {
        missing.close();
      }
    });

    it('reports each HTTP request once to onRequest, with operation, outcome and status', async () => {
      events.length = 0;
      await store.put('k', 'x');
      await store.head('missing').catch(() => {});
      await store.list();
      // Byte counts come from Content-Length: a PUT's body is known; a listing's depends on the server.
      expect(events).toMatchObject([
        { operation: 'PutObject', outcome: 'ok', status: 200, requestBytes: 1 },
        { operation: 'HeadObject', outcome: 'error', status: 404 },
        { operation: 'ListObjectsV2', outcome: 'ok', status: 200 },
      ]);
    });

    it('openStore reaches the lake through the AWS environment', async () => {
      const saved = { ...process.env };
      Object.assign(process.env, server.env);
      try {
        const { store: opened, location, close } = await openStore(`s3://${bucket}/${NESTED}`);
        try {
          expect(location).toEqual({ kind: 's3', bucket, prefix: NESTED });
          expect(opened).toBeInstanceOf(PrefixedStore);
          expect(isPresigner(opened)).toBe(true);
          await opened.put('via-env', 'hello');
          expect(Buffer.from(await getBytes(store, `${NESTED}via-env`)).toString()).toBe('hello');
        } finally {
          close();
        }
      } finally {
        for (const name of Object.keys(server.env)) if (!(name in saved)) delete process.env[name];
        Object.assign(process.env, saved);
      }
    });
  });
}

for (const { name, reason } of skippedS3Servers()) {
  it.skip(`ObjectStore conformance: S3Store on ${name} — skipped: ${reason}`, () => {});
}
if (s3Servers().length === 0)
  it.skip('ObjectStore conformance: S3Store — skipped: no S3 server is reachable', () => {});

describe('S3 error translation at the SDK boundary (scripted HTTP server)', () => {
  let server: Server;
  let endpoint: string;
  let hits = 0;
  /** User-Agent of each request: the SDK names itself, lakeql's fast PutObject path sends none. */
  const agents: (string | undefined)[] = [];
  const xml = (code: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`;
  const replies: Record<string, [number, string]> = {
    denied: [403, 'AccessDenied'],
    badkey: [403, 'InvalidAccessKeyId'],
    badsig: [403, 'SignatureDoesNotMatch'],
    expired: [400, 'ExpiredToken'],
    slow: [503, 'SlowDown'],
    internal: [500, 'InternalError'],
    range: [416, 'InvalidRange'],
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      agents.push(req.headers['user-agent']);
      const key = decodeURIComponent((req.url ?? '').split('?')[0].split('/').pop() ?? '');
      if (key === 'reset') return req.socket.destroy();
      if (req.method === 'PUT' && key === 'accepted') {
        req.resume();
        return void req.on('end', () => res.writeHead(200, { etag: '"e"' }).end());
      }
      const [status, code] = replies[key] ?? [404, 'NoSuchKey'];
      res.writeHead(status, { 'content-type': 'application/xml' }).end(xml(code));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const scripted = (onRequest?: (e: S3RequestEvent) => void) =>
    new S3Store({
      bucket: 'scripted',
      onRequest,
      clientConfig: {
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        maxAttempts: 3,
        retryMode: 'standard',
      },
    });

  it.each([
    ['denied', PermissionDeniedError, 'AccessDenied', false],
    ['badkey', UnauthenticatedError, 'InvalidAccessKeyId', false],
    ['badsig', UnauthenticatedError, 'SignatureDoesNotMatch', false],
    ['expired', UnauthenticatedError, 'ExpiredToken', false],
    ['range', InvalidInputError, 'InvalidRange', false],
    ['missing', NotFoundError, 'NoSuchKey', false],
    ['slow', StoreError, 'SlowDown', true],
    ['internal', StoreError, 'InternalError', true],
    ['reset', StoreError, 'ECONNRESET', true],
  ] as const)('GET %s → %o with backendCode %s (retryable: %s)', async (key, type, code, retryable) => {
    const store = scripted();
    try {
      const error = await store.get(key).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(type);
      expect(error).toMatchObject({ backendCode: code, retryable, key, store: 's3' });
      expect(Object.getPrototypeOf(error).constructor.name).not.toMatch(/Exception|ServiceException/);
    } finally {
      store.close();
    }
  });

  it('counts every retried attempt in onRequest', async () => {
    const events: S3RequestEvent[] = [];
    const store = scripted((e) => events.push(e));
    try {
      hits = 0;
      await store.get('internal').catch(() => {});
      expect(hits).toBe(3);
      expect(events).toEqual(
        Array.from({ length: 3 }, () => ({ operation: 'GetObject', outcome: 'error', status: 500 })),
      );
    } finally {
      store.close();
    }
  });

  it('counts each attempt of the fast PutObject path (which bypasses the SDK) once in onRequest', async () => {
    const events: S3RequestEvent[] = [];
    const store = scripted((e) => events.push(e));
    const uploader = uploaderFor(store);
    const body = new Uint8Array(100_000).fill(7);
    try {
      for (const [key, expected] of [
        ['accepted', { operation: 'PutObject', outcome: 'ok', status: 200, requestBytes: 100_000 }],
        ['slow', { operation: 'PutObject', outcome: 'error', status: 503 }],
        ['reset', { operation: 'PutObject', outcome: 'error' }],
      ] as const) {
        hits = 0;
        agents.length = 0;
        events.length = 0;
        await uploader.uploadStream(key, body, {}).catch(() => {});
        // One request, not the SDK's (it would name itself and retry the 503 and the reset).
        expect(hits, key).toBe(1);
        expect(agents[0] ?? '', key).not.toMatch(/aws-sdk/);
        expect(events, key).toEqual([expected]);
      }
    } finally {
      store.close();
    }
  });
});

describe('LocalStore only', () => {
  let root: string;
  let outside: string;
  let store: LocalStore;
  beforeAll(async () => {
    root = await tempDir('local');
    outside = await tempDir('outside');
    store = new LocalStore(root);
    await writeFile(path.join(outside, 'secret'), 'outside the lake');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('refuses symlinks that lead outside the root, for reads, writes and deletes', async () => {
    await symlink(outside, path.join(root, 'escape-dir'));
    await symlink(path.join(outside, 'secret'), path.join(root, 'escape-file'));
    const calls = [
      () => store.head('escape-dir/secret'),
      () => store.get('escape-dir/secret'),
      () => store.head('escape-file'),
      () => store.put('escape-dir/new', 'x'),
      () => store.delete('escape-dir/secret'),
    ];
    for (const call of calls) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(error).toMatchObject({ backendCode: 'SYMLINK_ESCAPE' });
    }
    expect(await readdir(outside)).toEqual(['secret']);
    const keys = (await collect(listAll(store))).map((o) => o.key);
    expect(keys.filter((k) => k.startsWith('escape'))).toEqual([]);
    await rm(path.join(root, 'escape-dir'));
    await rm(path.join(root, 'escape-file'));
  });

  it('serves a symlinked file that stays inside the root', async () => {
    await store.put('real/target', 'inside');
    await symlink(path.join(root, 'real', 'target'), path.join(root, 'alias'));
    expect(Buffer.from(await getBytes(store, 'alias')).toString()).toBe('inside');
    expect((await collect(listAll(store))).map((o) => o.key)).toEqual(expect.arrayContaining(['alias', 'real/target']));
    await store.delete('alias');
    await store.delete('real/target');
  });

  it('keeps its sidecar tree out of listings and out of reach of keys', async () => {
    await store.put('with-meta', 'x', { metadata: { a: '1' }, contentType: 'text/plain' });
    expect(await stat(path.join(root, '.lakeql', 'meta', 'with-meta.json'))).toBeTruthy();
    const page = await store.list({ delimiter: '/' });
    expect([...page.objects.map((o) => o.key), ...page.commonPrefixes].filter((k) => k.startsWith('.lakeql'))).toEqual(
      [],
    );
    expect((await collect(listAll(store))).filter((o) => o.key.startsWith('.lakeql'))).toEqual([]);
    expect(await store.list({ prefix: '.lakeql/' })).toEqual({ objects: [], commonPrefixes: [] });
    for (const call of [
      () => store.head('.lakeql/meta/with-meta.json'),
      () => store.put('.lakeql/x', 'x'),
      () => store.delete('.lakeql'),
    ]) {
      expect(
        await call().then(
          () => undefined,
          (e: unknown) => e,
        ),
      ).toBeInstanceOf(InvalidKeyError);
    }
    expect(await readdir(path.join(root, '.lakeql', 'tmp'))).toEqual([]);
    await store.delete('with-meta');
  });

  it('lists and heads a file dropped in by another writer (no sidecar), and notices it being rewritten', async () => {
    await mkdir(path.join(root, 'foreign', 'deep'), { recursive: true });
    await writeFile(path.join(root, 'foreign', 'deep', 'file.csv'), 'a,b\n1,2\n');
    const [listed] = await collect(listAll(store, { prefix: 'foreign/' }));
    expect(listed).toMatchObject({ key: 'foreign/deep/file.csv', size: 8 });
    const head = await store.head('foreign/deep/file.csv');
    expect(head).toMatchObject({ size: 8, contentType: 'application/octet-stream', metadata: {}, etag: listed.etag });
    // Same size, new bytes and mtime: the ETag must still change.
    await writeFile(path.join(root, 'foreign', 'deep', 'file.csv'), 'a,b\n3,4\n');
    const later = new Date(Date.now() + 5000);
    await utimes(path.join(root, 'foreign', 'deep', 'file.csv'), later, later);
    expect((await store.head('foreign/deep/file.csv')).etag).not.toBe(head.etag);
  });

  it('ignores a sidecar once another writer has replaced the bytes', async () => {
    await store.put('described', 'mine', { metadata: { owner: 'lakeql' }, contentType: 'text/plain' });
    await writeFile(path.join(root, 'described'), 'theirs, longer');
    const head = await store.head('described');
    expect(head).toMatchObject({ size: 14, contentType: 'application/octet-stream', metadata: {} });
  });

  it('does not list empty directories made by other tools as common prefixes', async () => {
    await mkdir(path.join(root, 'empty', 'deeper'), { recursive: true });
    expect((await store.list({ delimiter: '/' })).commonPrefixes).not.toContain('empty/');
    expect(await store.list({ prefix: 'empty/' })).toEqual({ objects: [], commonPrefixes: [] });
  });

  it('cannot hold an object and a "directory" of the same name, and says so', async () => {
    await store.put('clash', 'x');
    expect(
      await store.put('clash/child', 'y').then(
        () => undefined,
        (e: unknown) => e,
      ),
    ).toBeInstanceOf(NotSupportedError);
    await store.put('tree/leaf', 'y');
    expect(
      await store.put('tree', 'x').then(
        () => undefined,
        (e: unknown) => e,
      ),
    ).toBeInstanceOf(NotSupportedError);
    expect(
      await store.put('tree', 'x', { mode: 'create' }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    ).toBeInstanceOf(NotSupportedError);
    expect(await exists(store, 'clash/child')).toBe(false);
  });

  it('a missing root is NotFound (like a missing bucket), not an empty lake', async () => {
    const missing = new LocalStore(missingDir());
    for (const call of [() => missing.list(), () => missing.head('k'), () => missing.put('k', 'x')]) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ backendCode: 'ENOENT' });
    }
  });

  it('treats upload ids as opaque: a path in one finds no upload', async () => {
    for (const id of ['../../etc', '..', 'x'.repeat(32)]) {
      expect(
        await store.uploadPart('k', id, 1, new Uint8Array(1)).then(
          () => undefined,
          (e: unknown) => e,
        ),
      ).toBeInstanceOf(NotFoundError);
    }
    const id = await store.createMultipartUpload('one/key');
    expect(
      await store.uploadPart('other/key', id, 1, new Uint8Array(1)).then(
        () => undefined,
        (e: unknown) => e,
      ),
    ).toBeInstanceOf(NotFoundError);
    await store.abortMultipartUpload('one/key', id);
    expect(await readdir(path.join(root, '.lakeql', 'uploads'))).toEqual([]);
  });

  it('rejects a continuation token it did not issue', async () => {
    expect(
      await store.list({ continuationToken: 'not-a-token' }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    ).toBeInstanceOf(InvalidInputError);
  });

  it('readers never see half a file while it is being overwritten', async () => {
    const size = 1024 * 1024;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) await store.put('atomic', Buffer.alloc(size, i));
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      // Before the first put lands there is no object; after that, never a partial one.
      const got = Buffer.from(
        await getBytes(store, 'atomic').catch((error: unknown) => {
          if (!(error instanceof NotFoundError)) throw error;
          return Buffer.alloc(size);
        }),
      );
      expect(got.length).toBe(size);
      expect(got.every((b) => b === got[0])).toBe(true);
      reads++;
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
  });

  it('puts and deletes racing in one directory all succeed (pruned parents are recreated)', async () => {
    for (let round = 0; round < 50; round++) {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.put(`churn/a/b/k${i}`, 'x').then(() => store.delete(`churn/a/b/k${i}`)),
        ),
      );
    }
    expect(await store.list({ prefix: 'churn/' })).toEqual({ objects: [], commonPrefixes: [] });
  });

  it('writes the object bytes at <root>/<key>, readable by any tool', async () => {
    await store.put('plain/file.txt', 'plain bytes');
    expect(await readFile(path.join(root, 'plain', 'file.txt'), 'utf8')).toBe('plain bytes');
  });
});

describe('decorators and helpers', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('decorators');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('CountingStore counts calls by method, failed ones too, and forwards only what the inner store has', async () => {
    const seen: string[] = [];
    const counting = new CountingStore(new LocalStore(dir), { onCall: (method) => seen.push(method) });
    await counting.put('a', 'x');
    await counting.get('a').then((r) => r.body.destroy());
    await counting.head('missing').catch(() => {});
    await counting.list();
    expect(counting.snapshot()).toEqual({ put: 1, get: 1, head: 1, list: 1 });
    expect(counting.count('head')).toBe(1);
    expect(counting.total()).toBe(4);
    expect(seen).toEqual(['put', 'get', 'head', 'list']);
    expect(isPresigner(counting)).toBe(false);
    expect(isMultipartStore(counting)).toBe(true);
    counting.reset();
    expect(counting.total()).toBe(0);
    const overS3 = new CountingStore(
      new S3Store({ bucket: 'lakeql-any', clientConfig: { region: 'us-east-1', endpoint: 'http://127.0.0.1:9' } }),
    );
    expect(isPresigner(overS3)).toBe(true);
  });

  it('PrefixedStore forwards capabilities truthfully and keeps keys inside its prefix', async () => {
    const local = new LocalStore(dir);
    const prefixed = new PrefixedStore(local, 'inner');
    expect(prefixed.prefix).toBe('inner/');
    expect(isPresigner(prefixed)).toBe(false);
    expect(isMultipartStore(prefixed)).toBe(true);
    await prefixed.put('x/y', 'z');
    expect(await exists(local, 'inner/x/y')).toBe(true);
    expect(await listCommonPrefixes(prefixed, '')).toEqual(['x/']);
    expect(() => new PrefixedStore(local, 'a//b')).toThrow(InvalidKeyError);
    expect(
      await prefixed.head('../outside').then(
        () => undefined,
        (e: unknown) => e,
      ),
    ).toBeInstanceOf(InvalidKeyError);
  });

  it('parses lake locations', () => {
    expect(parseLakeLocation('s3://my-bucket')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '' });
    expect(parseLakeLocation('s3://my-bucket/')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '' });
    expect(parseLakeLocation('s3://my-bucket/some/prefix')).toEqual({
      kind: 's3',
      bucket: 'my-bucket',
      prefix: 'some/prefix/',
    });
    expect(parseLakeLocation('S3://my.bucket/p/')).toEqual({ kind: 's3', bucket: 'my.bucket', prefix: 'p/' });
    expect(parseLakeLocation('file:///srv/lake')).toEqual({ kind: 'local', directory: '/srv/lake' });
    expect(parseLakeLocation('file:///srv/my%20lake')).toEqual({ kind: 'local', directory: '/srv/my lake' });
    expect(parseLakeLocation('./lake', '/work')).toEqual({ kind: 'local', directory: '/work/lake' });
    expect(parseLakeLocation('/abs/lake')).toEqual({ kind: 'local', directory: '/abs/lake' });
    for (const bad of [
      's3://ab',
      `s3://${'a'.repeat(64)}`,
      's3://My-Bucket',
      's3://bucket_x',
      's3://-bucket',
      's3://a..b',
      's3://192.168.1.1',
      's3://b/a//c',
      'gs://bucket',
      '',
      'file://host/dir',
    ]) {
      let error: unknown;
      try {
        parseLakeLocation(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message, bad).toContain('LAKEQL_LAKE');
    }
    expect(bucketProblem('abc')).toBeUndefined();
    expect(bucketProblem('a'.repeat(63))).toBeUndefined();
  });

  it('openStore creates a new local lake directory and returns a LocalStore', async () => {
    const target = path.join(dir, 'new-lake');
    const { store, location } = await openStore(`file://${target}`);
    expect(location).toEqual({ kind: 'local', directory: target });
    expect(store).toBeInstanceOf(LocalStore);
    expect((await stat(target)).isDirectory()).toBe(true);
    expect(await store.list()).toEqual({ objects: [], commonPrefixes: [] });
  });
});
