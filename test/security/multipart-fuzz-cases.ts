// Seeded generator of GraphQL multipart bodies: valid uploads, then truncated, misordered, duplicated, misnamed, oversized and corrupted ones.
import type { Rng } from '../../src/lake/demo/prng.js';
import { multipartBody, type Part, type SendPlan } from './multipart-support.js';

export interface FuzzCase {
  /** What was generated, for the failure message. */
  label: string;
  plan: SendPlan;
  /** The exact `data` a correct answer carries, when the body is one the gateway must accept as is. */
  expectData?: unknown;
  /** A query: a write-only key gets FORBIDDEN for it. */
  needsRead?: boolean;
}

export interface FuzzFiles {
  /** Valid daily Parquet files for `year`. */
  valid: { year: number; bytes: Uint8Array }[];
}

const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)];
const int = (r: Rng, max: number) => Math.floor(r() * max);

const UPLOAD = (sym: string, year: number, v = 'file') =>
  `${v}_: uploadTickFile(symbol: "${sym}", year: ${year}, file: $${v}) { key size }`;

interface Template {
  name: string;
  parts: Part[];
  expectData?: unknown;
  needsRead?: boolean;
}

/** Well-formed requests of each shape the gateway serves, and hostile shapes found by reading the parser. */
function template(r: Rng, files: FuzzFiles, n: number): Template {
  const sym = `FZ${String.fromCharCode(65 + (n % 26))}`;
  const [f1, f2] = [pick(r, files.valid), pick(r, files.valid)];
  const ops = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
  const file = (name: string, bytes: Uint8Array | string): Part => ({
    name,
    filename: `${name}.parquet`,
    type: 'application/vnd.apache.parquet',
    data: bytes,
  });
  switch (int(r, 8)) {
    case 0:
      return {
        name: 'one upload',
        parts: [
          { name: 'operations', data: ops(`mutation($file: File!) { ${UPLOAD(sym, f1.year)} }`, { file: null }) },
          { name: 'map', data: '{"0":["variables.file"]}' },
          file('0', f1.bytes),
        ],
        expectData: { file_: { key: `data/ticks/daily/${sym}/${f1.year}/ticks.parquet`, size: f1.bytes.byteLength } },
      };
    case 1:
      return {
        name: 'two uploads read in reverse body order',
        parts: [
          {
            name: 'operations',
            data: ops(
              `mutation($a: File!, $b: File!) { ${UPLOAD(`${sym}B`, f2.year, 'b')} ${UPLOAD(`${sym}A`, f1.year, 'a')} }`,
              { a: null, b: null },
            ),
          },
          { name: 'map', data: '{"0":["variables.a"],"1":["variables.b"]}' },
          file('0', f1.bytes),
          file('1', f2.bytes),
        ],
        expectData: {
          b_: { key: `data/ticks/daily/${sym}B/${f2.year}/ticks.parquet`, size: f2.bytes.byteLength },
          a_: { key: `data/ticks/daily/${sym}A/${f1.year}/ticks.parquet`, size: f1.bytes.byteLength },
        },
      };
    case 2:
      return {
        name: 'a query with an empty map',
        parts: [
          { name: 'operations', data: ops('{ lake { kind } }') },
          { name: 'map', data: '{}' },
        ],
        expectData: { lake: { kind: 'local' } },
        needsRead: true,
      };
    case 3:
      return {
        name: 'map names an undeclared variable, no file',
        parts: [
          { name: 'operations', data: ops('{ lake { kind } }', { x: null }) },
          { name: 'map', data: '{"0":["variables.x"]}' },
        ],
      };
    case 4:
      return {
        name: 'map names a String variable',
        parts: [
          { name: 'operations', data: ops('query($s: String!) { symbol(ticker: $s) { ticker } }') },
          { name: 'map', data: '{"0":["variables.s"]}' },
          file('0', 'abc'),
        ],
      };
    case 5:
      return {
        name: 'map names a file that is absent',
        parts: [
          { name: 'operations', data: ops(`mutation($file: File!) { ${UPLOAD(sym, 2018)} }`) },
          { name: 'map', data: '{"0":["variables.file"]}' },
        ],
      };
    case 6:
      return {
        name: 'an upload of bytes that are not Parquet',
        parts: [
          { name: 'operations', data: ops(`mutation($file: File!) { ${UPLOAD(sym, 2018)} }`) },
          { name: 'map', data: '{"0":["variables.file"]}' },
          file('0', Buffer.alloc(int(r, 5000), int(r, 256))),
        ],
      };
    default:
      return {
        name: 'a list of files (a variable the operation never uses)',
        parts: [
          { name: 'operations', data: ops('mutation($f: [File!]!) { lake: __typename }', { f: [null, null] }) },
          { name: 'map', data: '{"0":["variables.f.0"],"1":["variables.f.1"]}' },
          file('0', f1.bytes),
          file('1', f2.bytes),
        ],
      };
  }
}

const BAD_MAPS = [
  '{"0":"variables.file"}',
  '[]',
  'null',
  '{"0":[]}',
  '{"0":[1]}',
  '{"0":["variables"]}',
  '{"0":["variables.__proto__.x"]}',
  '{"0":["variables.file.9999"]}',
  '{"0":["x.file"]}',
  `{"0":["variables.${'a.'.repeat(40)}b"]}`,
  `{${Array.from({ length: 150 }, (_, i) => `"${i}":["variables.file"]`).join(',')}}`,
  '{"0":["variables.file"],"0":["variables.file"]}',
  '{"0":["variables.file"',
];
const BAD_OPERATIONS = [
  '{"query": mutation',
  '[]',
  '[{"query":"{ lake { kind } }"}]',
  'null',
  '42',
  '"{ lake { kind } }"',
  '{"query":"{ lake { kind } }","variables":7}',
  '{"query":"{{{{"}',
  '{}',
  `{"query":"${'{ lake '.repeat(3000)}"}`,
];

/** Changes to the parts: each models a broken or hostile client. */
function mutateParts(r: Rng, parts: Part[]): string {
  const i = int(r, Math.max(1, parts.length));
  switch (int(r, 14)) {
    case 0:
      parts.splice(i, 1);
      return 'a part dropped';
    case 1:
      parts.splice(int(r, parts.length + 1), 0, { ...parts[i] });
      return 'a part duplicated';
    case 2: {
      const j = int(r, parts.length);
      [parts[i], parts[j]] = [parts[j], parts[i]];
      return 'two parts swapped';
    }
    case 3:
      parts.splice(int(r, parts.length + 1), 0, {
        name: `extra${int(r, 9)}`,
        filename: 'x.bin',
        data: Buffer.alloc(int(r, 70_000), 1),
      });
      return 'a file nobody mapped';
    case 4:
      parts.splice(int(r, parts.length + 1), 0, { rawHeaders: 'Content-Type: text/plain\r\n', data: 'no disposition' });
      return 'a part without Content-Disposition';
    case 5:
      parts.splice(int(r, parts.length + 1), 0, { name: undefined, data: 'nameless' });
      return 'a part without a name';
    case 6:
      if (parts[i])
        parts[i] = {
          ...parts[i],
          rawHeaders: `Content-Disposition: form-data; name="${parts[i].name}"\r\nX-Pad: ${'p'.repeat(1000 + int(r, 100_000))}\r\n`,
        };
      return 'a huge header';
    case 7:
      if (parts[i])
        parts[i] = {
          ...parts[i],
          rawHeaders: `Content-Disposition: form-data; name="${parts[i].name}"\r\n${'X-H: v\r\n'.repeat(50 + int(r, 500))}`,
        };
      return 'many headers';
    case 8: {
      const m = parts.find((p) => p.name === 'map');
      if (m) m.data = pick(r, BAD_MAPS);
      return 'a bad map';
    }
    case 9: {
      const o = parts.find((p) => p.name === 'operations');
      if (o) o.data = pick(r, BAD_OPERATIONS);
      return 'bad operations';
    }
    case 10: {
      const o = parts.find((p) => p.name === 'operations');
      if (o) o.data = Buffer.alloc(1024 * 1024 + 1 + int(r, 1000), 0x20);
      return 'operations over 1 MiB';
    }
    case 11:
      if (parts[i])
        parts[i] = { ...parts[i], rawHeaders: `Content-Disposition: form-data; name="${parts[i].name}\r\n` };
      return 'an unterminated quoted name';
    case 12:
      parts.push(...Array.from({ length: 110 }, (_, k) => ({ name: `f${k}`, filename: 'f', data: 'x' })));
      return 'over 100 files';
    default:
      if (parts[i]) parts[i] = { ...parts[i], name: parts[i].name === 'map' ? 'operations' : 'map' };
      return 'a part renamed';
  }
}

/** Changes to the serialized bytes: truncations at and around delimiters, flipped bytes, garbage around the parts. */
function mutateBytes(r: Rng, body: Buffer, boundary: string): [Buffer, string] {
  const delimiters: number[] = [];
  for (let at = body.indexOf(`--${boundary}`); at >= 0; at = body.indexOf(`--${boundary}`, at + 1)) delimiters.push(at);
  switch (int(r, 5)) {
    case 0:
    case 1: {
      const d = delimiters.length ? pick(r, delimiters) : 0;
      const at = Math.max(
        0,
        Math.min(
          body.length - 1,
          d +
            pick(r, [
              -2,
              -1,
              0,
              1,
              2,
              boundary.length + 1,
              boundary.length + 2,
              boundary.length + 4,
              boundary.length + 30,
            ]),
        ),
      );
      return [body.subarray(0, at), `truncated near a delimiter (${at} of ${body.length})`];
    }
    case 2: {
      const copy = Buffer.from(body);
      for (let n = 1 + int(r, 8); n > 0; n--) copy[int(r, copy.length)] = int(r, 256);
      return [copy, 'bytes flipped'];
    }
    case 3:
      return [body.subarray(0, int(r, body.length)), 'truncated anywhere'];
    default:
      return [
        Buffer.concat([Buffer.from('garbage before\r\n'), body, Buffer.alloc(int(r, 3000), 0x2d)]),
        'preamble and epilogue',
      ];
  }
}

const CONTENT_TYPES = (b: string) => [
  `multipart/form-data; boundary=${b}`,
  `multipart/form-data; boundary="${b}"`,
  'multipart/form-data',
  `multipart/form-data; boundary=${b}x`,
  `multipart/form-data; boundary=${'b'.repeat(200)}`,
  `multipart/form-data; charset=utf-8; boundary=${b}`,
  'multipart/form-data; boundary=',
];

/** Case `n` of the run: a template, 0–3 mutations, and how it goes over the wire. */
export function fuzzCase(r: Rng, files: FuzzFiles, n: number, options: { allowStall: boolean }): FuzzCase {
  const boundary = `fz${n.toString(36)}${int(r, 1e9).toString(36)}`;
  const t = template(r, files, n);
  const parts = t.parts.map((p) => ({ ...p }));
  const labels = [t.name];
  let clean = true;
  for (let k = r() < 0.3 ? 0 : 1 + int(r, 3); k > 0; k--) {
    labels.push(mutateParts(r, parts));
    clean = false;
  }
  let body = multipartBody(parts, boundary, { close: r() > 0.05 });
  if (body.indexOf(`--${boundary}--`) < 0) clean = false;
  if (r() < 0.35) {
    const [mutated, label] = mutateBytes(r, body, boundary);
    body = mutated;
    labels.push(label);
    clean = false;
  }
  let contentType = `multipart/form-data; boundary=${boundary}`;
  if (r() < 0.08) {
    contentType = pick(r, CONTENT_TYPES(boundary));
    if (
      contentType !== `multipart/form-data; boundary="${boundary}"` &&
      contentType !== `multipart/form-data; charset=utf-8; boundary=${boundary}`
    )
      clean = false;
    labels.push(`content type "${contentType.slice(0, 60)}"`);
  }
  const splits = Array.from({ length: int(r, 9) }, () => int(r, body.length));
  const paced = r() < 0.15;
  const plan: SendPlan = {
    headers: { 'content-type': contentType, 'x-graphql-yoga-csrf': '1' },
    body,
    splits,
    chunked: r() < 0.2,
    pauseMs: paced ? () => int(r, 12) : undefined,
  };
  const fate = r();
  if (fate < 0.03) {
    plan.cutAt = int(r, body.length);
    plan.cut = 'abort';
    labels.push('client disconnects mid-body');
    clean = false;
  } else if (options.allowStall && fate < 0.035) {
    plan.cutAt = int(r, body.length);
    plan.cut = 'stall';
    labels.push('client stalls mid-body');
    clean = false;
  }
  labels.push(`${plan.chunked ? 'chunked' : 'content-length'}, ${splits.length} splits${paced ? ', paced' : ''}`);
  return {
    label: labels.join(' / '),
    plan,
    expectData: clean ? t.expectData : undefined,
    needsRead: clean && t.needsRead,
  };
}
