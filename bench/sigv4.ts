// SigV4 signing CPU, side by side in one process: @smithy/signature-v4 (what the fast PUT path uses) against a hand-written
// HMAC chain with a cached signing key (what it used before), over the same requests.
//
//   npx tsx bench/sigv4.ts          (20,000 signatures each, alternating rounds)
import { createHash, createHmac } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

const N = Number(process.env.BENCH_SIGNATURES ?? 20_000);
const ROUNDS = 5;
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const body = Buffer.alloc(12_000, 7);
const payloadHash = createHash('sha256').update(body).digest('hex');
const smithy = new SignatureV4({
  credentials,
  region: 'us-east-1',
  service: 's3',
  sha256: Hash.bind(null, 'sha256'),
  uriEscapePath: false,
});

function headersFor(i: number): Record<string, string> {
  return {
    host: '127.0.0.1:9000',
    'content-length': String(body.byteLength),
    'x-amz-content-sha256': payloadHash,
    'content-type': 'application/vnd.apache.parquet',
    'x-amz-meta-symbol': `T${i % 500}`,
    'x-amz-meta-year': '2024',
    'x-amz-meta-data-type': 'daily-ticks',
  };
}
const path = (i: number) => `/bench/data/ticks/daily/T${i % 500}/2024/ticks.parquet`;

let cachedKey: { id: string; key: Buffer } | undefined;
function handSign(i: number): string {
  const headers = { ...headersFor(i), 'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, '') };
  const amzDate = headers['x-amz-date'];
  const day = amzDate.slice(0, 8);
  const names = Object.keys(headers).sort();
  const canonical = [
    'PUT',
    path(i),
    '',
    ...names.map((n) => `${n}:${headers[n as keyof typeof headers]}`),
    '',
    names.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${day}/us-east-1/s3/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  if (cachedKey?.id !== day) {
    const hmac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();
    cachedKey = {
      id: day,
      key: hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), 'us-east-1'), 's3'), 'aws4_request'),
    };
  }
  return createHmac('sha256', cachedKey.key).update(toSign).digest('hex');
}

async function time(work: (i: number) => unknown): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) await work(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const results = { smithy: [] as number[], hand: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  results.smithy.push(
    await time((i) =>
      smithy.sign({
        method: 'PUT',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 9000,
        path: path(i),
        query: {},
        headers: headersFor(i),
      }),
    ),
  );
  results.hand.push(await time(handSign));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = median(results.smithy);
const h = median(results.hand);
console.log(`${N} signatures, median of ${ROUNDS} alternating rounds (CPU time):`);
console.log(`  @smithy/signature-v4  ${((s / N) * 1000).toFixed(1)} µs each`);
console.log(`  hand-written chain    ${((h / N) * 1000).toFixed(1)} µs each`);
console.log(`  ratio smithy ÷ hand   ${(s / h).toFixed(2)}`);
