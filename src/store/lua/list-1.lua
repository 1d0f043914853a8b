--[[
  The jobs squeue shows, in one reply: for every job of the active set (or of
  the given ids that are in it), its id and the requested hash fields, fields
  separated by \31 and jobs by \30. Asking only for the fields a format needs
  keeps `squeue` fast with tens of thousands of jobs.
  KEYS[1] active zset
  ARGV[1] job key prefix   ARGV[2] n, the number of fields   ARGV[3..2+n] field names
  ARGV[3+n..] job ids (none: every active job)
]]
local prefix = ARGV[1]
local n = tonumber(ARGV[2])
local fields = {}
for i = 1, n do fields[i] = ARGV[2 + i] end
local ids
if #ARGV > 2 + n then
  ids = {}
  for i = 3 + n, #ARGV do
    if redis.call('ZSCORE', KEYS[1], ARGV[i]) then ids[#ids + 1] = ARGV[i] end
  end
else
  ids = redis.call('ZRANGE', KEYS[1], 0, -1)
end
local out = {}
for _, id in ipairs(ids) do
  local v = n > 0 and redis.call('HMGET', prefix .. id, unpack(fields)) or {}
  for j = 1, n do
    if not v[j] then v[j] = '' end
  end
  out[#out + 1] = id .. '\31' .. table.concat(v, '\31')
end
return table.concat(out, '\30')
