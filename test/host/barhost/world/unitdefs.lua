-- barhost/world/unitdefs.lua -- UnitDefs and UnitDefNames from the real
-- definitions in ../shared/data/bar-unitdefs.json, shaped like the engine's.
--
-- Engine facts (bar-game-data.md §4; Recoil: rts/Lua/LuaUnitDefs.cpp,
-- PushObjectDefProxyTable in LuaUtils.h): each UnitDefs[id] is a proxy whose
-- raw content is only the functions `pairs` and `next` plus what LuaUI adds
-- (BAR luaui/setupdefs.lua: cost; i18nhelpers.lua: translatedHumanName,
-- translatedTooltip), so pairs(ud) does not list the engine fields, while
-- ud:pairs() walks them. customParams values are strings. isCommander is
-- always false (deprecated); there is no buildCost.
--
-- The engine numbers its definitions 1..N without holes (Recoil:
-- rts/Sim/Units/UnitDefHandler.cpp), and a widget may read them up to the first
-- missing id. The export left out the test-only definitions of the game it came
-- from, so its ids have holes: each hole gets a stand-in (name
-- "unexported_<id>", no cost, no weapons, never built by the world), so
-- UnitDefs is whole, as in the game.

local decode = require("barhost.world.jsondecode")

local unitdefs = {}

-- Engine fields derived from the exported ones (the export lacks them).
local function engineFields(id, raw)
  local f = {}
  for k, v in pairs(raw) do
    if k ~= "translatedHumanName" and k ~= "translatedTooltip" and k ~= "weaponCount" then
      f[k] = v
    end
  end
  local cp = {}
  for k, v in pairs(raw.customParams or {}) do
    cp[k] = tostring(v)
  end
  f.customParams = cp
  f.id = id
  f.humanName = raw.translatedHumanName
  f.tooltip = raw.translatedTooltip
  f.description = raw.translatedTooltip
  f.canMove = (raw.speed or 0) > 0
  f.isBuilding = not f.canMove
  f.isMobileBuilder = raw.isBuilder and f.canMove or false
  f.isStaticBuilder = raw.isBuilder and not f.canMove or false
  f.isExtractor = (raw.extractsMetal or 0) > 0
  f.isCommander = false
  local weapons = {}
  for i = 1, raw.weaponCount or 0 do
    weapons[i] = { weaponDef = -1 } -- weapon defs are not in the export
  end
  f.weapons = weapons
  return f
end

local function proxy(id, raw)
  local fields = engineFields(id, raw)
  local function nextField(_, k)
    return next(fields, k)
  end
  local ud = {
    -- what LuaUI adds (raw keys, listed by pairs)
    translatedHumanName = raw.translatedHumanName,
    translatedTooltip = raw.translatedTooltip,
    cost = raw.metalCost + raw.energyCost / 60,
    pairs = function()
      return nextField, nil, nil
    end,
    next = nextField,
  }
  return setmetatable(ud, { __index = fields, __metatable = false })
end

-- A definition the export left out: the fields every exported one has, empty.
local function standIn(id)
  return {
    name = "unexported_" .. id, translatedHumanName = "(not in the export)", translatedTooltip = "",
    metalCost = 0, energyCost = 0, buildTime = 0, health = 1, speed = 0, buildSpeed = 0,
    isBuilder = false, isFactory = false, weaponCount = 0, customParams = {},
    airSightDistance = 0, energyStorage = 0, energyUpkeep = 0, extractsMetal = 0, maxWeaponRange = 0,
    metalMake = 0, metalStorage = 0, radarDistance = 0, sightDistance = 0, tidalGenerator = 0,
    totalEnergyOut = 0, windGenerator = 0, xsize = 1, zsize = 1,
  }
end

--- Loads the file once per path; returns {defs = {[id] = proxy},
--- names = {[name] = proxy}, byPrefix = {arm = {ids}, ...}, raw = {[id] = raw}}
--- (stand-ins are in defs and names, not in byPrefix, raw or ids).
local cache = {}
function unitdefs.load(path)
  if cache[path] then
    return cache[path]
  end
  local doc = decode.file(path)
  local defs, names, byPrefix, raw = {}, {}, {}, {}
  local ids = {}
  for key in pairs(doc.unitDefs) do
    ids[#ids + 1] = tonumber(key)
  end
  table.sort(ids)
  for _, id in ipairs(ids) do
    local r = doc.unitDefs[tostring(id)]
    raw[id] = r
    local ud = proxy(id, r)
    defs[id] = ud
    names[r.name] = ud
    local prefix = r.name:sub(1, 3)
    byPrefix[prefix] = byPrefix[prefix] or {}
    table.insert(byPrefix[prefix], id)
  end
  for id = 1, ids[#ids] or 0 do
    if not defs[id] then
      local r = standIn(id)
      defs[id] = proxy(id, r)
      names[r.name] = defs[id]
    end
  end
  local result = { defs = defs, names = names, byPrefix = byPrefix, raw = raw, ids = ids }
  cache[path] = result
  return result
end

return unitdefs
