--- @include "listing"
--- @include "owner"
--[[
  scontrol update of one job: the new record and the stored fields that go
  with it, applied only if the record is still the one the change was planned
  on (else the caller plans again).
  KEYS[1] job hash   KEYS[2] listing hash   KEYS[3] accounting lines hash   KEYS[4] pending zset
  ARGV[1] job id   ARGV[2] the record the change was planned on   ARGV[3] new record
  ARGV[4] fields JSON   ARGV[5] wake channel   ARGV[6] '1' when the change needs a pending job
  ARGV[7] the caller's uid   ARGV[8] '1': it may act on every job
  Returns -9 not the caller's job, 1, 0 when the record changed meanwhile, -1 no such job, -2 no longer pending.
]]
local current = redis.call('HMGET', KEYS[1], 'record', 'state')
if not current[1] then return -1 end
if not flow_may_touch(KEYS[1], ARGV[7], ARGV[8]) then return FLOW_ACCESS_DENIED end
if current[1] ~= ARGV[2] then return 0 end
if ARGV[6] == '1' and current[2] ~= 'PENDING' then return -2 end
local fields = cjson.decode(ARGV[4])
local args = { 'record', ARGV[3] }
for k, v in pairs(fields) do
  args[#args + 1] = k
  args[#args + 1] = tostring(v)
end
redis.call('HSET', KEYS[1], unpack(args))
-- the record's version: a controller's cached copy is stale when it differs (the wake message may be lost)
redis.call('HINCRBY', KEYS[1], 'rv', 1)
-- Priority=0 holds the job, a new priority releases it: in or out of the scheduler's queue
if fields.held ~= nil and current[2] == 'PENDING' then
  if fields.held == '' then redis.call('ZADD', KEYS[4], tonumber(ARGV[1]), ARGV[1]) else redis.call('ZREM', KEYS[4], ARGV[1]) end
end
flow_listing(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
redis.call('PUBLISH', ARGV[5], 'update ' .. ARGV[1])
return 1
