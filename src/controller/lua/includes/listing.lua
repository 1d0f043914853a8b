--[[
  Keep a job's lines up to date: in the listing hash (what squeue reads in one
  HVALS; purged after MinJobAge) and in the accounting-lines hash (what sacct
  reads; kept). A line is the job's id and hash fields LINE (or ACCT), in
  order, \31-separated. Every script that changes a listed field calls this last.
  Both hashes also hold '#v', their version (see below).
  LINE and ACCT are LINE_FIELDS and ACCT_FIELDS (without the id) of state.ts
  (a unit test checks that they match).
]]
local LINE = { 'id', 'state', 'priority', 'ord', 'tasks', 'r.partition', 'r.uid', 'r.name', 'r.account', 'r.arrayJobId', 'r.arrayTaskId', 'r.arrayThrottle', 'reason', 'nodes', 'start', 'end', 'r.user', 'nnodes', 'r.nodes', 'r.timeLimit', 'cpus', 'r.minCpus', 'batchHost', 'eligible', 'dependency', 'exit', 'restarts', 'submit', 'r.submit', 'r.comment' }
local ACCT = { 'restarts', 'submit', 'r.submit', 'eligible', 'state', 'start', 'end', 'tasks', 'r.arrayJobId', 'r.arrayTaskId', 'nodes', 'nnodes', 'cpus', 'exit', 'r.uid', 'r.interactive', 'batchHost', 'cancelBy', 'reason', 'r.minCpus', 'r.name', 'r.partition', 'r.account', 'r.arrayThrottle', 'r.user', 'r.gid', 'r.group', 'r.timeLimit', 'r.nodes', 'r.mem', 'r.memPer', 'r.gpus', 'r.qos', 'priority', 'ord', 'dependency', 'r.numTasks', 'r.cpusPerTask', 'r.minNodes', 'r.features', 'r.reservation', 'r.wckey', 'r.comment', 'history', 'steps', 'r.workDir', 'r.stdout', 'r.stderr' }
local function flow_listing(jobKey, listingKey, acctKey, id)
  local v = redis.call('HMGET', jobKey, unpack(LINE))
  -- the accounting line has its own order (sacct reads its lines front first)
  local a = redis.call('HMGET', jobKey, unpack(ACCT))
  for i = 1, #v do
    if not v[i] then v[i] = '' end
  end
  for i = 1, #a do
    if not a[i] then a[i] = '' end
  end
  local line = table.concat(v, '\31')
  -- '#v': the listing's version ('#' and a count: never taken for a job line), so a reader that
  -- keeps the listing (the controller answering squeue) knows when to read it again
  local ver = redis.call('HGET', listingKey, '#v')
  redis.call('HSET', listingKey, id, line, '#v', '#' .. ((tonumber(ver and string.sub(ver, 2)) or 0) + 1))
  local acctVer = redis.call('HGET', acctKey, '#v')
  redis.call('HSET', acctKey, id, id .. '\31' .. table.concat(a, '\31'), '#v', '#' .. ((tonumber(acctVer and string.sub(acctVer, 2)) or 0) + 1))
end
