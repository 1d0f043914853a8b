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
local ACCT = { 'restarts', 'submit', 'r.submit', 'eligible', 'state', 'start', 'end', 'tasks', 'r.arrayJobId', 'r.arrayTaskId', 'nodes', 'nnodes', 'cpus', 'exit', 'r.uid', 'r.interactive', 'batchHost', 'cancelBy', 'reason', 'r.minCpus', 'r.name', 'r.partition', 'r.account', 'r.arrayThrottle', 'r.user', 'r.gid', 'r.group', 'r.timeLimit', 'r.nodes', 'r.mem', 'r.memPer', 'r.gpus', 'r.qos', 'priority', 'ord', 'dependency', 'r.numTasks', 'r.cpusPerTask', 'r.minNodes', 'r.features', 'r.reservation', 'r.wckey', 'r.comment', 'history', 'steps', 'r.workDir', 'r.stdout', 'r.stderr', 'r.gpusPerNode', 'money' }
-- '#v': a hash's version ('#' and a count: never taken for a job line), so a reader that keeps
-- the lines (the controller answering squeue and sacct) knows when to read them again
local function flow_bump_version(hashKey)
  local ver = redis.call('HGET', hashKey, '#v')
  redis.call('HSET', hashKey, '#v', '#' .. ((tonumber(ver and string.sub(ver, 2)) or 0) + 1))
end

-- A job whose bid waits at a spot auction is CONFIGURING (it holds its nodes) but shows PENDING,
-- its reason saying so (bid-reason-3.lua; job-states.ts shownState is the same rule for scontrol)
local function flow_shown(state, reason)
  if state == 'CONFIGURING' and reason and string.sub(reason, 1, 8) == 'BidOpen,' then return 'PENDING' end
  return state
end

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
  -- LINE's state is 2nd and reason 13th; ACCT's 5th and 19th
  v[2] = flow_shown(v[2], v[13])
  a[5] = flow_shown(a[5], a[19])
  redis.call('HSET', listingKey, id, table.concat(v, '\31'))
  redis.call('HSET', acctKey, id, id .. '\31' .. table.concat(a, '\31'))
  flow_bump_version(listingKey)
  flow_bump_version(acctKey)
end
