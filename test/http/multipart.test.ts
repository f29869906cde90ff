// The streaming multipart parser: same parts whatever the chunking, back-pressure honoured, malformed bodies refused.
import { describe, expect, it } from 'vitest';
import { boundaryOf, parseMultipart, type PartInfo } from '../../src/http/multipart.js';

const boundary = '----lakeql7MA4YWxkTrZu0gW';

function body(parts: { name: string; filename?: string; type?: string; data: Buffer | string }[]): Buffer {
  const chunks: Buffer[] = [Buffer.from('preamble to ignore\r\n')];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

async function parse(bytes: Buffer, chunkSize: number): Promise<{ info: PartInfo; data: Buffer }[]> {
  const out: { info: PartInfo; data: Buffer }[] = [];
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  await parseMultipart(chunks(), boundary, (info) => {
    const entry = { info, data: Buffer.alloc(0) };
    out.push(entry);
    return { write: async (c) => { await new Promise((r) => setImmediate(r)); entry.data = Buffer.concat([entry.data, c]); }, end: () => {} };
  });
  return out;
}

describe('multipart parser', () => {
  // A file whose bytes contain near-boundaries: CRLF, dashes, a boundary prefix.
  const file = Buffer.concat([Buffer.from(`\r\n--${boundary.slice(0, 10)}\r\n--`), Buffer.alloc(3000, 7), Buffer.from('\r\n-')]);
  const request = body([
    { name: 'operations', data: '{"query":"mutation($f: File!) { uploadTickFile(symbol: \\"A\\", year: 2024, file: $f) { key } }","variables":{"f":null}}' },
    { name: 'map', data: '{"0":["variables.f"]}' },
    { name: '0', filename: 'ticks \\"2024\\".parquet', type: 'application/vnd.apache.parquet', data: file },
  ]);

  it.each([1, 2, 3, 7, 64, 1000, request.length])('gives the same parts when the body arrives in chunks of %i bytes', async (size) => {
    const parts = await parse(request, size);
    expect(parts.map((p) => p.info.name)).toEqual(['operations', 'map', '0']);
    expect(parts[2].info).toEqual({ name: '0', filename: 'ticks "2024".parquet', contentType: 'application/vnd.apache.parquet' });
    expect(parts[1].data.toString()).toBe('{"0":["variables.f"]}');
    expect(parts[2].data.equals(file)).toBe(true);
  });

  it('refuses bodies without the closing boundary or without part names', async () => {
    await expect(parse(request.subarray(0, request.length - 10), 100)).rejects.toThrow(/ends/);
    const nameless = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${boundary}--\r\n`);
    await expect(parse(nameless, 100)).rejects.toThrow(/no name/);
  });

  it('reads the boundary from the content type', () => {
    expect(boundaryOf(`multipart/form-data; boundary=${boundary}`)).toBe(boundary);
    expect(boundaryOf('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(boundaryOf('application/json')).toBeUndefined();
  });
});
