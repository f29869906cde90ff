// A queued job's aggregate (counts, bytes, state) kept in Redis and moved by atomic scripts, so workers on any instance add to one snapshot.
import type { Redis } from 'ioredis';
import { isFinal, MAX_REPORTED_ERRORS, type FileError, type JobSnapshot, type JobState } from './types.js';

/**
 * Keys under `prefix`, beside the registry's `job:<id>` (see redis-registry.ts), which every
 * script here writes in the registry's own layout so job(id), jobs() and since() need nothing new:
 * - `qjob:<id>`: hash of the counters, the state, `seq`, `items` (work items planned) and
 *   `remaining` (items not yet completed), `cancelling`, and `base` (the fixed fields as JSON).
 * - `qjob:<id>:errors`: the reported file errors (JSON, at most MAX_REPORTED_ERRORS).
 * - `qjob:<id>:bytes`: file → most bytes any attempt sent; `qjob:<id>:outcome`: file → done|failed;
 *   `qjob:<id>:items`: completed item ids. These make every report idempotent: an item taken over
 *   from a dead instance reports its files again, and nothing is counted twice.
 * - `qjob:<id>:log`: file → the record a byte-level resume needs (see redis-file-log.ts).
 * - `qjobs:open`: ids of unfinished queued jobs (what the sweep for jobs nobody can run reads).
 *
 * Why Lua builds the JSON by hand: Redis's cjson prints numbers with 14 digits and empty arrays as
 * objects; counters kept as hash integers and formatted with %.0f stay exact up to 2^53.
 * Each script bumps `seq`, saves and PUBLISHes in one step, so subscribers on every instance get
 * snapshots in seq order, whichever instance's worker moved the job.
 */
const COMMON = `
local p, id = ARGV[1], ARGV[2]
local q = p .. 'qjob:' .. id
local function fmt(n) return string.format('%.0f', tonumber(n) or 0) end
local function load()
  local flat = redis.call('HGETALL', q)
  if #flat == 0 then return nil end
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end
local function final(state) return state == 'SUCCEEDED' or state == 'FAILED' or state == 'CANCELLED' end
local function write(t, previous, now, ttl)
  t.seq = tonumber(t.seq) + 1
  local started = tonumber(t.startedAt or '')
  local bps = 0
  if started then
    local stop = tonumber(t.finishedAt or '') or now
    bps = math.floor(tonumber(t.transferredBytes) * 1000 / math.max(1, stop - started))
  end
  local s = '{' .. t.base .. ',"state":"' .. t.state .. '","seq":' .. fmt(t.seq)
  for _, f in ipairs({'totalFiles', 'doneFiles', 'failedFiles', 'skippedFiles', 'totalBytes', 'transferredBytes'}) do
    s = s .. ',"' .. f .. '":' .. fmt(t[f])
  end
  s = s .. ',"bytesPerSecond":' .. fmt(bps)
  if started then s = s .. ',"startedAt":' .. fmt(started) end
  if t.finishedAt then s = s .. ',"finishedAt":' .. fmt(t.finishedAt) end
  if t.message then s = s .. ',"message":' .. t.message end
  s = s .. ',"errors":[' .. table.concat(redis.call('LRANGE', q .. ':errors', 0, -1), ',') .. ']}'
  local fields = {}
  for k, v in pairs(t) do
    fields[#fields + 1] = k
    if type(v) == 'number' then fields[#fields + 1] = fmt(v) else fields[#fields + 1] = v end
  end
  redis.call('HSET', q, unpack(fields))
  local job = p .. 'job:' .. id
  redis.call('HSET', job, 'seq', fmt(t.seq), 'state', t.state, 'snapshot', s)
  if previous ~= t.state then redis.call('RPUSH', job .. ':transitions', s) end
  redis.call('ZADD', p .. 'jobs', t.createdAt, id)
  if final(t.state) then
    redis.call('ZADD', p .. 'jobs:finished', t.finishedAt, id)
    redis.call('SREM', p .. 'qjobs:open', id)
    if ttl > 0 then
      for _, k in ipairs({job, job .. ':transitions', q, q .. ':errors', q .. ':bytes', q .. ':outcome', q .. ':items', q .. ':log', q .. ':workers'}) do
        redis.call('PEXPIRE', k, ttl)
      end
    end
  end
  redis.call('PUBLISH', 'job:progress:' .. id, s)
  return s
end
local function addError(e)
  if redis.call('LLEN', q .. ':errors') < ${MAX_REPORTED_ERRORS} then redis.call('RPUSH', q .. ':errors', e) end
end
`;

/** ARGV: prefix, id, now, base, createdAt, request. */
const CREATE = `${COMMON}
if redis.call('EXISTS', q) == 1 then return nil end
local now = tonumber(ARGV[3])
redis.call('SADD', p .. 'qjobs:open', id)
return write({ base = ARGV[4], createdAt = ARGV[5], request = ARGV[6], state = 'QUEUED', seq = 0, totalFiles = 0, doneFiles = 0,
  failedFiles = 0, skippedFiles = 0, totalBytes = 0, transferredBytes = 0 }, nil, now, 0)
`;

/** ARGV: prefix, id, now, ttl, totalFiles, totalBytes, skippedFiles, items, refused (JSON [[key, errorJson]]). Returns the state after. */
const PLAN = `${COMMON}
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local t = load()
if not t or final(t.state) or t.cancelling then return t and t.state or nil end
if t.items then return t.state end
local previous = t.state
t.state, t.startedAt = 'RUNNING', now
t.totalFiles, t.totalBytes, t.skippedFiles, t.items, t.remaining = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[8]
for _, r in ipairs(cjson.decode(ARGV[9])) do
  if redis.call('HSETNX', q .. ':outcome', r[1], 'failed') == 1 then t.failedFiles = tonumber(t.failedFiles) + 1; addError(r[2]) end
end
write(t, previous, now, ttl)
if tonumber(ARGV[8]) == 0 then
  previous = t.state
  t.finishedAt = now
  if tonumber(t.failedFiles) > 0 then
    t.state = 'FAILED'
    t.message = cjson.encode(t.failedFiles .. ' of ' .. t.totalFiles .. ' files failed')
  else
    t.state = 'SUCCEEDED'
  end
  write(t, previous, now, ttl)
end
return t.state
`;

/**
 * ARGV: prefix, id, now, ttl, report JSON { bytes: [[file, sent]], done: [[file, size]],
 * failed: [[file, errorJson]], items: [itemId] }. Returns the state after ('' when nothing changed).
 */
const APPLY = `${COMMON}
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local t = load()
if not t then return 'GONE' end
if final(t.state) then return t.state end
local r = cjson.decode(ARGV[5])
local changed = false
local function sent(file, bytes)
  local before = tonumber(redis.call('HGET', q .. ':bytes', file) or '0')
  if bytes > before then
    redis.call('HSET', q .. ':bytes', file, fmt(bytes))
    t.transferredBytes = tonumber(t.transferredBytes) + bytes - before
    changed = true
  end
end
for _, b in ipairs(r.bytes) do sent(b[1], b[2]) end
for _, d in ipairs(r.done) do
  sent(d[1], d[2])
  if redis.call('HSETNX', q .. ':outcome', d[1], 'done') == 1 then t.doneFiles = tonumber(t.doneFiles) + 1; changed = true end
end
for _, f in ipairs(r.failed) do
  if redis.call('HSETNX', q .. ':outcome', f[1], 'failed') == 1 then t.failedFiles = tonumber(t.failedFiles) + 1; addError(f[2]); changed = true end
end
for _, item in ipairs(r.items) do
  if redis.call('SADD', q .. ':items', item) == 1 then t.remaining = tonumber(t.remaining) - 1 end
end
-- Kept even when no snapshot follows (an item whose files were all counted by an earlier holder).
if #r.items > 0 then redis.call('HSET', q, 'remaining', fmt(t.remaining)) end
local previous = t.state
if t.items and tonumber(t.remaining) <= 0 and not t.cancelling then
  t.finishedAt = now
  if tonumber(t.failedFiles) > 0 then
    t.state = 'FAILED'
    t.message = cjson.encode(t.failedFiles .. ' of ' .. t.totalFiles .. ' files failed')
  else
    t.state = 'SUCCEEDED'
  end
  changed = true
end
if not changed then return '' end
write(t, previous, now, ttl)
return t.state
`;

/** ARGV: prefix, id, now, ttl, state, message JSON or ''. Returns 1 when this call ended the job. */
const FINISH = `${COMMON}
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local t = load()
if not t or final(t.state) then return 0 end
local previous = t.state
t.state, t.finishedAt = ARGV[5], now
if ARGV[6] ~= '' then t.message = ARGV[6] end
write(t, previous, now, ttl)
return 1
`;

/** What a worker tells the aggregate in one go: bytes sent, files ended, items completed. */
export interface ItemReport {
  bytes: [file: string, sent: number][];
  done: [file: string, size: number][];
  failed: [file: string, error: FileError][];
  items: string[];
}

export class SharedJobs {
  constructor(
    private readonly redis: Redis,
    /** `finishedTtlMs`: a finished job's keys expire this long after it ended (0: kept until the registry evicts them). */
    private readonly options: {
      prefix: string;
      finishedTtlMs: number;
      now?: () => number;
      onFinished?: () => Promise<void>;
    },
  ) {}

  /** Every key of a queued job besides the registry's, for eviction (LAKEQL_JOB_RETENTION). */
  static keysOf(prefix: string, id: string): string[] {
    const q = `${prefix}qjob:${id}`;
    return [q, ...['errors', 'bytes', 'outcome', 'items', 'log', 'workers'].map((k) => `${q}:${k}`)];
  }

  /** A job just ended: older finished jobs beyond the retention go. */
  private async ended(state: unknown): Promise<void> {
    if (typeof state === 'string' && isFinal(state as JobState)) await this.options.onFinished?.().catch(() => {});
  }

  private get p(): string {
    return this.options.prefix;
  }
  private now(): number {
    return (this.options.now ?? Date.now)();
  }
  private args(id: string): (string | number)[] {
    return [this.p, id, this.now(), this.options.finishedTtlMs];
  }

  /** Registers a queued job (QUEUED, seq 1) with the request its workers rebuild their work from. */
  async create(snapshot: JobSnapshot, request: unknown): Promise<void> {
    const { id, kind, description, dryRun, createdAt } = snapshot;
    const base = JSON.stringify({ id, kind, description, dryRun, createdAt }).slice(1, -1);
    await this.redis.eval(CREATE, 0, this.p, id, this.now(), base, createdAt, JSON.stringify(request));
  }

  /** The request a job was created with, and whether it is still to be worked on (not final, not being cancelled). */
  async request(id: string): Promise<{ request: unknown; live: boolean } | undefined> {
    const [request, state, cancelling] = await this.redis.hmget(
      `${this.p}qjob:${id}`,
      'request',
      'state',
      'cancelling',
    );
    if (request === null) return undefined;
    return { request: JSON.parse(request), live: !isFinal(state as JobState) && cancelling === null };
  }

  /** True when the id names a queued job (one whose work runs on the queue's workers). */
  async has(id: string): Promise<boolean> {
    return (await this.redis.exists(`${this.p}qjob:${id}`)) === 1;
  }

  /** Totals known, items about to be queued: RUNNING. A second plan (a planner taken over) changes nothing. */
  async plan(
    id: string,
    totals: {
      totalFiles: number;
      totalBytes: number;
      skippedFiles: number;
      items: number;
      refused: [string, FileError][];
    },
  ): Promise<JobState | undefined> {
    const refused = JSON.stringify(totals.refused.map(([key, error]) => [key, JSON.stringify(error)]));
    const state = await this.redis.eval(
      PLAN,
      0,
      ...this.args(id),
      totals.totalFiles,
      totals.totalBytes,
      totals.skippedFiles,
      totals.items,
      refused,
    );
    await this.ended(state);
    return (state ?? undefined) as JobState | undefined;
  }

  /** Adds a worker's report; resolves with the job's state after it ('GONE' when its keys expired). */
  async apply(id: string, report: ItemReport): Promise<JobState | 'GONE' | ''> {
    const json = JSON.stringify({
      ...report,
      failed: report.failed.map(([key, error]) => [key, JSON.stringify(error)]),
    });
    const state = (await this.redis.eval(APPLY, 0, ...this.args(id), json)) as JobState | 'GONE' | '';
    await this.ended(state);
    return state;
  }

  /** Ends the job (cancelled, or failed as a whole); false when it had ended already. */
  async finish(id: string, state: JobState, message?: string): Promise<boolean> {
    const ended =
      (await this.redis.eval(
        FINISH,
        0,
        ...this.args(id),
        state,
        message === undefined ? '' : JSON.stringify(message),
      )) === 1;
    if (ended) await this.ended(state);
    return ended;
  }

  /** From now on no item of the job starts and none completes it: what a cancel does before it waits for the workers. */
  async markCancelling(id: string): Promise<void> {
    await this.redis.hset(`${this.p}qjob:${id}`, 'cancelling', '1');
  }

  async items(id: string): Promise<{ planned: number; completed: Set<string> }> {
    const [planned, completed] = await Promise.all([
      this.redis.hget(`${this.p}qjob:${id}`, 'items'),
      this.redis.smembers(`${this.p}qjob:${id}:items`),
    ]);
    return { planned: Number(planned ?? 0), completed: new Set(completed) };
  }

  async open(): Promise<string[]> {
    return this.redis.smembers(`${this.p}qjobs:open`);
  }

  /** Instances whose workers took items of the job (their multipart uploads are the job's). */
  async noteWorker(id: string, instanceId: string): Promise<void> {
    await this.redis.sadd(`${this.p}qjob:${id}:workers`, instanceId);
  }

  async workersOf(id: string): Promise<string[]> {
    return this.redis.smembers(`${this.p}qjob:${id}:workers`);
  }
}
