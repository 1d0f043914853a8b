--- @include "listing"
--[[
  Accept a job: store its record, script and environment, queue it as pending
  (unless held) and make it visible to squeue and sacct. Refuses an id that is already taken.
  KEYS[1] job hash        KEYS[2] script        KEYS[3] env
  KEYS[4] pending zset    KEYS[5] active zset   KEYS[6] listing hash
  KEYS[7] accounting zset KEYS[8] accounting lines hash   KEYS[9] submissions counter
  KEYS[10] list order counter
  ARGV[1] job id          ARGV[2] record JSON   ARGV[3] script bytes
  ARGV[4] env JSON        ARGV[5] state fields JSON (flat object of hash fields)
  ARGV[6] wake channel    ARGV[7] submit time
  ARGV[8] nice            ARGV[9] '1': the priority comes from the order of submission (priority/basic:
                          the cluster's first job 4294901759, one less for each later one, minus nice)
  Returns 1, or -1 when the id exists.
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local fields = cjson.decode(ARGV[5])
-- slurmctld's job list order (squeue's order among equals): new jobs go first
fields.ord = -redis.call('INCR', KEYS[10])
-- a held job gets its number when it is released
if ARGV[9] == '1' then
  if fields.priority == 0 then
    fields.basePriority = 0
  else
    local base = 4294901760 - redis.call('INCR', KEYS[9]) - tonumber(ARGV[8])
    if base < 1 then base = 1 end
    fields.basePriority = base
    fields.priority = base
  end
end
local args = { 'record', ARGV[2] }
for k, v in pairs(fields) do
  args[#args + 1] = k
  args[#args + 1] = tostring(v)
end
redis.call('HSET', KEYS[1], unpack(args))
redis.call('SET', KEYS[2], ARGV[3])
redis.call('SET', KEYS[3], ARGV[4])
redis.call('ZADD', KEYS[5], 0, ARGV[1])
redis.call('ZADD', KEYS[7], tonumber(ARGV[7]), ARGV[1])
flow_listing(KEYS[1], KEYS[6], KEYS[8], ARGV[1])
-- held jobs stay out of the scheduler's queue until released, and wake no scheduling pass
if not fields.held or fields.held == '' then
  redis.call('ZADD', KEYS[4], tonumber(ARGV[1]), ARGV[1])
  redis.call('PUBLISH', ARGV[6], 'submit ' .. ARGV[1])
end
return 1
