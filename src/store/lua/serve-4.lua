-- A served command's request (src/served/client): queued for the leading controller when one of
-- the caller's build holds the lease; otherwise answered at once as declined, so the caller's BLPOP,
-- sent together with this, returns now and the command runs in full.
-- KEYS: controller lease, controller build, serve list, the request's answer list
-- ARGV: build id, request, declined answer, answer TTL (ms)
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('RPUSH', KEYS[3], ARGV[2])
  return 1
end
redis.call('RPUSH', KEYS[4], ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
return 0
