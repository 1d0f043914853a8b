--[[
  Keep a job's lines up to date: in the listing hash (what squeue reads in one
  HVALS; purged after MinJobAge) and in the accounting-lines hash (what sacct
  reads; kept). A line is the job's hash fields LINE (then ACCT), in order,
  \31-separated. Every script that changes a listed field calls this last.
  The listing also holds '#v', its version (see below).
  LINE and ACCT are LINE_FIELDS and ACCT_FIELDS of state.ts (a unit test
  checks that they match).
]]
local LINE = { 'id', 'state', 'priority', 'ord', 'tasks', 'r.partition', 'r.uid', 'r.name', 'r.account', 'r.arrayJobId', 'r.arrayTaskId', 'r.arrayThrottle', 'reason', 'nodes', 'start', 'end', 'r.user', 'nnodes', 'r.nodes', 'r.timeLimit', 'cpus', 'r.minCpus', 'batchHost', 'eligible', 'dependency', 'exit', 'restarts', 'submit', 'r.submit', 'r.comment' }
local ACCT = { 'r.group', 'r.gid', 'r.workDir', 'r.qos', 'r.mem', 'r.memPer', 'r.gpus', 'r.numTasks', 'r.cpusPerTask', 'r.minNodes', 'r.stdout', 'r.stderr', 'r.features', 'r.reservation', 'r.wckey', 'cancelBy', 'r.interactive', 'history', 'steps' }
local function flow_listing(jobKey, listingKey, acctKey, id)
  local v = redis.call('HMGET', jobKey, unpack(LINE))
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
  redis.call('HSET', acctKey, id, line .. '\31' .. table.concat(a, '\31'))
end
