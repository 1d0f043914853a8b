--- @include "listing"
--[[
  The scheduler's verdict for jobs that stay pending: their reason and the
  `Dependency=` text. Jobs that changed state meanwhile are skipped.
  KEYS[1] key prefix of job hashes (e.g. "flow:{c}:job:")   KEYS[2] listing hash   KEYS[3] accounting lines hash
  ARGV[1] now   ARGV[2..] quadruples of job id, reason, dependency text ('' = none),
  and the job's eligible time ('' = unchanged: set once its dependency is satisfied)
]]
for i = 2, #ARGV, 4 do
  local key = KEYS[1] .. ARGV[i]
  if redis.call('HGET', key, 'state') == 'PENDING' then
    redis.call('HSET', key, 'reason', ARGV[i + 1], 'dependency', ARGV[i + 2], 'lastSchedEval', ARGV[1])
    if ARGV[i + 3] ~= '' then redis.call('HSET', key, 'eligible', ARGV[i + 3]) end
    flow_listing(key, KEYS[2], KEYS[3], ARGV[i])
  end
end
return 1
