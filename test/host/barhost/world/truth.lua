-- barhost/world/truth.lua -- the ground-truth log: what really happened in
-- the game, whatever the local view may read. One JSON object per line
-- (NDJSON), each with "f" (game frame) and "e" (event name), written to the
-- file given by the world option truthLog. Without a file nothing is kept.
-- With a clock (world option truthClock) each event line also carries "ws"
-- and "wus": the host clock's seconds and microseconds when it was written,
-- two small integers, exact under float (the per-second team lines do not).

local json = require("barhost.json")

local Truth = {}
Truth.__index = Truth

function Truth.new(path, clockNow)
  local t = setmetatable({ path = path, lines = 0, clockNow = clockNow }, Truth)
  if path then
    local f, err = io.open(path, "w")
    if not f then
      error("cannot open truth log " .. tostring(path) .. ": " .. tostring(err))
    end
    f:setvbuf("full")
    t.file = f
  end
  return t
end

function Truth:write(frame, name, fields)
  local f = self.file
  if not f then
    return
  end
  fields = fields or {}
  fields.f = frame
  fields.e = name
  if self.clockNow then
    fields.ws, fields.wus = self.clockNow()
  end
  f:write(json.encode(fields), "\n")
  self.lines = self.lines + 1
end

-- The per-second team line, written by hand in a fixed key order (it is by
-- far the most frequent line; json.encode sorts keys). stats and res are
-- arrays in the order of World.STAT_FIELDS and World.RES_FIELDS.
local function number(x)
  if x == math.floor(x) and x > -1e15 and x < 1e15 then
    return string.format("%.0f", x)
  end
  return string.format("%.9g", x)
end

function Truth:writeTeam(frame, teamID, isDead, units, byDef, stats, metal, energy, historyCount)
  local f = self.file
  if not f then
    return
  end
  local function list(t)
    local out = {}
    for i = 1, #t do
      out[i] = number(t[i])
    end
    return "[" .. table.concat(out, ",") .. "]"
  end
  local defs = {}
  for d, c in pairs(byDef) do
    defs[#defs + 1] = '"' .. d .. '":' .. c
  end
  f:write('{"e":"team","f":', frame, ',"team":', teamID, ',"isDead":', tostring(isDead), ',"units":', units,
    ',"historyCount":', historyCount, ',"unitsByDef":{', table.concat(defs, ","), '},"stats":', list(stats),
    ',"metal":', list(metal), ',"energy":', list(energy), "}\n")
  self.lines = self.lines + 1
end

function Truth:flush()
  if self.file then
    self.file:flush()
  end
end

function Truth:close()
  if self.file then
    self.file:close()
    self.file = nil
  end
end

return Truth
