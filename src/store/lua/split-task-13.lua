--- @include "listing"
--- @include "owner"
--[[
  Split one pending task off a job array, to start it or to cancel it alone:
  the task becomes a job of its own and the array keeps the rest. The last
  task keeps the array's own job id, as in Slurm (then KEYS[1] == KEYS[2]).
  KEYS[1] array job hash   KEYS[2] task job hash   KEYS[3] array script   KEYS[4] array env
  KEYS[5] task script      KEYS[6] task env        KEYS[7] pending zset   KEYS[8] active zset
  KEYS[9] listing hash     KEYS[10] the array's task set                  KEYS[11] accounting zset
  KEYS[12] accounting lines hash   KEYS[13] list order counter
  ARGV[1] array job id     ARGV[2] task job id     ARGV[3] pending tasks now (compare and set)
  ARGV[4] pending tasks after   ARGV[5] task record JSON   ARGV[6] task fields JSON
  ARGV[7] 'start' or 'cancel'   ARGV[8] end time (cancel)   ARGV[9] the array's submit time
  ARGV[10] (cancel) the caller's uid   ARGV[11] (cancel) '1': it may act on every job
  Returns -9 (cancel) not the caller's job, 1, -1 when the array is no longer pending with those tasks, -2 when it is held (start).
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'held', 'tasks', 'ord')
if ARGV[7] == 'cancel' and not flow_may_touch(KEYS[1], ARGV[10], ARGV[11]) then return FLOW_ACCESS_DENIED end
if st[1] ~= 'PENDING' or st[3] ~= ARGV[3] then return -1 end
if ARGV[7] == 'start' and st[2] and st[2] ~= '' then return -2 end
local same = KEYS[1] == KEYS[2]
local fields = cjson.decode(ARGV[6])
local args = { 'record', ARGV[5] }
for k, v in pairs(fields) do
  args[#args + 1] = k
  args[#args + 1] = tostring(v)
end
redis.call('HSET', KEYS[2], unpack(args))
if not same then
  -- slurmctld's list order: the task keeps the array's place, the array moves to the end
  redis.call('HSET', KEYS[2], 'ord', st[4] or '0')
  redis.call('HSET', KEYS[1], 'ord', redis.call('INCR', KEYS[13]))
  redis.call('COPY', KEYS[3], KEYS[5], 'REPLACE')
  redis.call('COPY', KEYS[4], KEYS[6], 'REPLACE')
  redis.call('SADD', KEYS[10], ARGV[2])
  redis.call('HSET', KEYS[1], 'tasks', ARGV[4])
  flow_listing(KEYS[1], KEYS[9], KEYS[12], ARGV[1])
end
redis.call('ZADD', KEYS[11], tonumber(ARGV[9]), ARGV[2])
if ARGV[7] == 'start' then
  redis.call('ZADD', KEYS[7], tonumber(ARGV[2]), ARGV[2])
  redis.call('ZADD', KEYS[8], 0, ARGV[2])
else
  redis.call('ZREM', KEYS[7], ARGV[2])
  redis.call('ZADD', KEYS[8], tonumber(ARGV[8]), ARGV[2])
end
flow_listing(KEYS[2], KEYS[9], KEYS[12], ARGV[2])
return 1
