// One file of a GraphQL multipart request: the value its resolver reads (UploadedFile) and where the parser's bytes for it go.
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import type { UploadedFile } from '../services/uploaded-file.js';
import { gatewayError } from './error-response.js';
import { SpillFile } from './spill-file.js';

/** What a slot asks of the request it belongs to. */
export interface SlotHost {
  /** The operation has answered: parts arriving from now on are discarded. */
  readonly finished: boolean;
  readonly spillDir: string;
  /** Some resolver waits for a part that comes later in the body, so the parser must not wait on this one. */
  readerWaitsAhead(): boolean;
  /** A resolver began reading a slot whose part has not arrived. */
  readerWaiting(slot: UploadSlot): void;
  /** A live slot's reader is full: the parser now waits on it. */
  readerFull(slot: UploadSlot): void;
  /** A chunk reached a resolver (stops the request clock). */
  flowed(): void;
}

/**
 * - waiting: the part has not arrived (a reader may already hold the stream)
 * - held: arrived, nobody reads it yet; the parser waits (back-pressure up to the client)
 * - live: streamed to its reader as it arrives, with back-pressure
 * - spill: appended to a temp file (a reader, now or later, reads behind the writer)
 * - discard: read and thrown away; done / failed: nothing more will come
 */
type Mode = 'waiting' | 'held' | 'live' | 'spill' | 'discard' | 'done' | 'failed';

const STREAM_HWM = 64 * 1024;

export class UploadSlot {
  private mode: Mode = 'waiting';
  private part?: Readable;
  private partEnded = false;
  private out?: Readable;
  private spill?: SpillFile;
  private spillReading = false;
  private spillReaderWaiting = false;
  filename = 'file';
  mimetype = 'application/octet-stream';
  /** What resolvers receive: nothing of the parser's internals shows in an error message or a log. */
  readonly file: UploadedFile;

  constructor(
    readonly field: string,
    private readonly host: SlotHost,
  ) {
    this.file = new MultipartFile(this);
  }

  /** A resolver holds the stream and the part has not arrived yet. */
  get awaited(): boolean {
    return this.mode === 'waiting' && this.out !== undefined;
  }

  get arrived(): boolean {
    return this.part !== undefined;
  }

  /** The part's headers arrived; `part` is busboy's stream of its bytes. */
  arrive(part: Readable, filename: string | undefined, mimetype: string | undefined): void {
    this.part = part;
    if (filename) this.filename = filename;
    if (mimetype) this.mimetype = mimetype;
    // One listener for the whole life of the part: removing a 'data' listener would not pause the stream, and bytes would be lost.
    // Paused first, so the 'data' listener does not start the flow.
    part.pause();
    part.on('data', (chunk: Buffer) => this.onData(chunk));
    part.on('end', () => this.onEnd());
    part.on('error', () => void this.fail(badRequest(`the body ends inside file "${this.field}"`)));
    if (this.mode === 'failed' || this.mode === 'done') return void part.resume();
    if (this.out) return this.goLive();
    if (this.host.finished) return this.discard();
    this.mode = 'held';
    if (this.host.readerWaitsAhead()) this.startSpill();
  }

  /** UploadedFile.stream(): callable once. */
  open(): Readable {
    if (this.out) throw badRequest(`file "${this.field}" is read twice: map each file to one variable path`);
    const out = new Readable({
      highWaterMark: STREAM_HWM,
      read: () => this.pull(),
      destroy: (error, callback) => {
        this.readerGone();
        callback(error);
      },
    });
    // The error still reaches the reader's own listeners and iterators; this one keeps a reader that has
    // none (one that gave up with resume()) from turning it into an uncaught exception.
    out.on('error', () => {});
    this.out = out;
    if (this.mode === 'failed' || this.mode === 'done' || this.mode === 'discard') {
      out.destroy(
        badRequest(`file "${this.field}" can no longer be read: the operation has answered or the request failed`),
      );
    } else if (this.mode === 'held') this.goLive();
    else if (this.mode === 'waiting') this.host.readerWaiting(this);
    return out;
  }

  /** Called by the host when the parser must move on: this part's bytes go to disk from now on. */
  startSpill(): void {
    if (this.mode !== 'held' && this.mode !== 'live') return;
    this.mode = 'spill';
    this.spill = new SpillFile(this.host.spillDir);
    this.part?.resume();
  }

  /** True while the parser waits on this slot (held, or live with a full reader). */
  get blocking(): boolean {
    return this.mode === 'held' || (this.mode === 'live' && this.part?.isPaused() === true && !this.partEnded);
  }

  /** The body ended without this part. */
  missing(): void {
    if (this.mode === 'waiting')
      this.fail(badRequest(`file "${this.field}" named in "map" is missing from the request`));
  }

  /** The request failed: the reader gets `error`, the rest is discarded, the spill removed. */
  fail(error: Error): Promise<void> {
    if (this.mode === 'done' || this.mode === 'failed') return this.dispose();
    this.mode = 'failed';
    if (this.out && !this.out.destroyed) this.out.destroy(error);
    this.part?.resume();
    return this.dispose();
  }

  /** The operation has answered: whatever is left is discarded and the spill removed. */
  finish(): Promise<void> {
    if (this.mode === 'waiting') this.mode = 'done';
    else if (this.mode !== 'done' && this.mode !== 'failed') {
      if (this.out && !this.out.destroyed && !this.out.readableEnded)
        this.out.destroy(badRequest(`file "${this.field}" was still being read when the operation answered`));
      this.discard();
    }
    return this.dispose();
  }

  private goLive(): void {
    this.mode = 'live';
    this.part?.resume();
  }

  private discard(): void {
    this.mode = this.partEnded ? 'done' : 'discard';
    this.part?.resume();
    void this.dispose();
  }

  private dispose(): Promise<void> {
    const spill = this.spill;
    return spill ? spill.dispose() : Promise.resolve();
  }

  private onData(chunk: Buffer): void {
    if (this.mode === 'live') {
      this.host.flowed();
      if (!this.out!.push(chunk)) {
        this.part!.pause();
        this.host.readerFull(this);
      }
    } else if (this.mode === 'spill') {
      const spill = this.spill!;
      this.part!.pause();
      spill.append(chunk).then(
        () => {
          if (this.mode !== 'spill') return;
          this.part!.resume();
          if (this.spillReaderWaiting) this.readSpill();
          // A server fault (disk full, temp directory gone): masked for the client, logged by yoga.
        },
        (error: Error) =>
          void this.fail(new Error(`could not keep file "${this.field}" until it is read: ${error.message}`)),
      );
    }
    // held parts are paused, so no data; discarded and failed ones drop their bytes.
  }

  private onEnd(): void {
    this.partEnded = true;
    if (this.mode === 'live') {
      this.mode = 'done';
      this.out!.push(null);
    } else if (this.mode === 'spill') {
      this.spill!.end();
      if (this.spillReaderWaiting) this.readSpill();
    } else if (this.mode === 'discard') this.mode = 'done';
  }

  /** The reader wants more. */
  private pull(): void {
    if (this.mode === 'live' && !this.partEnded) this.part?.resume();
    else if (this.mode === 'spill') this.readSpill();
  }

  private readSpill(): void {
    if (this.spillReading || !this.out || this.out.destroyed) return;
    this.spillReading = true;
    this.spillReaderWaiting = false;
    this.spill!.read().then(
      (chunk) => {
        this.spillReading = false;
        if (this.mode !== 'spill' || !this.out || this.out.destroyed) return;
        if (chunk === undefined) {
          this.spillReaderWaiting = true;
        } else if (chunk === null) {
          this.mode = 'done';
          this.out.push(null);
          void this.dispose();
        } else {
          this.host.flowed();
          if (this.out.push(chunk)) this.readSpill();
        }
      },
      (error: Error) => {
        this.spillReading = false;
        void this.fail(new Error(`could not read back file "${this.field}": ${error.message}`));
      },
    );
  }

  /** The reader destroyed its stream (or finished it): nothing more is owed to it. */
  private readerGone(): void {
    if (this.mode === 'live' || this.mode === 'spill' || this.mode === 'held') this.discard();
    else void this.dispose();
  }
}

/** The value a File variable carries. A class with a clear name, and printed as its file name only. */
class MultipartFile implements UploadedFile {
  readonly #slot: UploadSlot;

  constructor(slot: UploadSlot) {
    this.#slot = slot;
  }

  get filename(): string {
    return this.#slot.filename;
  }

  get mimetype(): string {
    return this.#slot.mimetype;
  }

  stream(): Readable {
    return this.#slot.open();
  }

  /** graphql-js prints a variable's value in coercion errors through toJSON. */
  toJSON(): string {
    return `<file "${this.#slot.field}">`;
  }

  [inspect.custom](): string {
    return this.toJSON();
  }
}

function badRequest(message: string) {
  return gatewayError(400, 'BAD_REQUEST', message);
}
