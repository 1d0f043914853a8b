--- @include "listing"
--- @include "owner"
--[[
  A job step (srun) starts, ends or is cancelled: the job's `steps` field (JSON
  list, for sacct) gets the step added or replaced, or marks it cancelled (by
  whom: scancel N.S; its srun is told and ends it). Step ids count from 0 per job.
  KEYS[1] job hash   KEYS[2] listing hash   KEYS[3] accounting lines hash   KEYS[4] requests list (cancel)
  ARGV[1] job id   ARGV[2] 'start', 'end' or 'cancel'   ARGV[4] wake channel (cancel)
  ARGV[3] the step (JSON; on start its id is assigned here; to cancel: its id, cancelBy (the caller's uid) and any (true: it may act on every job))
  Returns -9 (cancel) not the caller's job, the step id, -1 when the job is not running (start, cancel) or unknown,
  -2 when it has no such step running (cancel).
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
elseif ARGV[2] == 'cancel' then
  if st[1] ~= 'RUNNING' then return -1 end
  if not flow_may_touch(KEYS[1], step.cancelBy, step.any and '1' or '0') then return FLOW_ACCESS_DENIED end
  local found = false
  for i = 1, #steps do
    if steps[i].id == step.id and steps[i]['end'] == 0 then
      steps[i].cancelBy = step.cancelBy
      found = true
    end
  end
  if not found then return -2 end
  -- its srun is told by the controller, which may not be running now
  redis.call('RPUSH', KEYS[4], 'stepcancel ' .. ARGV[1] .. ' ' .. step.id)
  redis.call('PUBLISH', ARGV[4], 'stepcancel ' .. ARGV[1])
else
  for i = 1, #steps do
    if steps[i].id == step.id then
      -- what was recorded about the step while it ran: who cancelled it, whether it outlived its job
      step.cancelBy = steps[i].cancelBy
      step.afterJob = steps[i].afterJob
      steps[i] = step
    end
  end
end
redis.call('HSET', KEYS[1], 'steps', cjson.encode(steps))
flow_listing(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
return step.id
