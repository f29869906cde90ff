// Helpers for multi-instance tests: a real redis-server, gateway child processes, GraphQL and SSE clients.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * LAKEQL_TEST_REDIS_URL when set (CI starts one), else a private redis-server on a free port. A
 * machine without redis-server fails here rather than skipping: the Debian package is one
 * `apt-get install -y redis-server` away, and .ci/run installs it.
 */
export async function startRedis(): Promise<RedisServer> {
  if (process.env.LAKEQL_TEST_REDIS_URL) return { url: process.env.LAKEQL_TEST_REDIS_URL, stop: async () => {} };
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`redis-server could not start (apt-get install -y redis-server): ${error.message}`)),
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface Instance {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A gateway process (test/scale/instance.ts) with these LAKEQL_* settings. */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'instance.ts')], {
    env: {
      ...process.env,
      LAKEQL_PORT: '0',
      LAKEQL_DEMO: 'never',
      LAKEQL_RATE_LIMIT: 'off',
      LAKEQL_LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (line.startsWith('{"url"')) {
      lines.on('line', () => {});
      const { url } = JSON.parse(line) as { url: string };
      return {
        url,
        child,
        stop: () =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
  }
  throw new Error('the gateway exited before listening');
}

/** lakeql's own count of body bytes this process sent to S3 or received from it (lakeql_s3_bytes_total). */
export async function s3Bytes(url: string, direction: 'sent' | 'received' = 'sent'): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const line = text.split('\n').find((l) => l.startsWith(`lakeql_s3_bytes_total{direction="${direction}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

export async function gqlAt<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ data?: T; errors?: any[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: any[] };
}

/** Follows a subscription over SSE (yoga's default transport) until the stream ends; returns every `data` payload. */
export async function sse<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  onEvent?: (event: T) => void,
): Promise<T[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
  });
  const events: T[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n');
      if (/^event: complete/m.test(block)) return events;
      if (data) {
        const event = JSON.parse(data) as T;
        events.push(event);
        onEvent?.(event);
      }
    }
  }
  return events;
}
