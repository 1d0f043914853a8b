--[[
  Another process now stands for an interactive job (salloc --no-shell exits
  and leaves a stand-in that holds the allocation): the run's supervisor
  becomes ARGV[3], if it is still ARGV[2] or not recorded yet.
  KEYS[1] job hash
  ARGV[1] run number  ARGV[2] the supervisor so far (pid)  ARGV[3] the new one
  Returns 1 when handed over, 0 when the run is over or has another supervisor.
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'run', 'sup')
if st[1] ~= 'RUNNING' or st[2] ~= ARGV[1] then return 0 end
if st[3] and st[3] ~= '' and st[3] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'sup', ARGV[3], 'launched', '1')
return 1
