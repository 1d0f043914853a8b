--[[
  Controller leadership: take the key if free, or keep it if it is ours.
  KEYS[1] controller key
  ARGV[1] this controller's id   ARGV[2] lease in ms
  ARGV[3] (optional) a holder known to be dead, whose lease may be taken before it expires
  Returns 1 while we lead, 0 when another controller does.
]]
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] and holder ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 1
