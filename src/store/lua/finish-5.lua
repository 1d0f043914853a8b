--- @include "listing"
--[[
  A run ended: record its final state and release its resources. Only the run
  that is current counts (a stale report of an earlier run is ignored).
  KEYS[1] job hash   KEYS[2] running set   KEYS[3] active zset   KEYS[4] listing hash
  KEYS[5] accounting lines hash
  ARGV[1] job id     ARGV[2] run number    ARGV[3] final state   ARGV[4] reason
  ARGV[5] exit code "N:S"   ARGV[6] end time   ARGV[7] wake channel
  Returns 1 when recorded, 0 when ignored.
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'run')
if (st[1] ~= 'RUNNING' and st[1] ~= 'CONFIGURING' and st[1] ~= 'COMPLETING') or st[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'reason', ARGV[4], 'exit', ARGV[5], 'end', ARGV[6])
-- steps still running end with the job (their srun was killed with it, or is about to say how they ended)
local steps = redis.call('HGET', KEYS[1], 'steps')
if steps and steps ~= '' and steps ~= '[]' then
  local list = cjson.decode(steps)
  local changed = false
  for i = 1, #list do
    if list[i]['end'] == 0 then
      list[i]['end'] = tonumber(ARGV[6])
      list[i].state = 'CANCELLED'
      list[i].exit = '0:15'
      changed = true
    end
  end
  if changed then redis.call('HSET', KEYS[1], 'steps', cjson.encode(list)) end
end
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], tonumber(ARGV[6]), ARGV[1])
flow_listing(KEYS[1], KEYS[4], KEYS[5], ARGV[1])
redis.call('PUBLISH', ARGV[7], 'end ' .. ARGV[1])
return 1
