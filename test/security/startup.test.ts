// Start-up as a new user meets it: real `tsx src/main.ts` processes with a mistaken environment stop with a clear message.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, unknownVariables } from '../../src/config.js';
import { editDistance } from '../../src/edit-distance.js';
import {
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  StoreError,
  UnauthenticatedError,
} from '../../src/lake/errors.js';
import { checkLake, classifyLakeFailure } from '../../src/lake/store/check-lake.js';
import { translateS3Error } from '../../src/lake/store/s3/errors.js';
import type { ObjectStore } from '../../src/lake/store/types.js';
import { createBucket, s3Servers } from '../support/s3-servers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'src/main.ts');
// The child runs in a scratch directory (so the default ./lake would land there), where `tsx` cannot be resolved by name.
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  listening: boolean;
}

/**
 * `npm start` as a child: LAKEQL_* from `env` only (the test runner's own are removed), port 0.
 * Resolves when it exits, or kills it once it says it is serving (that outcome is `listening`).
 */
function runMain(env: Record<string, string>, cwd: string): Promise<Run> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('LAKEQL_') && !k.startsWith('AWS_')),
  );
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd,
    env: { ...base, LAKEQL_PORT: '0', LAKEQL_RATE_LIMIT: 'off', AWS_EC2_METADATA_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let listening = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!listening && stdout.includes('lakeql serving')) {
      listening = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr, listening })));
}

/** Log lines of one level, parsed. */
function lines(out: string, level: string): { msg: string; err?: unknown }[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string })
    .filter((l) => l.level === level);
}

describe('start-up with a mistaken environment (child processes)', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await fs.mkdtemp(path.join(tmpdir(), 'lakeql-startup-'));
    // The console bundle is built into the repository, not the cwd; nothing else is written outside the lake.
  });
  afterAll(async () => {
    await fs.rm(cwd, { recursive: true, force: true });
  });

  it('stops when an explicit LAKEQL_LAKE directory does not exist, creating nothing', async () => {
    const missing = path.join(cwd, 'no-such-lake');
    const run = await runMain({ LAKEQL_LAKE: missing }, cwd);
    expect(run.listening).toBe(false);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`the lake directory ${missing} does not exist`);
    expect(run.stderr).toContain('LAKEQL_DEMO=always');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    await expect(fs.stat(missing)).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('stops on LAKEQL_LAKE=s3:/bucket (one slash) instead of making a directory "s3:"', async () => {
    const run = await runMain({ LAKEQL_LAKE: 's3:/my-bucket' }, cwd);
    expect(run.listening).toBe(false);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('did you mean s3://my-bucket?');
    await expect(fs.stat(path.join(cwd, 's3:'))).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('creates the demo lake in an explicit directory only with LAKEQL_DEMO=always', async () => {
    const empty = path.join(cwd, 'empty-lake');
    await fs.mkdir(empty);
    const auto = await runMain({ LAKEQL_LAKE: empty }, cwd);
    expect(auto.listening).toBe(true);
    // No demo data; only the job journal's state directory (LAKEQL_STATE_DIR's default, hidden from listings).
    expect((await fs.readdir(empty)).filter((name) => name !== '.lakeql')).toEqual([]);
    const wanted = path.join(cwd, 'wanted-lake');
    const always = await runMain({ LAKEQL_LAKE: wanted, LAKEQL_DEMO: 'always' }, cwd);
    expect(always.listening).toBe(true);
    expect(await fs.readdir(path.join(wanted, 'data'))).toEqual(expect.arrayContaining(['ticks', 'fundamental']));
  }, 120_000);

  it('warns about a misspelt LAKEQL_PROT, naming LAKEQL_PORT', async () => {
    const lake = path.join(cwd, 'warn-lake');
    await fs.mkdir(lake);
    const run = await runMain({ LAKEQL_LAKE: lake, LAKEQL_DEMO: 'never', LAKEQL_PROT: '5000' }, cwd);
    expect(run.listening).toBe(true);
    expect(lines(run.stdout, 'warn').map((l) => l.msg)).toContain(
      'LAKEQL_PROT is not a lakeql setting and is ignored; did you mean LAKEQL_PORT?',
    );
  }, 60_000);

  it('stops with a clear error when the S3 bucket does not exist (moto_server)', async () => {
    const server = s3Servers()[0];
    const run = await runMain({ ...server.env, LAKEQL_LAKE: 's3://lakeql-no-such-bucket-startup' }, cwd);
    expect(run.listening).toBe(false);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      'the lake s3://lakeql-no-such-bucket-startup/ cannot be used: its bucket does not exist',
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).not.toContain('could not clean up unfinished multipart uploads');
  }, 60_000);

  it('starts on an existing bucket (moto_server)', async () => {
    const server = s3Servers()[0];
    const bucket = await createBucket(server, 'startup');
    const run = await runMain({ ...server.env, LAKEQL_LAKE: `s3://${bucket}/lake` }, cwd);
    expect(run.listening).toBe(true);
  }, 60_000);
});

describe('unknown LAKEQL_* variables', () => {
  it('names the closest setting when one is close, and keeps quiet about settings and test variables', () => {
    expect(
      unknownVariables({
        LAKEQL_PROT: '1',
        LAKEQL_PORT: '2',
        LAKEQL_TEST_REDIS_URL: 'x',
        LAKEQL_LAKES: 'x',
        LAKEQL_ZZZZZZZZZZZZZZ: 'x',
        PATH: '/bin',
      }),
    ).toEqual([
      'LAKEQL_LAKES is not a lakeql setting and is ignored; did you mean LAKEQL_LAKE?',
      'LAKEQL_PROT is not a lakeql setting and is ignored; did you mean LAKEQL_PORT?',
      'LAKEQL_ZZZZZZZZZZZZZZ is not a lakeql setting and is ignored',
    ]);
    expect(loadConfig({ LAKEQL_RATE_LIMT: 'off' }).warnings).toEqual([
      'LAKEQL_RATE_LIMT is not a lakeql setting and is ignored; did you mean LAKEQL_RATE_LIMIT?',
    ]);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('accepts always, auto and never for LAKEQL_DEMO and nothing else', () => {
    for (const demo of ['always', 'auto', 'never']) expect(loadConfig({ LAKEQL_DEMO: demo }).demo).toBe(demo);
    expect(() => loadConfig({ LAKEQL_DEMO: 'yes' })).toThrow(/"auto", "always" or "never"/);
    for (const lake of ['s3:/bucket', 's3:bucket', 'file:/tmp/x', 'S3:/bucket'])
      expect(() => loadConfig({ LAKEQL_LAKE: lake }), lake).toThrow(/LAKEQL_LAKE/);
  });
});

describe('classifying a lake that fails its first request', () => {
  // moto_server accepts any credentials, so no local server can refuse them: the store's own
  // translation of the S3 error names is checked here instead, end to end from the SDK's names.
  const fromS3 = (name: string, status: number) =>
    translateS3Error(Object.assign(new Error(name), { name, Code: name, $metadata: { httpStatusCode: status } }), {
      operation: 'ListObjectsV2',
      bucket: 'b',
    });

  it('tells refused credentials, denied access, a missing bucket and transient failures apart', () => {
    for (const name of ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken'])
      expect(classifyLakeFailure(fromS3(name, 403)), name).toBe('credentials');
    expect(classifyLakeFailure(fromS3('AccessDenied', 403))).toBe('denied');
    expect(classifyLakeFailure(fromS3('NoSuchBucket', 404))).toBe('missing');
    expect(classifyLakeFailure(fromS3('SlowDown', 503))).toBe('transient');
    expect(classifyLakeFailure(fromS3('InternalError', 500))).toBe('transient');
    expect(classifyLakeFailure(new Error('boom'))).toBe('other');
  });

  const failing = (errors: unknown[]): ObjectStore & { calls: number } => {
    const store = {
      calls: 0,
      list: async () => {
        const e = errors[store.calls++];
        if (e) throw e;
        return { objects: [], prefixes: [] };
      },
    };
    return store as unknown as ObjectStore & { calls: number };
  };

  it('stops at once on refused credentials, retries transient failures with a warning each', async () => {
    const denied = failing([new UnauthenticatedError('bad key', { store: 's3', backendCode: 'InvalidAccessKeyId' })]);
    await expect(checkLake(denied, { name: 's3://b/', sleep: async () => {} })).rejects.toThrow(
      /refused the AWS credentials/,
    );
    expect(denied.calls).toBe(1);
    const flaky = failing([new StoreError('reset', { retryable: true }), new StoreError('reset', { retryable: true })]);
    const warnings: string[] = [];
    await checkLake(flaky, { name: 's3://b/', sleep: async () => {}, warn: (m) => warnings.push(m) });
    expect(flaky.calls).toBe(3);
    expect(warnings).toHaveLength(2);
    const down = failing(Array.from({ length: 9 }, () => new StoreError('connect ECONNREFUSED', { retryable: true })));
    await expect(checkLake(down, { name: 's3://b/', attempts: 3, sleep: async () => {} })).rejects.toThrow(
      /still unreachable after 3 tries/,
    );
    expect(down.calls).toBe(3);
    await expect(
      checkLake(failing([new NotFoundError('x', { backendCode: 'NoSuchBucket' })]), { name: 's3://b/' }),
    ).rejects.toThrow(/bucket does not exist/);
    await expect(checkLake(failing([new PermissionDeniedError('x')]), { name: 's3://b/' })).rejects.toThrow(
      /denied access/,
    );
    await expect(checkLake(failing([new InvalidInputError('x')]), { name: 's3://b/' })).rejects.toThrow(
      /cannot be used/,
    );
  });
});
