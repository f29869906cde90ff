// Backfill speed, three ways against one local moto_server in one run: lakeql's engine, the seed's boto3 script, `aws s3 cp --recursive`.
//
//   npm run bench:backfill                       (3000 small files of 4–40 KB + 3 files of 48 MiB)
//
// A last pair of rows runs lakeql again, uninterrupted and then killed with -9 half-way and
// restarted on its journal (LAKEQL_STATE_DIR): total wall time and bytes sent to S3, side by side.
//   BENCH_SMALL=5000 BENCH_LARGE=4 BENCH_LARGE_MIB=32 BENCH_RUNS=3 npm run bench:backfill
//
// Each tool runs as its own child process under /usr/bin/time (wall, user and system CPU of the
// whole process, interpreter start-up included) into a fresh bucket. lakeql's child is compiled
// to JavaScript first (as `npm run build` ships it; tsx's on-the-fly compiling would cost more CPU
// than the job) and also reports the CPU of the job alone (process.cpuUsage around it).
// With BENCH_RUNS > 1 the median is shown.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMoto } from './moto.js';

const SMALL = Number(process.env.BENCH_SMALL ?? 3000);
const LARGE = Number(process.env.BENCH_LARGE ?? 3);
const LARGE_MIB = Number(process.env.BENCH_LARGE_MIB ?? 48);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const CONCURRENCY = 20; // the seed's ThreadPoolExecutor(20)
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
/** Inside node_modules, so the compiled files resolve packages from the repository's node_modules and git ignores them. */
const BUILD = path.join(repo, 'node_modules/.cache/lakeql-bench');

function compileChild(): string {
  const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      path.join(here, 'backfill-lakeql.ts'),
      '--outDir',
      BUILD,
      '--rootDir',
      repo,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--esModuleInterop',
      '--resolveJsonModule',
      '--lib',
      'es2023,dom,dom.iterable',
    ],
    { encoding: 'utf8' },
  );
  const child = path.join(BUILD, 'bench/backfill-lakeql.js');
  if (r.status !== 0) throw new Error(`compiling the lakeql side failed:\n${r.stdout}${r.stderr}`);
  return child;
}

interface Measure {
  wall: number;
  cpu: number;
  jobCpu?: number;
}

async function makeTree(root: string): Promise<{ files: number; bytes: number }> {
  let bytes = 0;
  for (let i = 0; i < SMALL; i++) {
    const dir = path.join(
      root,
      'data/ticks/daily',
      `S${String(i % 500).padStart(4, '0')}`,
      String(1990 + Math.floor(i / 500)),
    );
    await fs.mkdir(dir, { recursive: true });
    const size = 4096 + ((i * 7919) % 36_864);
    await fs.writeFile(path.join(dir, 'ticks.parquet'), randomBytes(size));
    bytes += size;
  }
  for (let i = 0; i < LARGE; i++) {
    const dir = path.join(root, 'data/ticks/minute/BIG', '2024', String(i + 1).padStart(2, '0'));
    await fs.mkdir(dir, { recursive: true });
    const file = await fs.open(path.join(dir, 'ticks.parquet'), 'w');
    for (let m = 0; m < LARGE_MIB; m++) await file.write(randomBytes(1024 * 1024));
    await file.close();
    bytes += LARGE_MIB * 1024 * 1024;
  }
  return { files: SMALL + LARGE, bytes };
}

/** Runs a command under GNU time; returns its rusage and stdout. */
async function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measure & { stdout: string }> {
  const out = path.join(tmpdir(), `lakeql-bench-time-${randomBytes(4).toString('hex')}`);
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S', '-o', out, command, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${code}):\n${stderr.slice(-2000)}`);
  const [wall, user, sys] = (await fs.readFile(out, 'utf8')).trim().split(/\s+/).slice(-3).map(Number);
  await fs.rm(out, { force: true });
  return { wall, cpu: user + sys, stdout };
}

function aws(env: NodeJS.ProcessEnv, ...args: string[]): string {
  const r = spawnSync('aws', args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`aws ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function bucketTotals(env: NodeJS.ProcessEnv, bucket: string): { files: number; bytes: number } {
  const out = aws(env, 's3', 'ls', `s3://${bucket}/data/`, '--recursive', '--summarize');
  return { files: Number(/Total Objects: (\d+)/.exec(out)?.[1]), bytes: Number(/Total Size: (\d+)/.exec(out)?.[1]) };
}

/** One lakeql child with a journal; `killAt` (bytes) kills it with -9 once its job has moved that many. */
async function journaled(
  child: string,
  root: string,
  bucket: string,
  stateDir: string,
  env: NodeJS.ProcessEnv,
  killAt?: number,
): Promise<{ wall: number; sent: number; killed: boolean }> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [child, root, 'data', bucket, String(CONCURRENCY), stateDir], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let sent = 0;
  let killed = false;
  let buffer = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      const report = JSON.parse(line) as { progress?: number; sentBytes: number };
      sent = report.sentBytes;
      if (killAt !== undefined && !killed && (report.progress ?? 0) >= killAt) {
        killed = true;
        proc.kill('SIGKILL');
      }
    }
  });
  const code = await new Promise<number | null>((resolve) => proc.on('close', (c) => resolve(c)));
  if (!killed && code !== 0) throw new Error(`the journaled lakeql run failed (${code})`);
  return { wall: (performance.now() - t0) / 1000, sent, killed };
}

/** Uninterrupted vs killed half-way and resumed: what a crash costs in time and in bytes sent again. */
async function killAndResume(
  child: string,
  root: string,
  env: NodeJS.ProcessEnv,
  fresh: () => string,
  check: (name: string, bucket: string) => void,
  bytes: number,
): Promise<void> {
  const state = (name: string) => fs.mkdtemp(path.join(tmpdir(), `lakeql-bench-${name}-`));
  const whole = fresh();
  const straight = await journaled(child, root, whole, await state('straight'), env);
  check('lakeql (journaled)', whole);
  const bucket = fresh();
  const dir = await state('killed');
  const first = await journaled(child, root, bucket, dir, env, bytes / 2);
  if (!first.killed) throw new Error('the run finished before it could be killed half-way; use more or larger files');
  const second = await journaled(child, root, bucket, dir, env);
  check('lakeql (kill and resume)', bucket);
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(
    "\nkill -9 half-way and resume (journal in LAKEQL_STATE_DIR; bytes sent = request bodies counted by the S3 client, the killed run's up to its last report)",
  );
  console.log('run                    wall s   MiB sent   vs data');
  console.log(
    `uninterrupted        ${straight.wall.toFixed(2).padStart(7)}   ${mib(straight.sent).padStart(8)}   ${(straight.sent / bytes).toFixed(3)}`,
  );
  const sent = first.sent + second.sent;
  console.log(
    `kill and resume      ${(first.wall + second.wall).toFixed(2).padStart(7)}   ${mib(sent).padStart(8)}   ${(sent / bytes).toFixed(3)}   (${first.wall.toFixed(2)} s + ${second.wall.toFixed(2)} s after the restart)`,
  );
  console.log(
    `ratios (kill and resume ÷ uninterrupted): wall ${((first.wall + second.wall) / straight.wall).toFixed(2)}, bytes sent ${(sent / straight.sent).toFixed(3)}`,
  );
  await Promise.all([whole, bucket].map(async (b) => aws(env, 's3', 'rb', '--force', `s3://${b}`)));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const root = await fs.mkdtemp(path.join(tmpdir(), 'lakeql-bench-'));
  const moto = await startMoto();
  const { endpoint } = moto.server;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_PAGER: '',
  };
  try {
    const child = compileChild();
    const tree = await makeTree(root);
    console.log(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (other processes share these cores: wall times are noisy)`,
    );
    console.log(
      `directory: ${tree.files} files, ${(tree.bytes / 1024 / 1024).toFixed(1)} MiB (${SMALL} of 4–40 KB, ${LARGE} of ${LARGE_MIB} MiB); moto_server at ${endpoint}; ${RUNS} run(s) each`,
    );
    const results: Record<string, Measure[]> = { lakeql: [], boto3: [], 'aws-cli': [] };
    let n = 0;
    const fresh = () => {
      const bucket = `bench-${n++}-${Date.now().toString(36)}`;
      aws(env, 's3api', 'create-bucket', '--bucket', bucket);
      return bucket;
    };
    const check = (name: string, bucket: string) => {
      const got = bucketTotals(env, bucket);
      if (got.files !== tree.files || got.bytes !== tree.bytes)
        throw new Error(
          `${name} uploaded ${got.files} files / ${got.bytes} bytes, expected ${tree.files} / ${tree.bytes}`,
        );
    };
    const tools: Record<string, (bucket: string) => Promise<Measure>> = {
      lakeql: async (bucket) => {
        const lq = await timed(process.execPath, [child, root, 'data', bucket, String(CONCURRENCY)], env);
        const report = JSON.parse(lq.stdout.trim().split('\n').at(-1)!) as {
          cpuMs: number;
          wallMs: number;
          state: string;
        };
        if (report.state !== 'SUCCEEDED') throw new Error(`lakeql job ended ${report.state}: ${lq.stdout}`);
        return { wall: lq.wall, cpu: lq.cpu, jobCpu: report.cpuMs / 1000 };
      },
      boto3: (bucket) =>
        timed('python3', [path.join(here, 'seed_upload.py'), path.join(root, 'data'), 'data', bucket], env),
      'aws-cli': (bucket) =>
        timed(
          'aws',
          ['s3', 'cp', '--recursive', '--only-show-errors', path.join(root, 'data'), `s3://${bucket}/data`],
          env,
        ),
    };
    const names = Object.keys(tools);
    for (let run = 0; run < RUNS; run++) {
      // The order rotates between runs, and each bucket is emptied once checked: moto keeps every
      // object in memory, and a tool should not pay for the ones uploaded before it.
      for (const name of [...names.slice(run % names.length), ...names.slice(0, run % names.length)]) {
        const bucket = fresh();
        results[name].push(await tools[name](bucket));
        check(name, bucket);
        aws(env, 's3', 'rb', '--force', `s3://${bucket}`);
      }
    }

    for (const name of names)
      console.log(
        `${name} runs: ${results[name].map((r) => `${r.wall.toFixed(2)} s wall / ${r.cpu.toFixed(2)} s CPU`).join(', ')}`,
      );
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const m = (name: string) => ({
      wall: median(results[name].map((r) => r.wall)),
      cpu: median(results[name].map((r) => r.cpu)),
      jobCpu: results[name][0].jobCpu === undefined ? undefined : median(results[name].map((r) => r.jobCpu!)),
    });
    const rows = ['lakeql', 'boto3', 'aws-cli'].map((name) => ({ name, ...m(name) }));
    const perFile = (cpu: number) => ((cpu * 1000) / tree.files).toFixed(3);
    console.log('\ntool      wall s   client CPU s (whole process)   CPU ms/file');
    for (const r of rows)
      console.log(
        `${r.name.padEnd(9)} ${r.wall.toFixed(2).padStart(6)}   ${r.cpu.toFixed(2).padStart(6)}${r.jobCpu !== undefined ? ` (job alone ${r.jobCpu.toFixed(2)})` : ''.padEnd(19)}        ${perFile(r.cpu)}${r.jobCpu !== undefined ? ` (${perFile(r.jobCpu)})` : ''}`,
      );
    const [lq, py, cli] = rows;
    console.log('\nratios (lakeql ÷ peer; below 1 means lakeql is better)');
    console.log(`  wall: vs boto3 ${(lq.wall / py.wall).toFixed(2)}, vs aws-cli ${(lq.wall / cli.wall).toFixed(2)}`);
    console.log(
      `  CPU per file, whole process: vs boto3 ${(lq.cpu / py.cpu).toFixed(2)}, vs aws-cli ${(lq.cpu / cli.cpu).toFixed(2)}`,
    );
    console.log(
      `  CPU per file, lakeql's job alone: vs boto3 ${(lq.jobCpu! / py.cpu).toFixed(2)}, vs aws-cli ${(lq.jobCpu! / cli.cpu).toFixed(2)}`,
    );
    const pass = lq.wall < py.wall && lq.wall < cli.wall && lq.cpu <= py.cpu / 2;
    console.log(
      `\ntarget (faster than both; at most half of boto3's CPU per file, whole process): ${pass ? 'met' : 'NOT met'}`,
    );
    await killAndResume(child, root, env, fresh, check, tree.bytes);
  } finally {
    moto.stop();
    await fs.rm(root, { recursive: true, force: true });
  }
}

await main();
