--- @include "listing"
--- @include "owner"
--[[
  scontrol release: give a held pending job its priority back (a job held since
  its submission gets its number in the submission order now, as priority/basic does).
  KEYS[1] job hash   KEYS[2] pending zset (the scheduler's queue, which the job rejoins)   KEYS[3] listing hash   KEYS[4] accounting lines hash
  KEYS[5] submissions counter
  ARGV[1] wake channel   ARGV[2] job id   ARGV[3] the caller's uid   ARGV[4] '1': it may act on every job
  Returns -9 not the caller's job, 1, -1 no such job, -2 not pending, -3 not held.
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'held', 'basePriority', 'r.nice')
if not st[1] then return -1 end
if not flow_may_touch(KEYS[1], ARGV[3], ARGV[4]) then return FLOW_ACCESS_DENIED end
-- a job requeued and held as SPECIAL_EXIT is pending again once released
if st[1] ~= 'PENDING' and st[1] ~= 'SPECIAL_EXIT' then return -2 end
if not st[2] or st[2] == '' then return -3 end
local base = tonumber(st[3] or '0')
if base == 0 then
  base = 4294901760 - redis.call('INCR', KEYS[5]) - tonumber(st[4] or '0')
  if base < 1 then base = 1 end
end
redis.call('HSET', KEYS[1], 'state', 'PENDING', 'held', '', 'priority', base, 'basePriority', base, 'reason', 'None')
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[2])
flow_listing(KEYS[1], KEYS[3], KEYS[4], ARGV[2])
redis.call('PUBLISH', ARGV[1], 'release')
return 1
