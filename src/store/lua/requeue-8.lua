--- @include "listing"
--- @include "owner"
--[[
  scontrol requeue: a running or finished batch job goes back to pending under
  the same id (its run's handle stays in `sup` until the controller has stopped it). As slurmctld: SubmitTime becomes now, the job is eligible again
  only after a delay (BeginTime), Restarts goes up; the run it leaves is kept
  in `history` for sacct. A running job's processes are left for the
  controller to stop: the stops hash names the run.
  KEYS[1] job hash   KEYS[2] pending zset   KEYS[3] running set   KEYS[4] active zset
  KEYS[5] listing hash   KEYS[6] accounting lines hash   KEYS[7] accounting zset
  KEYS[8] stops hash (runs to stop: the controller ends the run left, before the job may start again)
  ARGV[1] job id   ARGV[2] now   ARGV[3] eligible time   ARGV[4] wake channel   ARGV[5] history entry JSON
  ARGV[6] requeuehold: the state to hold it in (PENDING, or SPECIAL_EXIT for State=SpecialExit); '' or absent: not held
  ARGV[7] the caller's uid   ARGV[8] '1': it may act on every job
  Returns -9 not the caller's job, 1 requeued (was running), 2 requeued (was finished), -1 no such job, -2 pending, -3 --no-requeue
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'run', 'r.requeue', 'history')
if not st[1] then return -1 end
if not flow_may_touch(KEYS[1], ARGV[7], ARGV[8]) then return FLOW_ACCESS_DENIED end
if st[1] == 'PENDING' or st[1] == 'SPECIAL_EXIT' then return -2 end
if st[3] == '0' then return -3 end
local was = 2
if st[1] == 'RUNNING' or st[1] == 'CONFIGURING' or st[1] == 'COMPLETING' or st[1] == 'SUSPENDED' then was = 1 end
local history = cjson.decode(st[4] or '[]')
local entry = cjson.decode(ARGV[5])
history[#history + 1] = entry
redis.call('HSET', KEYS[1], 'state', 'PENDING', 'reason', 'BeginTime', 'eligible', ARGV[3], 'start', '0', 'end', '0',
  'nodes', '', 'alloc', '[]', 'batchHost', '', 'cancelBy', '', 'exit', '0:0', 'cpus', '0', 'nnodes', '0',
  'submit', ARGV[2], 'history', cjson.encode(history))
redis.call('HINCRBY', KEYS[1], 'restarts', 1)
local held = ARGV[6] or ''
if held ~= '' then
  -- as slurmctld: a user hold, priority 0, the reason text 'job requeued in held state'; released, it is numbered anew
  redis.call('HSET', KEYS[1], 'state', held, 'held', 'user', 'priority', '0', 'basePriority', '0', 'reason', 'job requeued in held state')
end
-- the next run numbers its steps from 0 again
redis.call('HDEL', KEYS[1], 'steps', 'nextStep')
redis.call('SREM', KEYS[3], ARGV[1])
if held == '' then redis.call('ZADD', KEYS[2], tonumber(ARGV[1]), ARGV[1]) end
redis.call('ZADD', KEYS[4], 0, ARGV[1])
redis.call('ZADD', KEYS[7], tonumber(ARGV[2]), ARGV[1])
flow_listing(KEYS[1], KEYS[5], KEYS[6], ARGV[1])
if was == 1 then redis.call('HSETNX', KEYS[8], ARGV[1] .. '.' .. (st[2] or '0'), 'requeue') end
redis.call('PUBLISH', ARGV[4], 'requeue ' .. ARGV[1])
return was
