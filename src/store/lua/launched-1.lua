--[[
  Record the supervisor of a run, once: a second launch of the same run (a
  retried dispatch) finds it taken and must not start the job again. A run
  cancelled (COMPLETING) or requeued (PENDING, same run) while it started gets
  its supervisor recorded too: the controller ends that run as it ends any.
  KEYS[1] job hash
  ARGV[1] run number  ARGV[2] supervisor "pid@host"
  Returns 1 recorded, 2 recorded but cancelled meanwhile, 3 recorded but requeued
  meanwhile, 0 when the run already has a supervisor or is over.
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'run', 'sup')
if st[2] ~= ARGV[1] or (st[3] and st[3] ~= '') then return 0 end
local answer = ({ RUNNING = 1, CONFIGURING = 1, COMPLETING = 2, PENDING = 3, SPECIAL_EXIT = 3 })[st[1]]
if not answer then return 0 end
redis.call('HSET', KEYS[1], 'sup', ARGV[2], 'launched', '1')
return answer
