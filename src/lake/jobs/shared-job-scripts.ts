// The Lua scripts that move a queued job's aggregate in Redis: each one reads, changes, saves and publishes the job in one atomic step.
import { MAX_REPORTED_ERRORS } from './types.js';

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
-- Every item is in: SUCCEEDED, or FAILED saying how many files failed.
local function conclude(t, now)
  t.finishedAt = now
  if tonumber(t.failedFiles) > 0 then
    t.state = 'FAILED'
    t.message = cjson.encode(t.failedFiles .. ' of ' .. t.totalFiles .. ' files failed')
  else
    t.state = 'SUCCEEDED'
  end
end
`;

/** ARGV: prefix, id, now, base, createdAt, request. */
export const CREATE = `${COMMON}
if redis.call('EXISTS', q) == 1 then return nil end
local now = tonumber(ARGV[3])
redis.call('SADD', p .. 'qjobs:open', id)
return write({ base = ARGV[4], createdAt = ARGV[5], request = ARGV[6], state = 'QUEUED', seq = 0, totalFiles = 0, doneFiles = 0,
  failedFiles = 0, skippedFiles = 0, totalBytes = 0, transferredBytes = 0 }, nil, now, 0)
`;

/** ARGV: prefix, id, now, ttl, totalFiles, totalBytes, skippedFiles, items, refused (JSON [[key, errorJson]]). Returns the state after. */
export const PLAN = `${COMMON}
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
  conclude(t, now)
  write(t, previous, now, ttl)
end
return t.state
`;

/**
 * ARGV: prefix, id, now, ttl, report JSON { bytes: [[file, sent]], done: [[file, size]],
 * failed: [[file, errorJson]], items: [itemId] }. Returns the state after ('' when nothing changed).
 */
export const APPLY = `${COMMON}
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
  conclude(t, now)
  changed = true
end
if not changed then return '' end
write(t, previous, now, ttl)
return t.state
`;

/** ARGV: prefix, id, now, ttl, state, message JSON or ''. Returns 1 when this call ended the job. */
export const FINISH = `${COMMON}
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local t = load()
if not t or final(t.state) then return 0 end
local previous = t.state
t.state, t.finishedAt = ARGV[5], now
if ARGV[6] ~= '' then t.message = ARGV[6] end
write(t, previous, now, ttl)
return 1
`;
