--- @include "listing"
--[[
  Start a pending job on the resources the scheduler chose (the scheduler is
  the only caller). Refuses if the job is no longer pending, is held, or its
  cancellation was requested meanwhile.
  KEYS[1] job hash   KEYS[2] pending zset   KEYS[3] running set   KEYS[4] listing hash   KEYS[5] accounting lines hash
  KEYS[6] stops hash
  ARGV[1] job id     ARGV[2] node list (hostlist)   ARGV[3] allocation JSON
  ARGV[4] batch host ARGV[5] start time (epoch s)   ARGV[6] CPUs allocated   ARGV[7] nodes allocated
  ARGV[8] the partition it starts in when it had several ('' otherwise); ARGV[9] the record's
  `"partition":"a,b"` text, ARGV[10] its replacement (plain text, the record's JSON is not re-encoded)
  ARGV[11] the state it starts in: RUNNING ('' or absent), or CONFIGURING while its nodes power up (started-3.lua ends it)
  Returns the new run number, or -1 (not pending), -2 (held), -3 (its last run is still being stopped:
  a requeued job never has two runs alive).
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'held', 'run')
if st[1] ~= 'PENDING' then return -1 end
if st[2] and st[2] ~= '' then return -2 end
if redis.call('HEXISTS', KEYS[6], ARGV[1] .. '.' .. (st[3] or '0')) == 1 then return -3 end
local run = tonumber(st[3] or '0') + 1
local state = ARGV[11] or ''
if state == '' then state = 'RUNNING' end
redis.call('HSET', KEYS[1], 'state', state, 'reason', 'None', 'nodes', ARGV[2], 'alloc', ARGV[3],
  'batchHost', ARGV[4], 'start', ARGV[5], 'end', '0', 'run', run, 'sup', '', 'launched', '0',
  'cpus', ARGV[6], 'nnodes', ARGV[7], 'dependency', '')
if ARGV[8] ~= '' then
  local record = redis.call('HGET', KEYS[1], 'record')
  local at = string.find(record, ARGV[9], 1, true)
  if at then
    record = string.sub(record, 1, at - 1) .. ARGV[10] .. string.sub(record, at + #ARGV[9])
    redis.call('HSET', KEYS[1], 'record', record, 'r.partition', ARGV[8])
  end
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
flow_listing(KEYS[1], KEYS[4], KEYS[5], ARGV[1])
return run
