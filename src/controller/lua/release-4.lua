--- @include "listing"
--[[
  scontrol release: give a held pending job its priority back.
  KEYS[1] job hash   KEYS[2] pending zset (the scheduler's queue, which the job rejoins)   KEYS[3] listing hash   KEYS[4] accounting lines hash
  ARGV[1] wake channel   ARGV[2] job id
  Returns 1, -1 no such job, -2 not pending, -3 not held.
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'held', 'basePriority')
if not st[1] then return -1 end
if st[1] ~= 'PENDING' then return -2 end
if not st[2] or st[2] == '' then return -3 end
redis.call('HSET', KEYS[1], 'held', '', 'priority', st[3] or '1', 'reason', 'None')
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[2])
flow_listing(KEYS[1], KEYS[3], KEYS[4], ARGV[2])
redis.call('PUBLISH', ARGV[1], 'release')
return 1
