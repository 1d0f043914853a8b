--- @include "listing"
--[[
  A run whose nodes are bought at auction waits for its bid to win: its job
  (CONFIGURING) gets the bid in its reason (`BidOpen,spot=$9.00/h,limit=$8.00/h`),
  which makes squeue, sacct and scontrol show it PENDING (see the listing
  include); 'None' once the bid won and its instances start.
  KEYS[1] job hash   KEYS[2] listing hash   KEYS[3] accounting lines hash
  ARGV[1] job id   ARGV[2] run number   ARGV[3] reason
  Returns 1 set, 0 when the job is not configuring that run.
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'run')
if st[1] ~= 'CONFIGURING' or st[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'reason', ARGV[3])
flow_listing(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
return 1
