// A Blob look-alike over byte ranges already fetched: all `ParquetFile.fromFile` needs (`size`, `slice(a, b)`, `arrayBuffer()`).
import type { Segment } from './read-footer.js';

/**
 * Bytes outside the fetched segments come from `fetch`. parquet-wasm panics (a wasm trap that
 * kills its thread) when a slice's promise rejects, so a slice must never fail for want of bytes.
 */
export class SegmentBlob {
  /** Ranges served through `fetch`: a test (and the bench) can see that prefetching covered everything. */
  readonly fetched: { start: number; end: number }[] = [];

  constructor(
    readonly size: number,
    private readonly segments: Segment[],
    private readonly fetch: (start: number, end: number) => Promise<Uint8Array>,
  ) {}

  slice(start = 0, end = this.size): { size: number; arrayBuffer(): Promise<ArrayBuffer> } {
    const a = Math.max(0, Math.min(start, this.size));
    const b = Math.max(a, Math.min(end, this.size));
    return { size: b - a, arrayBuffer: () => this.read(a, b) };
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.read(0, this.size);
  }

  private async read(a: number, b: number): Promise<ArrayBuffer> {
    const local = this.fromSegments(a, b);
    if (local) return local;
    this.fetched.push({ start: a, end: b });
    const bytes = await this.fetch(a, b);
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : (bytes.slice().buffer as ArrayBuffer);
  }

  /** [a, b) from one segment, or stitched from several that together cover it (the reader merges adjacent chunks into one slice). */
  private fromSegments(a: number, b: number): ArrayBuffer | undefined {
    for (const s of this.segments) {
      if (s.start <= a && s.start + s.bytes.byteLength >= b) {
        const from = s.bytes.byteOffset + (a - s.start);
        return s.bytes.buffer.slice(from, from + (b - a)) as ArrayBuffer;
      }
    }
    const out = new Uint8Array(b - a);
    let covered = a;
    const overlapping = this.segments
      .filter((s) => s.start < b && s.start + s.bytes.byteLength > a)
      .sort((x, y) => x.start - y.start);
    for (const s of overlapping) {
      if (s.start > covered) return undefined;
      const end = Math.min(b, s.start + s.bytes.byteLength);
      if (end <= covered) continue;
      out.set(s.bytes.subarray(covered - s.start, end - s.start), covered - a);
      covered = end;
    }
    return covered >= b ? out.buffer : undefined;
  }
}
