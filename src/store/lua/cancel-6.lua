--- @include "listing"
--- @include "owner"
--[[
  scancel of one job. A pending job ends at once (StartTime = EndTime = now,
  as Slurm shows it); a running one is marked and left for the controller to
  signal; a finished one is left alone.
  KEYS[1] job hash   KEYS[2] pending zset   KEYS[3] active zset   KEYS[4] listing hash
  KEYS[5] accounting lines hash   KEYS[6] stops hash (runs to stop: the controller ends them)
  ARGV[1] job id     ARGV[2] uid of the canceller   ARGV[3] now   ARGV[4] wake channel
  ARGV[5] the reason to record for a pending job ('' keeps its reason)
  ARGV[6] the priority to record for a pending job ('' keeps it; --kill-on-invalid-dep: 4294967294, as Slurm)
  ARGV[7] the final state of a pending job ('' or absent: CANCELLED; FAILED for a request slurmctld refuses)
  ARGV[8] its exit code ('' or absent: 0:0)
  ARGV[9] '1': the canceller may act on every job (else only on its own: ARGV[2])
  Returns -9 not the caller's job, -1 no such job, 1 cancelled while pending, 2 running (its run is to be stopped), 3 already over.
]]
local st = redis.call('HMGET', KEYS[1], 'state', 'cancelBy', 'run')
if not st[1] then return -1 end
if not flow_may_touch(KEYS[1], ARGV[2], ARGV[9]) then return FLOW_ACCESS_DENIED end
if st[1] == 'PENDING' then
  local final = ARGV[7] or ''
  if final == '' then final = 'CANCELLED' end
  local by = ARGV[2]
  if final ~= 'CANCELLED' then by = '' end
  local exit = ARGV[8] or ''
  if exit == '' then exit = '0:0' end
  redis.call('HSET', KEYS[1], 'state', final, 'start', ARGV[3], 'end', ARGV[3], 'exit', exit, 'cancelBy', by)
  if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'reason', ARGV[5]) end
  if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'priority', ARGV[6]) end
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZADD', KEYS[3], tonumber(ARGV[3]), ARGV[1])
  flow_listing(KEYS[1], KEYS[4], KEYS[5], ARGV[1])
  redis.call('PUBLISH', ARGV[4], 'cancel ' .. ARGV[1])
  return 1
end
if st[1] == 'RUNNING' or st[1] == 'CONFIGURING' or st[1] == 'COMPLETING' then
  if not st[2] or st[2] == '' then
    redis.call('HSET', KEYS[1], 'cancelBy', ARGV[2], 'state', 'COMPLETING')
    -- the desired state, kept until the run's end is recorded: no controller has to be listening now
    redis.call('HSETNX', KEYS[6], ARGV[1] .. '.' .. (st[3] or '0'), 'cancel ' .. ARGV[2])
    -- the job's accounting is closed now, as slurmctld closes it: steps still running end after it,
    -- and their exit codes no longer count for its DerivedExitCode
    local steps = redis.call('HGET', KEYS[1], 'steps')
    if steps and steps ~= '' and steps ~= '[]' then
      local list = cjson.decode(steps)
      for i = 1, #list do
        if list[i]['end'] == 0 then list[i].afterJob = true end
      end
      redis.call('HSET', KEYS[1], 'steps', cjson.encode(list))
    end
  end
  flow_listing(KEYS[1], KEYS[4], KEYS[5], ARGV[1])
  redis.call('PUBLISH', ARGV[4], 'cancel ' .. ARGV[1])
  return 2
end
return 3
