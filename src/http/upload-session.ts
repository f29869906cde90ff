// One GraphQL multipart request on @fastify/busboy: operations and map first, then each file handed to its slot as it arrives.
import type { BusboyInstance } from '@fastify/busboy';
import type { Readable } from 'node:stream';
import type { GraphQLError } from 'graphql';
import { gatewayError } from './error-response.js';
import { describeParserError, MAX_FIELD_BYTES, multipartParser } from './multipart-parser.js';
import type { RequestClock, SetTimer } from './request-clock.js';
import { watchStall } from './stall-watch.js';
import { MAX_FILES, parseOperations, placeFiles, UploadMapError, type PlaceOptions } from './upload-map.js';
import { UploadSlot, type SlotHost } from './upload-slot.js';

export interface SessionOptions extends Omit<PlaceOptions, 'schema'> {
  schema: () => PlaceOptions['schema'];
  clock: RequestClock;
  spillDir: string;
  setTimer: SetTimer;
  /** Cuts the connection: a body still arriving LAKEQL_REQUEST_TIMEOUT_MS after the answer, without a byte. */
  abortConnection: () => void;
  /** Calls back once if the client closes the connection before its body has all arrived. */
  onClientGone?: (listener: () => void) => void;
}

/**
 * Files stream to resolvers in whatever order they read them. Busboy hands parts over one at a
 * time, so a part nobody reads yet holds the parser (and, through TCP, the client) until a
 * resolver asks for it or the operation answers; if a resolver asks for a later part meanwhile,
 * the held part (or the rest of a part whose reader stopped reading) is appended to a temp file
 * instead. Disk use is therefore bounded by the request body (LAKEQL_MAX_UPLOAD_BYTES plus the
 * fields' overhead) and happens only in that case; files the operation never reads are read and
 * dropped. After the answer the rest of the body is drained, not cut, so the connection stays usable.
 */
export class UploadSession implements SlotHost {
  finished = false;
  readonly spillDir: string;
  private readonly slots = new Map<string, UploadSlot>();
  private current?: UploadSlot;
  private operations?: Record<string, unknown>;
  private placed = false;
  private failure?: Error;
  private onFailure: (() => void)[] = [];
  private resolveParams!: (params: Record<string, unknown>) => void;
  private rejectParams!: (error: unknown) => void;
  /** The body will not arrive whole (timed out, or its client left): an answer must close the connection. */
  private bodyCut = false;
  private markRead!: () => void;
  /** Settles once the body has been read to its end, or cannot be (cut off, failed to arrive). */
  private readonly bodyRead = new Promise<void>((resolve) => {
    this.markRead = resolve;
  });
  private markEnded!: () => void;
  /** Settles once the slots are finished (the answer) or failed, and their temp files removed. */
  private readonly ended = new Promise<void>((resolve) => {
    this.markEnded = resolve;
  });
  private reader?: ReadableStreamDefaultReader<Uint8Array>;
  /** Chunks of the body read so far: the drain watch cuts a body that brings none for a timeout. */
  private chunks = 0;
  private bodyDone = false;
  private stopDrainWatch?: () => void;
  private readonly params = new Promise<Record<string, unknown>>((resolve, reject) => {
    this.resolveParams = resolve;
    this.rejectParams = reject;
  });

  constructor(
    private readonly request: Request,
    private readonly options: SessionOptions,
  ) {
    this.spillDir = options.spillDir;
    // Unobserved when the request fails after execution began; the resolvers then see the failure instead.
    this.params.catch(() => {});
    options.clock.onExpire(() => {
      this.bodyCut = true;
      this.fail(
        this.placed
          ? gatewayError(
              504,
              'TIMEOUT',
              `the request took longer than ${options.clock.budgetMs} ms without upload bytes flowing (LAKEQL_REQUEST_TIMEOUT_MS)`,
            )
          : gatewayError(
              408,
              'TIMEOUT',
              `the operations and map of this multipart request did not arrive within ${options.clock.budgetMs} ms (LAKEQL_REQUEST_TIMEOUT_MS)`,
              {},
              { connection: 'close' },
            ),
      );
    });
  }

  /** Yoga's request parser: resolves with the GraphQL params once `map` has arrived; the files keep streaming. */
  parse(): Promise<Record<string, unknown>> {
    let busboy: BusboyInstance | undefined;
    try {
      busboy = this.busboy();
    } catch (error) {
      this.fail(badRequest(`invalid multipart request: ${(error as Error).message}`));
    }
    // The body stream does not always end when its connection does: without this, only the drain watch would free a client that left.
    this.options.onClientGone?.(() => {
      if (this.bodyDone) return;
      this.bodyCut = true;
      this.fail(badRequest('the request body was cut off'));
      void this.reader?.cancel().catch(() => {});
    });
    void this.pump(busboy).finally(() => {
      this.bodyDone = true;
      this.stopDrainWatch?.();
      this.markRead();
    });
    return this.params;
  }

  /**
   * Whether the body has been read to its end within `ms` (at once false once it is known cut: a
   * timeout, or a client that left). An answer sent before that must close the connection: a
   * client that stops sending when it sees an early answer would otherwise reuse a connection
   * whose last body never ended.
   */
  async bodyReadWithin(ms: number): Promise<boolean> {
    if (this.bodyCut) return false;
    let cancel = () => {};
    const late = new Promise<boolean>((resolve) => {
      cancel = this.options.setTimer(() => resolve(false), ms);
    });
    return Promise.race([this.bodyRead.then(() => !this.bodyCut), late]).finally(cancel);
  }

  /** The operation has answered: unread files are discarded, spills removed before the response goes out. */
  async finish(): Promise<void> {
    this.finished = true;
    this.options.clock.stop();
    this.watchDrain();
    await Promise.all([...this.slots.values()].map((slot) => slot.finish()));
    this.markEnded();
  }

  /**
   * Settles once nothing of the request is left: its body read to the end or given up, and every
   * file's temp file removed (after the answer, or after a failure no answer may follow: a client
   * that left).
   */
  async closed(): Promise<void> {
    await this.bodyRead;
    await this.ended;
  }

  readerWaitsAhead(): boolean {
    for (const slot of this.slots.values()) if (slot.awaited) return true;
    return false;
  }

  readerWaiting(): void {
    if (this.current?.blocking) this.current.startSpill();
  }

  readerFull(slot: UploadSlot): void {
    if (this.readerWaitsAhead()) slot.startSpill();
  }

  flowed(): void {
    this.options.clock.flowed();
  }

  private busboy(): BusboyInstance {
    const busboy = multipartParser(this.request.headers.get('content-type') ?? '');
    busboy.on('field', (name, value, _nameTruncated, valueTruncated) => this.field(name, value, valueTruncated));
    busboy.on('file', (name, stream, filename, _encoding, mimetype) => this.file(name, stream, filename, mimetype));
    busboy.on('fieldsLimit', () =>
      this.fail(badRequest('a multipart request has exactly one "operations" and one "map" field')),
    );
    busboy.on('filesLimit', () => this.fail(badRequest(`a multipart request carries at most ${MAX_FILES} files`)));
    busboy.on('partsLimit', () => this.fail(badRequest(`a multipart request has at most ${MAX_FILES + 2} parts`)));
    busboy.on('error', (error: unknown) => this.fail(badRequest(describeParserError(error))));
    return busboy;
  }

  private field(name: string, value: string, truncated: boolean): void {
    if (this.failure) return;
    if (truncated)
      return this.fail(badRequest(`the multipart field "${name}" is larger than ${MAX_FIELD_BYTES} bytes`));
    try {
      if (name === 'operations') {
        if (this.operations) throw new UploadMapError('the multipart field "operations" appears twice');
        this.operations = parseOperations(value);
        return;
      }
      if (this.placed) throw new UploadMapError('the multipart field "map" appears twice');
      if (!this.operations) throw new UploadMapError('the multipart field "map" must come after "operations"');
      const { schema, ...place } = this.options;
      const files = placeFiles(
        this.operations,
        value,
        { ...place, schema: schema() },
        (field) => new UploadSlot(field, this),
      );
      for (const [field, slot] of files) this.slots.set(field, slot);
      this.placed = true;
      this.resolveParams(this.operations);
    } catch (error) {
      this.fail(error instanceof UploadMapError ? badRequest(error.message) : (error as Error));
    }
  }

  private file(
    name: string | undefined,
    stream: Readable,
    filename: string | undefined,
    mimetype: string | undefined,
  ): void {
    const slot = name === undefined ? undefined : this.slots.get(name);
    if (!this.placed && !this.failure)
      this.fail(badRequest('file parts must follow the "operations" and "map" fields'));
    if (!slot || this.failure || slot.arrived) {
      // Not named in map, a second part of the same name, or after a failure: read and dropped.
      stream.on('error', () => {});
      stream.resume();
      return;
    }
    this.current = slot;
    stream.once('end', () => {
      if (this.current === slot) this.current = undefined;
    });
    slot.arrive(stream, filename, mimetype);
  }

  /** Reads the body into busboy with its back-pressure; after a failure or the answer, reads on and drops it. */
  private async pump(busboy: BusboyInstance | undefined): Promise<void> {
    const body = this.request.body;
    if (!body) return this.fail(badRequest('a multipart request without a body'));
    const reader = body.getReader();
    this.reader = reader;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        return this.fail(badRequest('the request body was cut off'));
      }
      if (chunk.done) break;
      this.chunks++;
      if (busboy && !this.failure) await this.feed(busboy, chunk.value);
    }
    if (busboy && !this.failure)
      await new Promise<void>((resolve) => {
        busboy.once('finish', resolve);
        this.onFailure.push(resolve);
        busboy.end();
      });
    if (this.failure) return;
    if (!this.operations) return this.fail(badRequest('the multipart field "operations" is missing'));
    if (!this.placed) return this.fail(badRequest('the multipart field "map" is missing'));
    for (const slot of this.slots.values()) slot.missing();
  }

  /**
   * Once the request has answered or failed, the rest of the body is read and dropped while it
   * flows; a body that brings no byte for a request timeout is cut (connection closed, read
   * given up), so a stalled client holds nothing of the gateway's for longer.
   */
  private watchDrain(): void {
    if (this.bodyDone || this.stopDrainWatch) return;
    this.stopDrainWatch = watchStall({
      setTimer: this.options.setTimer,
      ms: this.options.clock.budgetMs,
      progress: () => this.chunks,
      done: () => this.bodyDone,
      onStall: () => {
        this.fail(badRequest('the rest of the request body stalled'));
        this.options.abortConnection();
        void this.reader?.cancel().catch(() => {});
      },
    });
  }

  private feed(busboy: BusboyInstance, chunk: Uint8Array): Promise<void> {
    return new Promise<void>((resolve) => {
      this.onFailure.push(resolve);
      busboy.write(chunk, () => resolve());
    }).finally(() => {
      this.onFailure = [];
    });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    if (!this.placed) this.rejectParams(error);
    void Promise.all([...this.slots.values()].map((slot) => slot.fail(error))).then(this.markEnded);
    this.watchDrain();
    for (const wake of this.onFailure) wake();
    this.onFailure = [];
  }
}

function badRequest(message: string): GraphQLError {
  return gatewayError(400, 'BAD_REQUEST', message);
}
