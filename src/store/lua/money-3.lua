--- @include "listing"
--[[
  What a run of a job on a paying provider has cost so far (the Mithril driver
  reports it from the market's numbers): the job's `money` field (JSON, for
  sacct and flow status) keeps each run's price per instance-hour and cost, in
  cents, under the run's number.
  KEYS[1] job hash   KEYS[2] listing hash   KEYS[3] accounting lines hash
  ARGV[1] job id   ARGV[2] run   ARGV[3] price (cents per instance-hour)   ARGV[4] cost (cents)
  Returns 1, or 0 when the job is gone.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local text = redis.call('HGET', KEYS[1], 'money')
local money = {}
if text and text ~= '' then money = cjson.decode(text) end
money[ARGV[2]] = { tonumber(ARGV[3]), tonumber(ARGV[4]) }
redis.call('HSET', KEYS[1], 'money', cjson.encode(money))
flow_listing(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
return 1
