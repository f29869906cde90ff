// The fast PUT path's SigV4 signature equals botocore's for the same request: an independent signer, since moto accepts any signature.
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/lake/store/s3/client.js';
import { S3FastPut } from '../../src/lake/store/s3/put.js';

/** botocore's S3 SigV4 over exactly the headers the request says it signed, at the request's own x-amz-date. */
const ORACLE = `
import json, sys
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
r = json.load(sys.stdin)
signed = r['authorization'].split('SignedHeaders=')[1].split(',')[0].split(';')
headers = {name: r['headers'][name] for name in signed if name != 'host'}
request = AWSRequest(method=r['method'], url=r['url'], headers=headers, data=b'')
request.context['timestamp'] = r['headers']['x-amz-date']
auth = S3SigV4Auth(Credentials(r['accessKeyId'], r['secretAccessKey'], r['sessionToken']), 's3', r['region'])
canonical = auth.canonical_request(request)
print(json.dumps({'signature': auth.signature(auth.string_to_sign(request, canonical), request), 'canonical': canonical}))
`;

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session/token+with=odd chars',
};

describe('fast PUT signing', () => {
  let server: Server;
  let endpoint: string;
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        seen.push({
          method: request.method!,
          url: request.url!,
          headers: request.headers,
          body: Buffer.concat(chunks),
        });
        response.writeHead(200, { etag: '"abc"' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  for (const [label, key, metadata] of [
    [
      'a plain key',
      'data/ticks/daily/AAPL/2024/ticks.parquet',
      { symbol: 'AAPL', year: '2024', 'data-type': 'daily-ticks' },
    ],
    ['a key that needs encoding', "data/odd name/BRK.B/ü+&=@(x)*!'~/Q1.json", { note: '  spaced   value ' }],
  ] as const) {
    it(`equals botocore's signature for ${label}`, async () => {
      const client = createS3Client({ endpoint, region: 'eu-west-3', forcePathStyle: true, credentials: CREDENTIALS });
      const fast = new S3FastPut(client, 'bucket-x');
      const target = await fast.target();
      expect(target).toBeDefined();
      const body = Buffer.from('PAR1 some bytes PAR1');
      const before = seen.length;
      await fast.put(key, body, { contentType: 'application/vnd.apache.parquet', metadata }, target!);
      const request = seen[before];
      expect(request.method).toBe('PUT');
      expect(request.body.equals(body)).toBe(true);
      const authorization = String(request.headers.authorization);
      expect(authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-3\/s3\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
      );
      expect(request.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
      const input = JSON.stringify({
        ...CREDENTIALS,
        method: request.method,
        url: `${endpoint}${request.url}`,
        headers: request.headers,
        authorization,
        region: 'eu-west-3',
      });
      const oracle = JSON.parse(execFileSync('python3', ['-c', ORACLE], { input, encoding: 'utf8' })) as {
        signature: string;
        canonical: string;
      };
      expect(authorization.split('Signature=')[1], oracle.canonical).toBe(oracle.signature);
      // What must be signed is signed: the body's hash, its type and the metadata.
      expect(authorization).toMatch(/SignedHeaders=[^,]*x-amz-content-sha256/);
      expect(authorization).toMatch(/SignedHeaders=[^,]*content-type/);
      expect(authorization).toMatch(/SignedHeaders=[^,]*x-amz-meta-/);
    });
  }
});
