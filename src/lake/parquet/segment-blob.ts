// A Blob look-alike over byte ranges already fetched: all `ParquetFile.fromFile` needs (`size`, `slice(a, b)`, `arrayBuffer()`).
import type { Segment } from './read-footer.js';

/** Raised (inside the decoder) when the reader asks for bytes nobody fetched; the caller fetches them and tries again. */
export class MissingRangeError extends Error {
  constructor(readonly start: number, readonly end: number) {
    super(`bytes ${start}-${end} were not fetched`);
  }
}

export class SegmentBlob {
  /** Set when a slice fell outside the segments, so the failure can be told apart from a corrupt file. */
  missing?: MissingRangeError;

  constructor(readonly size: number, private readonly segments: Segment[]) {}

  slice(start = 0, end = this.size): { size: number; arrayBuffer(): Promise<ArrayBuffer> } {
    const a = Math.max(0, Math.min(start, this.size));
    const b = Math.max(a, Math.min(end, this.size));
    return { size: b - a, arrayBuffer: async () => this.read(a, b) };
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.read(0, this.size);
  }

  private read(a: number, b: number): ArrayBuffer {
    for (const s of this.segments) {
      if (s.start <= a && s.start + s.bytes.byteLength >= b) {
        const from = s.bytes.byteOffset + (a - s.start);
        // A fresh ArrayBuffer of exactly b - a bytes: the decoder copies it into wasm memory whole.
        return s.bytes.buffer.slice(from, from + (b - a)) as ArrayBuffer;
      }
    }
    this.missing = new MissingRangeError(a, b);
    throw this.missing;
  }
}
