--- @include "listing"
--- @include "owner"
--[[
  scontrol hold / uhold: a pending job gets priority 0 and a held reason.
  KEYS[1] job hash   KEYS[2] pending zset (the scheduler's queue, which held jobs leave)   KEYS[3] listing hash   KEYS[4] accounting lines hash
  ARGV[1] 'user' or 'admin'   ARGV[2] job id
  ARGV[3] the caller's uid   ARGV[4] '1': it may act on every job
  Returns -9 not the caller's job, 1, -1 no such job, -2 not pending.
]]
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return -1 end
if not flow_may_touch(KEYS[1], ARGV[3], ARGV[4]) then return FLOW_ACCESS_DENIED end
if st ~= 'PENDING' then return -2 end
local reason = 'JobHeldUser'
if ARGV[1] == 'admin' then reason = 'JobHeldAdmin' end
redis.call('HSET', KEYS[1], 'held', ARGV[1], 'priority', '0', 'reason', reason)
redis.call('ZREM', KEYS[2], ARGV[2])
flow_listing(KEYS[1], KEYS[3], KEYS[4], ARGV[2])
return 1
