--[[
  Record the supervisor of a run, once: a second launch of the same run (a
  retried dispatch) finds it taken and must not start the job again.
  KEYS[1] job hash
  ARGV[1] run number  ARGV[2] supervisor "pid@host"
  Returns 1 when recorded, 0 when the run already has a supervisor or is over.
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'run', 'sup')
if st[1] ~= 'RUNNING' or st[2] ~= ARGV[1] or (st[3] and st[3] ~= '') then return 0 end
redis.call('HSET', KEYS[1], 'sup', ARGV[2], 'launched', '1')
return 1
