--- @include "listing"
--[[
  A run whose nodes were powering up has started (its driver says so): the
  job goes from CONFIGURING to RUNNING, and its StartTime becomes now, as
  slurmctld resets it once a job's nodes have booted.
  KEYS[1] job hash   KEYS[2] listing hash   KEYS[3] accounting lines hash
  ARGV[1] job id   ARGV[2] run number   ARGV[3] now
  Returns 1 started, 0 when the job is not configuring that run.
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'run')
if st[1] ~= 'CONFIGURING' or st[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'RUNNING', 'start', ARGV[3])
flow_listing(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
return 1
