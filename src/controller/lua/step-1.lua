--- @include "listing"
--[[
  A job step (srun) starts or ends: the job's `steps` field (JSON list, for
  sacct) gets the step added or replaced. Step ids count from 0 per job.
  KEYS[1] job hash   KEYS[2] listing hash   KEYS[3] accounting lines hash
  ARGV[1] job id   ARGV[2] 'start' or 'end'   ARGV[3] the step (JSON; on start its id is assigned here)
  Returns the step id, or -1 when the job is not running (start) or unknown.
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'steps')
if not st[1] then return -1 end
local steps = {}
if st[2] and st[2] ~= '' then steps = cjson.decode(st[2]) end
local step = cjson.decode(ARGV[3])
if ARGV[2] == 'start' then
  if st[1] ~= 'RUNNING' then return -1 end
  step.id = redis.call('HINCRBY', KEYS[1], 'nextStep', 1) - 1
  steps[#steps + 1] = step
else
  for i = 1, #steps do
    if steps[i].id == step.id then steps[i] = step end
  end
end
redis.call('HSET', KEYS[1], 'steps', cjson.encode(steps))
flow_listing(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
return step.id
