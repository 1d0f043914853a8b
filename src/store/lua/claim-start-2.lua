--[[
  A command found no live controller: take the right to start one, at most
  one command at a time. A lease whose holder the command saw dead is dropped.
  KEYS[1] controller key   KEYS[2] start claim
  ARGV[1] the holder seen dead ('' when there was none)   ARGV[2] the claimant   ARGV[3] claim in ms
  Returns 1 when the caller is to start a controller; 0 when a live controller
  leads or another command is starting one.
]]
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
if holder then redis.call('DEL', KEYS[1]) end
if redis.call('SET', KEYS[2], ARGV[2], 'PX', tonumber(ARGV[3]), 'NX') then return 1 end
return 0
