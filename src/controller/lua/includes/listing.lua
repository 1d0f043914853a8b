--[[
  Keep a job's line in the listing hash (what squeue reads in one HGETALL):
  its static part, written at submit, then its changing fields, \31-separated.
  Every script that changes a listed field calls this last. LISTED must match
  LISTED_FIELDS in state.ts.
]]
local LISTED = { 'state', 'reason', 'priority', 'start', 'end', 'nodes', 'nnodes', 'cpus', 'batchHost', 'eligible', 'dependency', 'exit', 'restarts' }
local function flow_listing(jobKey, listingKey, id)
  local v = redis.call('HMGET', jobKey, 'row', unpack(LISTED))
  for i = 1, #v do
    if not v[i] then v[i] = '' end
  end
  redis.call('HSET', listingKey, id, table.concat(v, '\31'))
end
