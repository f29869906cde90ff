// GraphQL multipart requests (the spec graphql-upload defined) parsed as a stream: a file reaches its resolver while it arrives.
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { UploadedFile } from '../services/uploaded-file.js';
import { boundaryOf, MultipartError, parseMultipart, type PartSink } from './multipart.js';

/** Most bytes the `operations` and `map` fields may have. */
const MAX_FIELD_BYTES = 1024 * 1024;

/**
 * Yoga's built-in parser collects each file in memory before execution starts. This one resolves
 * the operation as soon as `operations` and `map` have arrived (the spec asks clients to send
 * them first) and hands each file over as a stream fed by the request body. A file part waits
 * until its resolver starts reading; if the operation finishes without reading it, the rest is
 * discarded; if a resolver reads a later file first, the waiting one is spilled to a temp file,
 * so a request never deadlocks and memory stays bounded.
 */
export function uploadPlugin(): Plugin {
  const sessions = new WeakMap<Request, Session>();
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST' || !/^multipart\/form-data/i.test(request.headers.get('content-type') ?? '')) return;
      setRequestParser((req) => {
        const session = new Session();
        sessions.set(req, session);
        return session.parse(req);
      });
    },
    onResponse({ request }) {
      sessions.get(request)?.finish();
    },
  };
}

class Session {
  private readonly files: StreamedFile[] = [];
  finished = false;

  async parse(request: Request): Promise<Record<string, unknown>> {
    const boundary = boundaryOf(request.headers.get('content-type'));
    if (!boundary || !request.body) throw badRequest('multipart request without a boundary or body');
    let operations: unknown;
    let ready!: (params: Record<string, unknown>) => void;
    let fail!: (error: unknown) => void;
    const params = new Promise<Record<string, unknown>>((resolve, reject) => { ready = resolve; fail = reject; });
    const byField = new Map<string, StreamedFile>();
    let resolved = false;
    const parsing = parseMultipart(request.body as unknown as AsyncIterable<Uint8Array>, boundary, async (part) => {
      if (part.name === 'operations') return textSink((text) => { operations = parseJson(text, 'operations'); });
      if (part.name === 'map') {
        return textSink((text) => {
          if (operations === undefined) throw badRequest('the "map" field must come after "operations"');
          const map = parseJson(text, 'map') as Record<string, unknown>;
          for (const [field, paths] of Object.entries(map ?? {})) {
            if (!Array.isArray(paths)) throw badRequest(`map entry "${field}" must be an array of paths`);
            const file = new StreamedFile(this);
            byField.set(field, file);
            this.files.push(file);
            for (const p of paths) setPath(operations, String(p), file);
          }
          resolved = true;
          ready(operations as Record<string, unknown>);
        });
      }
      const file = byField.get(part.name);
      if (!file) return undefined;
      file.describe(part.filename ?? part.name, part.contentType ?? 'application/octet-stream');
      return file.sink();
    });
    parsing.then(() => {
      if (!resolved) fail(badRequest(operations === undefined ? 'missing multipart field "operations"' : 'missing multipart field "map"'));
      for (const file of this.files) file.missing();
    }, (error: unknown) => {
      const failure = error instanceof MultipartError ? badRequest(`invalid multipart body: ${error.message}`) : error;
      if (!resolved) fail(failure);
      for (const file of this.files) file.fail(failure instanceof Error ? failure : new Error(String(failure)));
    });
    return params;
  }

  /** The operation has answered: files it did not read are discarded. */
  finish(): void {
    this.finished = true;
    for (const file of this.files) file.wake();
  }

  /** A resolver began reading `reader`: any earlier file still waiting for a reader is spilled to disk. */
  attached(reader: StreamedFile): void {
    for (const file of this.files) if (file !== reader) file.wake();
  }
}

class StreamedFile implements UploadedFile {
  filename = 'file';
  mimetype = 'application/octet-stream';
  private readonly pass = new PassThrough({ highWaterMark: 256 * 1024 });
  private reading = false;
  private arrived = false;
  private spillPath?: string;
  private spilled?: Promise<void>;
  private waiting?: () => void;

  constructor(private readonly session: Session) {}

  describe(filename: string, mimetype: string): void {
    this.filename = filename;
    this.mimetype = mimetype;
    this.arrived = true;
  }

  stream(): Readable {
    if (this.reading) throw badRequest(`file ${this.filename} was already read`);
    this.reading = true;
    this.session.attached(this);
    this.wake();
    if (this.spilled) {
      const pass = new PassThrough();
      void this.spilled.then(() => {
        const file = createReadStream(this.spillPath!);
        file.on('close', () => void rm(this.spillPath!, { force: true }));
        file.pipe(pass);
        file.on('error', (e) => pass.destroy(e));
      }, (e: Error) => pass.destroy(e));
      return pass;
    }
    return this.pass;
  }

  /** Where the parser writes this file's bytes: decided once a reader, the operation's end, or a later reader shows up. */
  async sink(): Promise<PartSink | undefined> {
    if (!this.reading && !this.session.finished) await new Promise<void>((resolve) => { this.waiting = resolve; });
    if (this.reading) return passSink(this.pass);
    if (this.session.finished) return undefined;
    this.spillPath = path.join(tmpdir(), `lakeql-upload-${randomBytes(8).toString('hex')}`);
    const out = createWriteStream(this.spillPath, { flags: 'wx' });
    let done!: () => void;
    let failed!: (e: Error) => void;
    this.spilled = new Promise<void>((resolve, reject) => { done = resolve; failed = reject; });
    out.on('error', failed);
    return {
      write: (chunk) => (out.write(chunk) ? undefined : new Promise<void>((r) => out.once('drain', r))),
      end: () => void out.end(done),
    };
  }

  wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  missing(): void {
    if (!this.arrived) this.fail(badRequest('a file named in "map" is missing from the request'));
  }

  fail(error: Error): void {
    if (!this.pass.writableEnded) this.pass.destroy(error);
  }
}

function passSink(pass: PassThrough): PartSink {
  return {
    write(chunk) {
      if (pass.destroyed) return; // the reader gave up: discard the rest
      if (pass.write(chunk)) return;
      return new Promise<void>((resolve) => {
        const go = () => { pass.off('drain', go); pass.off('close', go); resolve(); };
        pass.on('drain', go);
        pass.on('close', go);
      });
    },
    end() {
      if (!pass.destroyed) pass.end();
    },
  };
}

function textSink(onText: (text: string) => void): PartSink {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    write(chunk) {
      size += chunk.length;
      if (size > MAX_FIELD_BYTES) throw badRequest(`a multipart field is larger than ${MAX_FIELD_BYTES} bytes`);
      chunks.push(chunk);
    },
    end() {
      onText(Buffer.concat(chunks).toString('utf8'));
    },
  };
}

function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(`multipart field "${field}" is not valid JSON`);
  }
}

/** As yoga's own parser does it: `variables.file`, `0.variables.files.1`; no prototype keys. */
function setPath(target: unknown, keyPath: string, value: unknown): void {
  const keys = keyPath.split('.');
  let current = target as Record<string, unknown>;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') return;
    if (i === keys.length - 1) current[key] = value;
    else {
      if (typeof current[key] !== 'object' || current[key] === null) current[key] = {};
      current = current[key] as Record<string, unknown>;
    }
  }
}

function badRequest(message: string) {
  return createGraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}
