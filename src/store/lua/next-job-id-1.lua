--[[
  Hand out the next job id. FirstJobId counts only on a fresh cluster.
  KEYS[1] the counter   ARGV[1] FirstJobId
]]
redis.call('SET', KEYS[1], tonumber(ARGV[1]) - 1, 'NX')
return redis.call('INCR', KEYS[1])
