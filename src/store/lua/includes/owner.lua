--[[
  Whether the caller may act on a job (slurmctld: its owner, or an operator):
  checked in the same script as the change, so a refused request changes
  nothing and no change can slip in between the check and the act.
  uid: the caller's uid; any: '1' when the cluster lets it act on every job.
  A job without a record (unknown) passes: the script reports it as unknown.
]]
local FLOW_ACCESS_DENIED = -9
local function flow_may_touch(job_key, uid, any)
  if any == '1' then return true end
  local rec = redis.call('HGET', job_key, 'record')
  if not rec then return true end
  return tostring(cjson.decode(rec).userId) == tostring(uid)
end
