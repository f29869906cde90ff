// Glob decisions at the dialect's limits (1,000-character patterns, 1,024-character paths): lakeql's bitset automaton side by side with Node's path.matchesGlob and a glob → RegExp translation.
//
//   npx tsx bench/glob.ts              (BENCH_GLOB_TIMEOUT_MS=2000: a peer still deciding after that is stopped)
//
// The peers run in a worker thread that is terminated at the time limit, since both backtrack: a
// stopped one prints "> limit". The RegExp also runs on a short path (24 characters), where it
// finishes, to show how its time grows. path.matchesGlob is experimental on Node 20/22 and its
// dialect differs a little (a pattern without "/" is not matched at any depth), so only its time
// is comparable, not its answers.
import * as nodePath from 'node:path';
import { Worker } from 'node:worker_threads';
import { compileGlob } from '../src/lake/uploads/glob.js';

const LIMIT_MS = Number(process.env.BENCH_GLOB_TIMEOUT_MS ?? 2000);
const repeatTo = (unit: string, tail = '') => `${unit.repeat(Math.floor((1000 - tail.length) / unit.length))}${tail}`;
const A1024 = 'a'.repeat(1024);

const CASES: { name: string; pattern: string; path: string }[] = [
  { name: '**/ × 333 + *.parquet', pattern: repeatTo('**/', '*.parquet'), path: `${'a/'.repeat(511)}b` },
  { name: '*a × 499 + b', pattern: repeatTo('*a', 'b'), path: A1024 },
  { name: '?* × 499 + b', pattern: repeatTo('?*', 'b'), path: A1024 },
  { name: '[a-z]* × 166', pattern: repeatTo('[a-z]*', 'b'), path: A1024 },
  { name: '{a,b} × 200', pattern: repeatTo('{a,b}'), path: A1024 },
  { name: '*{ab,cd} × 125', pattern: repeatTo('*{ab,cd}', 'x'), path: 'ab'.repeat(512) },
  { name: '{a,{b,{c,{d,ef}}}} × 55', pattern: repeatTo('{a,{b,{c,{d,ef}}}}', 'x'), path: 'ef'.repeat(512) },
  { name: '**/*a × 200 + b', pattern: repeatTo('**/*a', 'b'), path: `${'aa/'.repeat(341)}a` },
  { name: '*.parquet (everyday)', pattern: '*.parquet', path: `${'d/'.repeat(10)}${'a'.repeat(1000)}.parquet` },
];

/** The dialect as a JavaScript RegExp (what lakeql compiled globs to before): exact, but V8 backtracks on it. */
function toRegExp(pattern: string): RegExp {
  const anchored = pattern.includes('/') ? pattern.replace(/^\/+/, '') : `**/${pattern}`;
  let out = '';
  let braces = 0;
  for (let i = 0; i < anchored.length; i++) {
    const c = anchored[i];
    if (c === '*') {
      if (
        anchored[i + 1] === '*' &&
        (i === 0 || anchored[i - 1] === '/') &&
        (anchored[i + 2] === '/' || i + 2 === anchored.length)
      ) {
        out += i + 2 === anchored.length ? '.*' : '(?:[^/]+/)*';
        i += anchored[i + 2] === '/' ? 2 : 1;
        continue;
      }
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = anchored.indexOf(']', i + 2);
      let body = anchored.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^/' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|\\{}\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'u');
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const path = require('node:path');
${toRegExp.toString()}
const { peer, pattern, input } = workerData;
process.emitWarning = () => {};
const started = performance.now();
let answer;
if (peer === 'matchesGlob') answer = path.matchesGlob(input, pattern);
else answer = toRegExp(pattern).test(input);
parentPort.postMessage({ ms: performance.now() - started, answer });
`;

/** One decision by a peer in a worker, stopped at the limit; the time is measured inside the worker. */
function peerOnce(
  peer: 'matchesGlob' | 'regexp',
  pattern: string,
  input: string,
): Promise<{ ms: number; answer?: boolean; stopped?: boolean }> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { peer, pattern, input } });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ ms: LIMIT_MS, stopped: true });
    }, LIMIT_MS);
    worker.once('message', (m: { ms: number; answer: boolean }) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      resolve({ ms: Number.NaN, answer: undefined, stopped: false, ...{ error: String(error) } });
    });
  });
}

/** Microseconds per decision: the best of seven batches of at least ~20 ms (the least disturbed by other processes on a shared machine). */
function ours(pattern: string, input: string): { us: number; answer: boolean; workPerChar: number } {
  const glob = compileGlob(pattern);
  let answer = glob.test(input);
  let reps = 1;
  for (;;) {
    const t = performance.now();
    for (let k = 0; k < reps; k++) answer = glob.test(input);
    if (performance.now() - t > 20) break;
    reps *= 2;
  }
  const samples: number[] = [];
  for (let round = 0; round < 7; round++) {
    const t = performance.now();
    for (let k = 0; k < reps; k++) glob.test(input);
    samples.push(((performance.now() - t) * 1000) / reps);
  }
  return { us: Math.min(...samples), answer, workPerChar: glob.work / input.length };
}

const hasMatchesGlob = typeof (nodePath as { matchesGlob?: unknown }).matchesGlob === 'function';
const fmt = (r: { ms: number; stopped?: boolean }) =>
  r.stopped
    ? `> ${LIMIT_MS} ms`
    : Number.isNaN(r.ms)
      ? 'error'
      : r.ms >= 1
        ? `${r.ms.toFixed(1)} ms`
        : `${(r.ms * 1000).toFixed(0)} µs`;

console.log(
  `glob decisions, Node ${process.version}; peers stopped after ${LIMIT_MS} ms${hasMatchesGlob ? '' : '; path.matchesGlob absent on this Node'}`,
);
console.log(
  `${'case'.padEnd(26)} ${'pat'.padStart(4)} ${'path'.padStart(4)}  ${'lakeql'.padStart(9)} ${'work/char'.padStart(9)}  ${'matchesGlob'.padStart(12)}  ${'RegExp'.padStart(12)}  ${'RegExp, 24 chars'.padStart(16)}  ratio`,
);
for (const c of CASES) {
  const mine = ours(c.pattern, c.path);
  const mg = hasMatchesGlob ? await peerOnce('matchesGlob', c.pattern, c.path) : undefined;
  const re = await peerOnce('regexp', c.pattern, c.path);
  const short = await peerOnce('regexp', c.pattern, c.path.slice(-24));
  if (re.answer !== undefined && re.answer !== mine.answer)
    console.log(`  ! RegExp answered ${re.answer}, lakeql ${mine.answer}`);
  const slowest = Math.max(mg?.ms ?? 0, re.ms);
  console.log(
    `${c.name.padEnd(26)} ${String(c.pattern.length).padStart(4)} ${String(c.path.length).padStart(4)}  ${`${mine.us.toFixed(1)} µs`.padStart(9)} ${mine.workPerChar.toFixed(0).padStart(9)}  ${(mg ? fmt(mg) : 'n/a').padStart(12)}  ${fmt(re).padStart(12)}  ${fmt(short).padStart(16)}  ${re.stopped || mg?.stopped ? '≥ ' : ''}${Math.round((slowest * 1000) / mine.us)}×`,
  );
}
