// A streaming multipart/form-data parser: parts are handed over as they arrive, with back-pressure, never collected whole.

export interface PartInfo {
  name: string;
  filename?: string;
  contentType?: string;
}

/** Where a part's bytes go. `write` may return a promise: parsing waits for it (back-pressure). */
export interface PartSink {
  write(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

export class MultipartError extends Error {}

const MAX_HEADER_BYTES = 16 * 1024;

export function boundaryOf(contentType: string | null): string | undefined {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = m?.[1] ?? m?.[2];
  return boundary && boundary.length <= 70 ? boundary : undefined;
}

/**
 * Calls `onPart` at each part's headers; its sink (or none, to discard) receives the body in
 * order. Resolves after the closing boundary; rejects on malformed input or a sink's error.
 */
export async function parseMultipart(body: AsyncIterable<Uint8Array>, boundary: string, onPart: (part: PartInfo) => PartSink | undefined | Promise<PartSink | undefined>): Promise<void> {
  const opening = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let buf = Buffer.alloc(0);
  let state: 'preamble' | 'after-boundary' | 'headers' | 'body' | 'done' = 'preamble';
  let sink: PartSink | undefined;

  const step = async (final: boolean): Promise<boolean> => {
    if (state === 'preamble') {
      const i = buf.indexOf(opening);
      if (i < 0) {
        if (final) throw new MultipartError('no multipart boundary in the body');
        buf = buf.subarray(Math.max(0, buf.length - opening.length));
        return false;
      }
      buf = buf.subarray(i + opening.length);
      state = 'after-boundary';
      return true;
    }
    if (state === 'after-boundary') {
      if (buf.length < 2) {
        if (final) throw new MultipartError('the body ends after a boundary');
        return false;
      }
      if (buf[0] === 0x2d && buf[1] === 0x2d) {
        state = 'done';
        return false;
      }
      // Transport padding (spaces, tabs) may follow a boundary before its CRLF.
      const eol = buf.indexOf('\r\n');
      if (eol < 0) {
        if (final || buf.length > 256) throw new MultipartError('malformed boundary line');
        return false;
      }
      buf = buf.subarray(eol + 2);
      state = 'headers';
      return true;
    }
    if (state === 'headers') {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (final || buf.length > MAX_HEADER_BYTES) throw new MultipartError('part headers are missing or too long');
        return false;
      }
      const info = parseHeaders(buf.subarray(0, end).toString('utf8'));
      buf = buf.subarray(end + 4);
      sink = (await onPart(info)) ?? undefined;
      state = 'body';
      return true;
    }
    if (state === 'body') {
      const i = buf.indexOf(delimiter);
      if (i >= 0) {
        if (i > 0 && sink) await sink.write(buf.subarray(0, i));
        if (sink) await sink.end();
        sink = undefined;
        buf = buf.subarray(i + delimiter.length);
        state = 'after-boundary';
        return true;
      }
      if (final) throw new MultipartError('the body ends inside a part');
      // Keep what could be the start of a delimiter split across chunks.
      const keep = Math.min(buf.length, delimiter.length - 1);
      const emit = buf.subarray(0, buf.length - keep);
      buf = buf.subarray(buf.length - keep);
      if (emit.length > 0 && sink) await sink.write(emit);
      return false;
    }
    return false;
  };

  // A function, so the compiler does not narrow `state` across the awaits that change it.
  const done = () => state === 'done';
  for await (const chunk of body) {
    // After the closing boundary comes an epilogue to ignore. Reading on rather than breaking out matters:
    // leaving the loop cancels the request stream, and on a Node server that destroys the socket.
    if (done()) continue;
    buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, chunk]);
    while (await step(false));
  }
  if (!done()) {
    while (await step(true));
    if (!done()) throw new MultipartError('the body ends before the closing boundary');
  }
}

function parseHeaders(text: string): PartInfo {
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition') ?? '';
  if (!/^form-data\b/i.test(disposition)) throw new MultipartError('a part has no Content-Disposition: form-data');
  const param = (key: string) => {
    const m = new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(disposition) ?? new RegExp(`;\\s*${key}=([^;\\s]+)`, 'i').exec(disposition);
    return m?.[1]?.replace(/\\(.)/g, '$1');
  };
  const name = param('name');
  if (name === undefined) throw new MultipartError('a part has no name');
  return { name, filename: param('filename'), contentType: headers.get('content-type') };
}
