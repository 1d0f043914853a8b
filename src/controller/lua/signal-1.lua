--- @include "owner"
--[[
  scancel --signal of a running job: the controller is told to deliver it, if
  the caller may act on the job.
  KEYS[1] job hash
  ARGV[1] the caller's uid   ARGV[2] '1': it may act on every job   ARGV[3] wake channel
  ARGV[4] the message for the controller (`signal <job> <sig> <batch> <full>`)
  Returns 1 sent, -1 no such job, -2 not running, -9 not the caller's job.
]]
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return -1 end
if not flow_may_touch(KEYS[1], ARGV[1], ARGV[2]) then return FLOW_ACCESS_DENIED end
if st ~= 'RUNNING' then return -2 end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
