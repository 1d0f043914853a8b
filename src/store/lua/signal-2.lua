--- @include "owner"
--[[
  scancel --signal of a running job: the request is queued for the controller
  (kept until it is delivered, also while no controller runs), if the caller
  may act on the job.
  KEYS[1] job hash   KEYS[2] requests list
  ARGV[1] the caller's uid   ARGV[2] '1': it may act on every job   ARGV[3] wake channel
  ARGV[4] job id   ARGV[5] signal number   ARGV[6] target: all, batch or steps
  Returns 1 queued, -1 no such job, -2 not running, -9 not the caller's job.
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'run')
if not st[1] then return -1 end
if not flow_may_touch(KEYS[1], ARGV[1], ARGV[2]) then return FLOW_ACCESS_DENIED end
if st[1] ~= 'RUNNING' then return -2 end
redis.call('RPUSH', KEYS[2], 'signal ' .. ARGV[4] .. ' ' .. (st[2] or '0') .. ' ' .. ARGV[5] .. ' ' .. ARGV[6])
redis.call('PUBLISH', ARGV[3], 'signal ' .. ARGV[4])
return 1
