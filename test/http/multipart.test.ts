// The pieces of multipart parsing we own: where map may put files, the request clock that stops while bytes flow, and the parse whatever the chunking.
import { buildSchema } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FLOW_GAP_MS, RequestClock } from '../../src/http/request-clock.js';
import { placeFiles, UploadMapError } from '../../src/http/upload-map.js';
import { uploadPlugin } from '../../src/http/upload-plugin.js';
import { multipartBody } from '../security/multipart-support.js';

const schema = buildSchema(`
  scalar File
  input Batch { files: [File!]! note: String }
  type Query { ok: Boolean }
  type Mutation { one(f: File!): Int many(fs: [File]): Int batch(b: Batch!): Int text(s: String): Int }
`);

describe('placeFiles', () => {
  const place = (query: string, map: string, variables: Record<string, unknown> = {}) => {
    const operations: Record<string, unknown> = { query, variables };
    const files = placeFiles(operations, map, { schema, fileScalar: 'File', maxTokens: 2000 }, (field) => ({
      file: { field },
    }));
    return { operations, files };
  };

  it('puts each file where the operation declares the File type: plain, in lists, in input objects', () => {
    const { operations, files } = place(
      'mutation($f: File!, $fs: [File], $b: Batch!) { one(f: $f) many(fs: $fs) batch(b: $b) }',
      '{"0":["variables.f"],"1":["variables.fs.1","variables.b.files.0"]}',
      { fs: [null, null], b: { files: [null], note: 'x' } },
    );
    expect([...files.keys()]).toEqual(['0', '1']);
    expect(operations.variables).toEqual({
      f: { field: '0' },
      fs: [null, { field: '1' }],
      b: { files: [{ field: '1' }], note: 'x' },
    });
  });

  it.each([
    ['an undeclared variable', 'mutation($f: File!) { one(f: $f) }', '{"0":["variables.g"]}', /does not declare/],
    ['a String variable', 'mutation($s: String) { text(s: $s) }', '{"0":["variables.s"]}', /type String/],
    ['a list itself', 'mutation($fs: [File]) { many(fs: $fs) }', '{"0":["variables.fs"]}', /type \[File\]/],
    [
      'a field the input type lacks',
      'mutation($b: Batch!) { batch(b: $b) }',
      '{"0":["variables.b.other"]}',
      /does not have/,
    ],
    [
      'a String field of an input',
      'mutation($b: Batch!) { batch(b: $b) }',
      '{"0":["variables.b.note"]}',
      /type String/,
    ],
    ['a prototype key', 'mutation($f: File!) { one(f: $f) }', '{"0":["variables.__proto__"]}', /must look like/],
    ['a huge list index', 'mutation($fs: [File]) { many(fs: $fs) }', '{"0":["variables.fs.99999"]}', /below 1000/],
    ['a path outside variables', 'mutation($f: File!) { one(f: $f) }', '{"0":["query"]}', /must look like/],
    ['a value that is not an array', 'mutation($f: File!) { one(f: $f) }', '{"0":"variables.f"}', /array/],
    ['an empty array', 'mutation($f: File!) { one(f: $f) }', '{"0":[]}', /array/],
    ['a map that is an array', 'mutation($f: File!) { one(f: $f) }', '[]', /JSON object/],
    ['a map that is not JSON', 'mutation($f: File!) { one(f: $f) }', '{0:', /not valid JSON/],
    [
      'too many files',
      'mutation($f: File!) { one(f: $f) }',
      JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [i, ['variables.f']]))),
      /at most 100/,
    ],
  ])('refuses %s', (_name, query, map, message) => {
    expect(() => place(query, map)).toThrow(UploadMapError);
    expect(() => place(query, map)).toThrow(message);
  });

  it("leaves a query that does not parse to yoga, checking the paths' shape only", () => {
    expect(() => place('mutation($f: File!) {', '{"0":["variables.f"]}')).not.toThrow();
    expect(() => place('mutation($f: File!) {', '{"0":["variables.constructor"]}')).toThrow(UploadMapError);
  });
});

/** A virtual clock: timers fire only when the test advances it. */
function fakeTime() {
  let now = 0;
  const timers: { at: number; fire: () => void; live: boolean }[] = [];
  return {
    now: () => now,
    setTimer: (fire: () => void, ms: number) => {
      const timer = { at: now + ms, fire, live: true };
      timers.push(timer);
      return () => void (timer.live = false);
    },
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const next = timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        now = next.at;
        next.live = false;
        next.fire();
      }
      now = until;
    },
    live: () => timers.filter((t) => t.live).length,
  };
}

describe('RequestClock', () => {
  it('expires after its budget when nothing flows', () => {
    const time = fakeTime();
    const clock = new RequestClock(5000, time.now, time.setTimer);
    let expired = 0;
    clock.onExpire(() => expired++);
    time.advance(4999);
    expect(expired).toBe(0);
    time.advance(1);
    expect(expired).toBe(1);
    expect(clock.expired).toBe(true);
  });

  it('stands still while chunks keep coming, and runs again FLOW_GAP_MS after the last one', () => {
    const time = fakeTime();
    const clock = new RequestClock(5000, time.now, time.setTimer);
    let expired = 0;
    clock.onExpire(() => expired++);
    time.advance(3000);
    // Ten minutes of a chunk every 500 ms: not counted.
    for (let i = 0; i < 1200; i++) {
      clock.flowed();
      time.advance(500);
    }
    expect(expired).toBe(0);
    // 2000 ms of budget were left when the flow began; the last gap after the flow counts too.
    time.advance(FLOW_GAP_MS - 500 + 1999);
    expect(expired).toBe(0);
    time.advance(1);
    expect(expired).toBe(1);
  });

  it('leaves no timer behind once stopped', () => {
    const time = fakeTime();
    const clock = new RequestClock(5000, time.now, time.setTimer);
    clock.flowed();
    clock.stop();
    expect(time.live()).toBe(0);
  });
});

describe('multipart parse', () => {
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'scalar File type Query { ok: Boolean } type Mutation { size(f: File!): Int }',
      resolvers: {
        Mutation: {
          size: async (_: unknown, { f }: { f: { stream(): Readable } }) => {
            let n = 0;
            for await (const chunk of f.stream()) n += (chunk as Buffer).length;
            return n;
          },
        },
      },
    }),
    logging: false,
    plugins: [uploadPlugin({ timeoutMs: 10_000, maxTokens: 2000 })],
  });
  const boundary = 'x-boundary';
  // A file whose bytes look like delimiters: CRLF, dashes, a boundary prefix.
  const data = Buffer.concat([
    Buffer.from(`\r\n--${boundary.slice(0, 5)}\r\n--`),
    Buffer.alloc(70_000, 7),
    Buffer.from('\r\n-'),
  ]);
  const body = multipartBody(
    [
      {
        name: 'operations',
        data: JSON.stringify({ query: 'mutation($f: File!) { size(f: $f) }', variables: { f: null } }),
      },
      { name: 'map', data: '{"0":["variables.f"]}' },
      { name: '0', filename: 'f.bin', data },
    ],
    boundary,
    { preamble: 'ignored\r\n' },
  );

  it.each([1, 7, 64, 1000, 65_536, body.length])(
    'reads the same file when the body arrives in chunks of %i bytes',
    async (size) => {
      const chunks = Readable.from(
        (function* () {
          for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
        })(),
      );
      const response = await yoga.fetch('http://lakeql.test/graphql', {
        method: 'POST',
        body: Readable.toWeb(chunks) as ReadableStream,
        duplex: 'half',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      } as RequestInit);
      expect(await response.json()).toEqual({ data: { size: data.length } });
    },
  );
});
