// Pieces of the multipart tests: a gateway child process with a watched spill directory, body builders, and raw-socket HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface Gateway {
  url: string;
  port: number;
  /** Where the gateway spills uploads (also its TMPDIR). */
  spillDir: string;
  child: ChildProcess;
  /** Whatever the process wrote to stderr (an uncaught exception shows here). */
  stderr(): string;
  stop(): Promise<void>;
}

/** The real app in its own process, so a crash is seen as an exit rather than taking the test runner down. */
export async function startGateway(env: Record<string, string> = {}): Promise<Gateway> {
  const root = await mkdtemp(path.join(tmpdir(), 'lakeql-multipart-'));
  const lake = path.join(root, 'lake');
  const spillDir = path.join(root, 'spill');
  await import('node:fs/promises').then((fs) => Promise.all([fs.mkdir(lake), fs.mkdir(spillDir)]));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'upload-gateway.ts')], {
    env: {
      ...process.env,
      LAKEQL_PORT: '0',
      LAKEQL_HOST: '127.0.0.1',
      LAKEQL_DEMO: 'never',
      LAKEQL_RATE_LIMIT: 'off',
      LAKEQL_LOG_LEVEL: 'silent',
      LAKEQL_LAKE: lake,
      TEST_UPLOAD_SPILL_DIR: spillDir,
      TMPDIR: spillDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (!line.startsWith('{"url"')) continue;
    lines.on('line', () => {});
    const { url } = JSON.parse(line) as { url: string };
    return {
      url,
      port: Number(new URL(url).port),
      spillDir,
      child,
      stderr: () => stderr,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          await new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          });
        }
        await rm(root, { recursive: true, force: true });
      },
    };
  }
  throw new Error(`the gateway exited before listening: ${stderr}`);
}

/** Spill files left in the gateway's spill directory (tsx's own cache directory there is not one). */
export async function spillFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('lakeql-upload-'));
}

/**
 * The gateway's `lakeql_http_requests_in_flight` and `lakeql_http_requests_received_total`, read
 * by a scrape that counts itself in both (so an idle gateway reads 1 in flight).
 */
export async function httpRequests(url: string, key?: string): Promise<{ inFlight: number; received: number }> {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const text = await (await fetch(new URL('/metrics', url), { headers })).text();
  const read = (name: string) => {
    const line = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
    if (!line) throw new Error(`the gateway reports no ${name}`);
    return Number(line[1]);
  };
  return { inFlight: read('lakeql_http_requests_in_flight'), received: read('lakeql_http_requests_received_total') };
}

/** Polls until `check` holds or `ms` pass; returns the last value. */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface Part {
  /** Undefined: a part without a name. */
  name?: string;
  filename?: string;
  type?: string;
  /** Replaces the generated header lines. */
  rawHeaders?: string;
  data: string | Uint8Array;
}

export function multipartBody(
  parts: Part[],
  boundary: string,
  options: { preamble?: string; epilogue?: string; close?: boolean } = {},
): Buffer {
  const chunks: Buffer[] = [Buffer.from(options.preamble ?? '')];
  for (const part of parts) {
    const disposition = `form-data${part.name === undefined ? '' : `; name="${part.name}"`}${part.filename ? `; filename="${part.filename}"` : ''}`;
    const headers =
      part.rawHeaders ?? `Content-Disposition: ${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\n${headers}\r\n`), Buffer.from(part.data), Buffer.from('\r\n'));
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  chunks.push(Buffer.from(options.epilogue ?? ''));
  return Buffer.concat(chunks);
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type RawOutcome =
  | {
      kind: 'response';
      response: RawResponse;
      socket: Socket /** The whole body was written before the answer came. */;
      sentAll?: boolean;
    }
  | { kind: 'reset'; error: string }
  | { kind: 'closed' }
  | { kind: 'no-answer' };

/** Reads one HTTP/1.1 response (Content-Length or chunked) from `socket`. */
export function readResponse(socket: Socket, waitMs: number): Promise<RawOutcome> {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    const done = (outcome: RawOutcome) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ kind: 'no-answer' }), waitMs);
    const onError = (error: Error) =>
      done({ kind: 'reset', error: (error as NodeJS.ErrnoException).code ?? error.message });
    const onClose = () => done({ kind: 'closed' });
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const parsed = parseResponse(buffer);
      if (parsed) {
        if (parsed.rest.length) socket.unshift(parsed.rest);
        done({ kind: 'response', response: parsed.response, socket });
      }
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

function parseResponse(buffer: Buffer): { response: RawResponse; rest: Buffer } | undefined {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine.split(' ')[1]);
  let at = end + 4;
  if (headers['transfer-encoding']?.includes('chunked')) {
    const body: Buffer[] = [];
    for (;;) {
      const eol = buffer.indexOf('\r\n', at);
      if (eol < 0) return undefined;
      const size = parseInt(buffer.subarray(at, eol).toString(), 16);
      if (buffer.length < eol + 2 + size + 2) return undefined;
      body.push(buffer.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
      if (size === 0)
        return { response: { status, headers, body: Buffer.concat(body).toString() }, rest: buffer.subarray(at) };
    }
  }
  const length = Number(headers['content-length'] ?? 0);
  if (buffer.length < at + length) return undefined;
  return {
    response: { status, headers, body: buffer.subarray(at, at + length).toString() },
    rest: buffer.subarray(at + length),
  };
}

export interface SendPlan {
  headers: Record<string, string>;
  body: Buffer;
  /** Byte offsets at which the body is split into separate writes. */
  splits?: number[];
  /** Milliseconds to wait before each piece after the first. */
  pauseMs?: (piece: number) => number;
  chunked?: boolean;
  /** Send only this many body bytes, then: 'abort' destroys the socket, 'stall' waits for the answer. */
  cutAt?: number;
  cut?: 'abort' | 'stall';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** POSTs `plan.body` to /graphql over a fresh socket, written piece by piece; resolves with what came back. */
export async function sendRaw(port: number, plan: SendPlan, waitMs = 15_000): Promise<RawOutcome> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  socket.on('error', () => {});
  const refused = await new Promise<string | undefined>((resolve) => {
    socket.once('connect', () => resolve(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  if (refused) return { kind: 'reset', error: `connect: ${refused}` };
  const answer = readResponse(socket, waitMs);
  const head = Object.entries({
    host: '127.0.0.1',
    ...plan.headers,
    ...(plan.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(plan.body.length) }),
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(`POST /graphql HTTP/1.1\r\n${head}\r\n`);
  const limit = plan.cutAt ?? plan.body.length;
  const cuts = [...new Set([0, ...(plan.splits ?? []).filter((s) => s > 0 && s < limit), limit])].sort((a, b) => a - b);
  let answered = false;
  let written = 0;
  void answer.then(() => {
    answered = true;
  });
  for (let i = 0; i + 1 < cuts.length && !answered && !socket.destroyed; i++) {
    const pause = i > 0 ? (plan.pauseMs?.(i) ?? 0) : 0;
    if (pause > 0) await sleep(pause);
    const piece = plan.body.subarray(cuts[i], cuts[i + 1]);
    socket.write(
      plan.chunked
        ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
        : piece,
    );
    written = cuts[i + 1];
  }
  if (plan.cut === 'abort') {
    await sleep(5);
    socket.destroy();
    return { kind: 'closed' };
  }
  const sentAll = plan.cutAt === undefined && written === plan.body.length && !socket.destroyed;
  if (plan.chunked && sentAll) socket.write('0\r\n\r\n');
  return answer.then((outcome) => (outcome.kind === 'response' ? { ...outcome, sentAll } : outcome));
}

/** GET /health on an open socket: proves the connection is intact and the server answers on it. */
export async function healthOn(socket: Socket): Promise<number | string> {
  if (socket.destroyed) return 'destroyed';
  const answer = readResponse(socket, 5000);
  socket.write('GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
  const outcome = await answer;
  return outcome.kind === 'response' ? outcome.response.status : outcome.kind;
}
