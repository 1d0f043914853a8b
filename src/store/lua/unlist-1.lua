--- @include "listing"
--[[
  MinJobAge: jobs leave the listing (squeue and scontrol no longer show them; sacct still does).
  KEYS[1] listing hash
  ARGV job ids
  Returns how many lines were removed.
]]
local n = 0
for i = 1, #ARGV do
  n = n + redis.call('HDEL', KEYS[1], ARGV[i])
end
flow_bump_version(KEYS[1])
return n
