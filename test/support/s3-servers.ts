// The S3 servers tests run against (S3_ENDPOINT, MinIO in a container, moto_server), started once per vitest run.
//
// In a test file (the global setup in vitest.config.ts has already started them):
//
//   import { s3Servers, skippedS3Servers, createBucket, s3StoreOn } from '../support/s3-servers.js';
//   for (const server of s3Servers()) {
//     describe(`catalog on ${server.name}`, () => {
//       let store: S3Store;
//       beforeAll(async () => { store = s3StoreOn(server, await createBucket(server, 'catalog')); });
//       afterAll(() => store.close());
//       it('lists', async () => { ... });
//     });
//   }
//   for (const { name, reason } of skippedS3Servers()) it.skip(`catalog on ${name}: ${reason}`, () => {});
//
// Child processes (lakeql itself, the AWS CLI) reach a server through `server.env`.
//
// Servers: S3_ENDPOINT (+ AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_REGION, and S3_SERVER_NAME,
// S3_SERVER_LACKS=capability,capability) when set; MinIO when a container runtime answers; moto_server
// when on PATH (missing moto is an error when CI is set, a printed skip otherwise).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  AbortMultipartUploadCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { createS3Client } from '../../src/lake/store/s3/client.js';
import { S3Store, type S3StoreOptions } from '../../src/lake/store/s3/store.js';

/** What a server can do; the conformance suite skips, by name, what it cannot. */
export interface S3Capabilities {
  /** `If-None-Match: *` on PUT is refused with 412 when the key exists. */
  createOnly: boolean;
  /** Of several concurrent create-only PUTs of one key, exactly one succeeds. */
  atomicCreate: boolean;
  /** CreateMultipartUpload / UploadPart / CompleteMultipartUpload / AbortMultipartUpload. */
  multipart: boolean;
  listMultipartUploads: boolean;
  /** Presigned GET and PUT URLs are honoured. */
  presign: boolean;
  /** `Range: bytes=-N` returns the last N bytes. */
  suffixRange: boolean;
  /** UploadPart / CompleteMultipartUpload on an aborted upload answer 404 NoSuchUpload. */
  noSuchUpload: boolean;
}

export interface S3Server {
  name: string;
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  capabilities: S3Capabilities;
  /** Why each missing capability is missing, for skip messages. */
  lacking: Partial<Record<keyof S3Capabilities, string>>;
  /** AWS_* variables pointing a child process at this server. */
  env: Record<string, string>;
}

export interface S3ServerSkip {
  name: string;
  reason: string;
}

export interface S3ServersInfo {
  servers: S3Server[];
  skipped: S3ServerSkip[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    lakeqlS3: S3ServersInfo;
  }
}

const ALL: S3Capabilities = {
  createOnly: true,
  atomicCreate: true,
  multipart: true,
  listMultipartUploads: true,
  presign: true,
  suffixRange: true,
  noSuchUpload: true,
};

/** What moto_server 5.x gets wrong, found by the conformance suite. */
const MOTO_LACKS: Partial<Record<keyof S3Capabilities, string>> = {
  noSuchUpload:
    'moto answers HTTP 500 (not 404 NoSuchUpload) to UploadPart and CompleteMultipartUpload on an aborted upload',
};

function capabilitiesWithout(lacking: Partial<Record<keyof S3Capabilities, string>>): S3Capabilities {
  return Object.fromEntries(
    Object.entries(ALL).map(([name]) => [name, !(name in lacking)]),
  ) as unknown as S3Capabilities;
}

function provided(): S3ServersInfo {
  const info = inject('lakeqlS3');
  if (!info)
    throw new Error('no S3 servers were provided: run tests through vitest.config.ts (its globalSetup starts them)');
  return info;
}

/** The servers reachable in this run (possibly none). */
export function s3Servers(): S3Server[] {
  return provided().servers;
}

/** Servers that could not be used, with why; skip tests for them by name. */
export function skippedS3Servers(): S3ServerSkip[] {
  return provided().skipped;
}

/** Client settings for a server, for `createS3Client` or `new S3Store({ clientConfig })`. */
export function s3ClientConfig(server: S3Server): S3ClientConfig {
  return { endpoint: server.endpoint, region: server.region, credentials: server.credentials, forcePathStyle: true };
}

export function s3StoreOn(
  server: S3Server,
  bucket: string,
  options: Omit<S3StoreOptions, 'bucket' | 'client' | 'clientConfig'> = {},
): S3Store {
  return new S3Store({ ...options, bucket, clientConfig: s3ClientConfig(server) });
}

/** A new, empty bucket with a unique 3–63 character name; `hint` (e.g. the test file) makes it recognisable. */
export async function createBucket(server: S3Server, hint = 'test'): Promise<string> {
  const slug =
    hint
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'test';
  const bucket = `lakeql-${slug}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`
    .slice(0, 63)
    .replace(/-+$/, '');
  const client = createS3Client(s3ClientConfig(server));
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return bucket;
}

/** Empties (objects and unfinished uploads) and removes a bucket; for servers that outlive the run. */
export async function deleteBucket(server: S3Server, bucket: string): Promise<void> {
  const client = createS3Client(s3ClientConfig(server));
  try {
    for (;;) {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = (page.Contents ?? []).map((c) => ({ Key: c.Key! }));
      if (keys.length === 0) break;
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    }
    const uploads = await client
      .send(new ListMultipartUploadsCommand({ Bucket: bucket }))
      .catch(() => ({ Uploads: [] }));
    for (const u of uploads.Uploads ?? [])
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }));
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'NoSuchBucket') throw error;
  } finally {
    client.destroy();
  }
}

function serverFor(
  name: string,
  endpoint: string,
  credentials: S3Server['credentials'],
  region: string,
  lacking: S3Server['lacking'] = {},
): S3Server {
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  return { name, endpoint, region, credentials, capabilities: capabilitiesWithout(lacking), lacking, env };
}

interface Started {
  server: S3Server;
  stop(): Promise<void>;
}

/** Starts every server this machine offers. For the global setup; test files use `s3Servers()`. */
export async function startS3Servers(): Promise<S3ServersInfo & { stop(): Promise<void> }> {
  const started: Started[] = [];
  const skipped: S3ServerSkip[] = [];
  const endpoint = process.env.S3_ENDPOINT;
  if (endpoint) {
    const lacks = (process.env.S3_SERVER_LACKS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const lacking = Object.fromEntries(lacks.map((name) => [name, 'listed in S3_SERVER_LACKS']));
    const credentials = {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
      sessionToken: process.env.AWS_SESSION_TOKEN,
    };
    started.push({
      server: serverFor(
        process.env.S3_SERVER_NAME ?? 'env',
        endpoint,
        credentials,
        process.env.AWS_REGION ?? 'us-east-1',
        lacking,
      ),
      stop: async () => {},
    });
  }
  const outcomes = await Promise.allSettled([startMinio(), startMoto()]);
  const stopAll = async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
  };
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') {
      await stopAll();
      throw outcome.reason;
    }
    if ('reason' in outcome.value) skipped.push(outcome.value);
    else started.push(outcome.value);
  }
  for (const skip of skipped) console.warn(`[s3-servers] not testing against ${skip.name}: ${skip.reason}`);
  return { servers: started.map((s) => s.server), skipped, stop: stopAll };
}

async function startMinio(): Promise<Started | S3ServerSkip> {
  const name = 'minio';
  let tc: typeof import('testcontainers');
  try {
    tc = await import('testcontainers');
  } catch (error) {
    return { name, reason: `testcontainers does not load: ${(error as Error).message}` };
  }
  try {
    // Rejects within milliseconds when there is no container engine: the cheap way to decide.
    await tc.getContainerRuntimeClient();
  } catch (error) {
    return { name, reason: `no container runtime (${(error as Error).message})` };
  }
  const credentials = { accessKeyId: 'lakeql', secretAccessKey: 'lakeql-secret' };
  const container = await new tc.GenericContainer('minio/minio')
    .withCommand(['server', '/data'])
    .withEnvironment({ MINIO_ROOT_USER: credentials.accessKeyId, MINIO_ROOT_PASSWORD: credentials.secretAccessKey })
    .withExposedPorts(9000)
    .withWaitStrategy(tc.Wait.forHttp('/minio/health/live', 9000))
    .start();
  const endpoint = `http://${container.getHost()}:${container.getMappedPort(9000)}`;
  return {
    server: serverFor(name, endpoint, credentials, 'us-east-1'),
    stop: async () => {
      await container.stop();
    },
  };
}

async function startMoto(): Promise<Started | S3ServerSkip> {
  const name = 'moto';
  const bin = await onPath('moto_server');
  if (!bin) {
    const reason = 'moto_server is not on PATH (pip install "moto[server]")';
    if (process.env.CI) throw new Error(`CI: ${reason}; the S3 tests cannot run`);
    return { name, reason };
  }
  let lastError: unknown;
  // A port found free can be taken before moto binds it; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 50) output.shift();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitUntilAnswering(endpoint, child, output);
      const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
      const stop = async () => {
        process.removeListener('exit', killOnExit);
        await stopChild(child);
      };
      return { server: serverFor(name, endpoint, credentials, 'us-east-1', MOTO_LACKS), stop };
    } catch (error) {
      lastError = error;
      process.removeListener('exit', killOnExit);
      await stopChild(child);
    }
  }
  throw lastError;
}

async function onPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  output: string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `moto_server exited (${child.exitCode ?? child.signalCode}) before answering:\n${output.join('')}`,
      );
    }
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      return; // any HTTP answer means it is serving
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`moto_server did not answer at ${endpoint} within ${timeoutMs} ms:\n${output.join('')}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
