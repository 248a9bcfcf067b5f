-- barhost/world/api.lua -- the engine's read functions over the world, with
-- the engine's access rules for the local view (bar-game-data.md §0-§2;
-- Recoil: rts/Lua/LuaSyncedRead.cpp, LuaUnsyncedRead.cpp, LuaUtils.cpp):
--
-- * an invalid teamID raises "Bad teamID in <Function>" (ParseTeam); a
--   non-number raises luaL_checkint's "bad argument" error;
-- * a unit or team the view may not read returns no value (the caller
--   sees nil; the engine's `return 0`), never an error;
-- * enemy GetTeamResources: nil, even after game over; enemy
--   GetTeamStatsHistory: nil until game over; GetTeamStartPosition: nil
--   for enemies;
-- * enemy units only in LOS or radar; GetUnitDefID nil for untyped blips;
--   radar-only positions carry the unit's radar error; health and build
--   state need LOS.
-- install() replaces the host's plain stubs (engine.lua) when a world runs.

local World = require("barhost.world.world")

local floor, format = math.floor, string.format

local api = {}

local DAY_FRAMES = 30 * 86400

local function checkInt(fname, i, v)
  local n = tonumber(v)
  if n == nil then
    error(format("bad argument #%d to '%s' (number expected, got %s)", i, fname, type(v)), 3)
  end
  return floor(n)
end

function api.install(w, Spring, Game, Engine, System)
  local function team(fname, v)
    local id = checkInt(fname, 1, v)
    local t = w.teams[id]
    if not t then
      error("Bad teamID in " .. fname .. "\n", 0)
    end
    return t
  end

  -- ParseUnit: nil unless the view may see the unit at all.
  local function visibleUnit(fname, v)
    if type(v) ~= "number" then
      error(format("%s(): Bad unitID", fname), 3)
    end
    local u = w.units[v]
    if u and w:unitVisible(u) then
      return u
    end
    return
  end

  -- game state ------------------------------------------------------------

  function Spring.GetGameFrame()
    return w.frame % DAY_FRAMES, floor(w.frame / DAY_FRAMES)
  end

  function Spring.GetGameSeconds()
    return w.frame * (1 / 30)
  end

  function Spring.GetGameSpeed()
    return w.speed, w.speed, w.paused
  end

  function Spring.IsGameOver()
    return w.gameOver
  end

  function Spring.IsReplay()
    return w.view.replay
  end

  -- spectating, fullView, fullSelect: a full-view spectator (replay viewer,
  -- dead player) has full select too (Recoil: CPlayer::StartSpectating,
  -- CGlobalUnsynced::SetMyPlayer, SpecFullViewActionExecutor).
  function Spring.GetSpectatingState()
    return w.view.spectating, w.view.fullView, w.view.fullView
  end

  local function myPlayerID()
    return w.view.playerID
  end
  local function myTeamID()
    return w:myPlayer().team
  end
  local function myAllyTeamID()
    return w:readAllyTeam()
  end
  Spring.GetMyPlayerID, Spring.GetLocalPlayerID = myPlayerID, myPlayerID
  Spring.GetMyTeamID, Spring.GetLocalTeamID = myTeamID, myTeamID
  Spring.GetMyAllyTeamID, Spring.GetLocalAllyTeamID = myAllyTeamID, myAllyTeamID

  -- players ---------------------------------------------------------------

  -- GetPlayerList([teamID[, activeOnly]]), arguments also accepted swapped;
  -- teamID >= 0 leaves spectators out; nothing for teamID >= #teams.
  function Spring.GetPlayerList(a, b)
    local teamID, activeOnly = -1, false
    if type(a) == "number" then
      teamID, activeOnly = a, b == true
    elseif type(a) == "boolean" then
      activeOnly = a
      if type(b) == "number" then
        teamID = b
      end
    end
    if teamID >= #w.teamList then
      return
    end
    local list = {}
    for _, id in ipairs(w.playerList) do
      local p = w.players[id]
      if (teamID < 0 or (p.team == teamID and not p.spectator)) and (not activeOnly or p.active) then
        list[#list + 1] = id
      end
    end
    return list
  end

  function Spring.GetPlayerInfo(playerID, getOpts)
    local id = checkInt("GetPlayerInfo", 1, playerID)
    local p = w.players[id]
    if not p then
      return
    end
    local t = w.teams[p.team]
    local keys = nil
    if getOpts ~= false then
      keys = {}
      for k, v in pairs(p.customKeys) do
        keys[k] = v
      end
    end
    return p.name, p.active, p.spectator, p.team, t.allyTeam, 0.05, 0.1, p.countryCode, p.rank, t.isAI, keys, false
  end

  -- teams -------------------------------------------------------------------

  -- Gaia's team (Recoil: LuaSyncedRead.cpp GetGaiaTeamID: nothing when Gaia is off)
  function Spring.GetGaiaTeamID()
    return w.gaiaTeamID
  end

  function Spring.GetTeamList(allyTeamID)
    local list = {}
    for _, id in ipairs(w.teamList) do
      if allyTeamID == nil or w.teams[id].allyTeam == allyTeamID then
        list[#list + 1] = id
      end
    end
    return list
  end

  function Spring.GetAllyTeamList()
    local list = {}
    for i, a in ipairs(w.allyTeamList) do
      list[i] = a
    end
    return list
  end

  function Spring.GetTeamInfo(teamID, getKeys)
    local id = checkInt("GetTeamInfo", 1, teamID)
    local t = w.teams[id]
    if not t then
      return
    end
    if getKeys == false then
      return t.id, t.leader, t.isDead, t.isAI, t.side, t.allyTeam, 1
    end
    return t.id, t.leader, t.isDead, t.isAI, t.side, t.allyTeam, 1, {}
  end

  function Spring.GetTeamColor(teamID)
    local t = w.teams[checkInt("GetTeamColor", 1, teamID)]
    if not t then
      return
    end
    return t.color[1], t.color[2], t.color[3], 1
  end

  -- Unsynced readers get "UNKNOWN" short name and version for AIs that do
  -- not run locally (LuaSyncedRead.cpp GetAIInfo).
  function Spring.GetAIInfo(teamID)
    local t = w.teams[checkInt("GetAIInfo", 1, teamID)]
    if not t or not t.isAI then
      return
    end
    return t.id, t.aiShortName or "AI", t.leader, "UNKNOWN", "UNKNOWN", {}
  end

  function Spring.GetGameRulesParam(name)
    return w.rules[name]
  end

  function Spring.GetGameRulesParams()
    local out = {}
    for k, v in pairs(w.rules) do
      out[k] = v
    end
    return out
  end

  -- x, y, z, hasValidStartPos; nothing for enemies (even after game over)
  function Spring.GetTeamStartPosition(teamID)
    local t = team("GetTeamStartPosition", teamID)
    if not w:isAlliedTeam(t.id) then
      return
    end
    return t.startX, 50, t.startZ, not t.gaia
  end

  -- resources and statistics ---------------------------------------------------

  function Spring.GetTeamResources(teamID, res)
    local t = team("GetTeamResources", teamID)
    if type(res) ~= "string" and type(res) ~= "number" then
      error(format("bad argument #2 to 'GetTeamResources' (string expected, got %s)", type(res)), 2)
    end
    if not w:isAlliedTeam(t.id) then
      return
    end
    local c = tostring(res):sub(1, 1)
    local r = (c == "m") and t.metal or (c == "e") and t.energy or nil
    if not r then
      return
    end
    return r.current, r.storage, r.pull, r.income, r.expense, r.share, r.sent, r.received, r.excess
  end

  -- Cumulative statistics of now: like the history, enemies' only after
  -- game over (LuaSyncedRead.cpp GetTeamResourceStats / UnitStats /
  -- DamageStats check IsAlliedTeam || IsGameOver).
  local function statsTeam(fname, teamID)
    local t = team(fname, teamID)
    if not w:isAlliedTeam(t.id) and not w.gameOver then
      return
    end
    return t
  end

  -- used, produced, excess, received, sent
  function Spring.GetTeamResourceStats(teamID, res)
    local t = statsTeam("GetTeamResourceStats", teamID)
    if not t then
      return
    end
    local c = tostring(res):sub(1, 1)
    local p = (c == "m") and "metal" or (c == "e") and "energy" or nil
    if not p then
      return
    end
    local s = t.stats
    return s[p .. "Used"], s[p .. "Produced"], s[p .. "Excess"], s[p .. "Received"], s[p .. "Sent"]
  end

  -- killed, died, capturedBy, capturedFrom, received, sent
  function Spring.GetTeamUnitStats(teamID)
    local t = statsTeam("GetTeamUnitStats", teamID)
    if not t then
      return
    end
    local s = t.stats
    return s.unitsKilled, s.unitsDied, s.unitsCaptured, s.unitsOutCaptured, s.unitsReceived, s.unitsSent
  end

  -- dealt, received
  function Spring.GetTeamDamageStats(teamID)
    local t = statsTeam("GetTeamDamageStats", teamID)
    if not t then
      return
    end
    return t.stats.damageDealt, t.stats.damageReceived
  end

  local function entry(t, i, live)
    local e = live and t.stats or t.history[i]
    local frame = live and w.frame or e.frame
    local out = { time = floor(frame / 30), frame = frame }
    for _, k in ipairs(World.STAT_FIELDS) do
      out[k] = e[k]
    end
    return out
  end

  -- (team) -> count; (team, i[, j]) -> entries i..j clamped; the last entry
  -- is the live one, reported at the current frame (LuaSyncedRead.cpp).
  function Spring.GetTeamStatsHistory(teamID, i, j)
    local t = team("GetTeamStatsHistory", teamID)
    if not w:isAlliedTeam(t.id) and not w.gameOver then
      return
    end
    local count = #t.history + 1
    if i == nil then
      return count
    end
    local start = 0
    if type(i) == "number" then
      start = math.max(0, math.min(count - 1, floor(i) - 1))
    end
    local stop = start
    if type(j) == "number" then
      stop = math.max(0, math.min(count - 1, floor(j) - 1))
    end
    local out = {}
    for k = start, stop do
      out[#out + 1] = entry(t, k + 1, k + 1 == count)
    end
    return out
  end

  -- units -------------------------------------------------------------------

  local function visibleTeamUnits(t)
    local list = {}
    local allied = w:isAlliedTeam(t.id)
    for _, id in ipairs(t.units) do
      local u = w.units[id]
      if allied or u.inLos or u.inRadar then
        list[#list + 1] = id
      end
    end
    return list
  end

  function Spring.GetTeamUnits(teamID)
    return visibleTeamUnits(team("GetTeamUnits", teamID))
  end

  function Spring.GetTeamUnitCount(teamID)
    return #visibleTeamUnits(team("GetTeamUnitCount", teamID))
  end

  function Spring.GetAllUnits()
    local list = {}
    for _, id in ipairs(w.unitList) do
      if w:unitVisible(w.units[id]) then
        list[#list + 1] = id
      end
    end
    return list
  end

  -- {[defID] = count, n = keys}; blips of enemies under "unknown"
  function Spring.GetTeamUnitsCounts(teamID)
    local t = team("GetTeamUnitsCounts", teamID)
    local allied = w:isAlliedTeam(t.id)
    local counts, n, unknown = {}, 0, 0
    if allied then
      -- Recoil (LuaSyncedRead.cpp GetTeamUnitsCounts) answers an allied team (full view
      -- included) from counts it keeps per team and def, without visiting the units; so
      -- does the world (team.byDef), so that the read costs about what the engine's does.
      for defID, count in pairs(t.byDef) do
        counts[defID] = count
        n = n + 1
      end
      counts.n = n
      return counts
    end
    for _, id in ipairs(t.units) do
      local u = w.units[id]
      if u.inLos or u.typed then
        if not counts[u.defID] then
          n = n + 1
          counts[u.defID] = 0
        end
        counts[u.defID] = counts[u.defID] + 1
      elseif u.inRadar then
        unknown = unknown + 1
      end
    end
    if unknown > 0 then
      counts.unknown = unknown
      n = n + 1
    end
    counts.n = n
    return counts
  end

  function Spring.GetUnitDefID(unitID)
    local u = visibleUnit("GetUnitDefID", unitID)
    if u and w:unitTyped(u) then
      return u.defID
    end
    return
  end

  function Spring.GetUnitTeam(unitID)
    local u = visibleUnit("GetUnitTeam", unitID)
    if u then
      return u.team
    end
  end

  function Spring.GetUnitAllyTeam(unitID)
    local u = visibleUnit("GetUnitAllyTeam", unitID)
    if u then
      return u.allyTeam
    end
  end

  -- base position; radar-only: plus the unit's radar error; (mid, aim) add
  -- the mid and aim points (here 10 elmos above the base).
  function Spring.GetUnitPosition(unitID, mid, aim)
    local u = visibleUnit("GetUnitPosition", unitID)
    if not u then
      return
    end
    local x, y, z = w:unitPosition(u)
    if not w:unitInLos(u) then
      x, z = x + u.errX, z + u.errZ
    end
    if mid and aim then
      return x, y, z, x, y + 10, z, x, y + 10, z
    elseif mid or aim then
      return x, y, z, x, y + 10, z
    end
    return x, y, z
  end

  local function losUnit(fname, unitID)
    local u = visibleUnit(fname, unitID)
    if u and w:unitInLos(u) then
      return u
    end
    return
  end

  -- health, maxHealth, paralyzeDamage, captureProgress, buildProgress
  function Spring.GetUnitHealth(unitID)
    local u = losUnit("GetUnitHealth", unitID)
    if not u then
      return
    end
    local progress, health = w:unitBuildState(u)
    return health, u.maxHealth, 0, 0, progress
  end

  function Spring.GetUnitIsBeingBuilt(unitID)
    local u = losUnit("GetUnitIsBeingBuilt", unitID)
    if not u then
      return
    end
    local progress = w:unitBuildState(u)
    return u.beingBuilt, progress
  end

  function Spring.GetTeamMaxUnits(teamID)
    local t = team("GetTeamMaxUnits", teamID)
    local max = floor(World.MAX_UNIT_ID / #w.teamList)
    if w:isAlliedTeam(t.id) then
      return max, #t.units
    end
    return max, nil
  end

  -- Game and Engine ---------------------------------------------------------

  Game.gameSpeed = 30
  Game.squareSize = 8
  Game.mapName = w.map.name
  Game.mapDescription = w.map.name
  Game.mapSizeX, Game.mapSizeZ = w.map.sizeX, w.map.sizeZ
  Game.mapX, Game.mapY = w.map.sizeX / 512, w.map.sizeZ / 512
  Game.maxTeams = #w.teamList
  Game.maxPlayers = #w.playerList
  Game.maxUnits = World.MAX_UNIT_ID
  Game.gameName = "Beyond All Reason"
  Game.gameShortName = "BYAR"
  Game.gameVersion = w.desc.gameVersion
  Game.modName = w.desc.gameVersion
  Game.startPosType = 2
  if w.view.replay then
    Game.demoPlayName = "replay.sdfz"
  end

  local version = w.desc.engineVersion
  local major, minor, patch = version:match("^(%d+)%.(%d+)%.(%d+)")
  Engine.version = version
  Engine.versionFull = version
  Engine.versionMajor = major or version:match("^(%d+)") or ""
  Engine.versionMinor = minor or "0"
  Engine.versionPatchSet = patch or "0"
  Engine.commitsNumber = "0"
  Engine.buildFlags = ""
  Engine.gameSpeed = 30

  System.UnitDefs = w.defs.defs
  System.UnitDefNames = w.defs.names
end

return api
