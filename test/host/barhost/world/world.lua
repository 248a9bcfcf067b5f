-- barhost/world/world.lua -- the game state of the host's imitated BAR game:
-- teams, ally teams, players, the local view, units, game time, resources
-- and team statistics. Engine side: the widget reaches it only through the
-- Spring functions of barhost/world/api.lua and the call-ins routed by
-- barhost/world/callins.lua. A driver (realgame.lua, scale.lua) decides what
-- happens; every change goes through the methods here, which keep the
-- statistics counters, write the ground-truth log and route the call-ins.

local Rng = require("barhost.world.rng")
local Los = require("barhost.world.los")
local num = require("barhost.world.num")
local Truth = require("barhost.world.truth")
local Callins = require("barhost.world.callins")

local floor, fround = math.floor, num.fround
local CELL = Los.CELL

local World = {}
World.__index = World

World.FRAMES_PER_SECOND = 30 -- GAME_SPEED
World.STATS_FRAMES = 450 -- TeamStatistics::statsPeriod (15 s) * GAME_SPEED
World.MAX_UNIT_ID = 32000 -- MAX_UNITS

World.STAT_FIELDS = {
  "metalUsed", "metalProduced", "metalExcess", "metalReceived", "metalSent",
  "energyUsed", "energyProduced", "energyExcess", "energyReceived", "energySent",
  "damageDealt", "damageReceived",
  "unitsProduced", "unitsDied", "unitsReceived", "unitsSent", "unitsCaptured", "unitsOutCaptured", "unitsKilled",
}
-- GetTeamResources order (Recoil: LuaSyncedRead.cpp GetTeamResources)
World.RES_FIELDS = { "current", "storage", "pull", "income", "expense", "share", "sent", "received", "excess" }

local function newStats()
  local s = {}
  for _, k in ipairs(World.STAT_FIELDS) do
    s[k] = 0
  end
  return s
end

local function newResources(storage)
  return { current = 0, storage = storage, pull = 0, income = 0, expense = 0, share = fround(0.99), sent = 0, received = 0, excess = 0 }
end

--- desc: {map = {name, sizeX, sizeZ}, gameVersion, engineVersion, allyTeams,
--- teams = {{teamID, allyTeamID, leader, isAI, aiShortName, side, color}},
--- players = {{playerID, name, teamID, spectator}}, winners}
--- opts: {seed, view = "player"|"spectator"|"fullview"|"replay", viewTeam,
--- unitDefs (from unitdefs.load), truthLog, truthClock = function() -> sec, us
--- (stamps event lines), callIn = function(name, ...)}
function World.new(desc, opts)
  local w = setmetatable({}, World)
  w.rng = Rng.new(opts.seed or 1)
  w.desc = desc
  w.defs = opts.unitDefs
  w.frame = 0
  w.started = false
  w.paused = false
  w.gameOver = false
  w.ended = false
  w.speed = opts.speed or 1
  w.beforeFrame = opts.beforeFrame
  w.winners = {}
  w.map = desc.map
  w.truth = Truth.new(opts.truthLog, opts.truthClock)
  -- the per-second team lines are the bulk of the log; a test that does not
  -- read them turns them off (truthTeams = false)
  w.truthTeams = opts.truthTeams ~= false
  w.truthDamage = opts.truthDamage ~= false

  -- ally teams and teams; Gaia gets the next team and ally team IDs
  -- (Recoil: CTeamHandler::LoadFromSetup adds Gaia last when enabled)
  w.allyTeamList = {}
  for i, a in ipairs(desc.allyTeams) do
    w.allyTeamList[i] = a
  end
  w.gaiaAllyTeamID = #w.allyTeamList
  w.allyTeamList[#w.allyTeamList + 1] = w.gaiaAllyTeamID
  w.teams, w.teamList = {}, {}
  for _, t in ipairs(desc.teams) do
    w:addTeam(t)
  end
  w.gaiaTeamID = #w.teamList
  w:addTeam({
    teamID = w.gaiaTeamID, allyTeamID = w.gaiaAllyTeamID, leader = -1, isAI = false,
    side = "", color = { 0.8, 0.8, 0.8 }, gaia = true,
  })

  -- players
  w.players, w.playerList = {}, {}
  for _, p in ipairs(desc.players) do
    w:addPlayer(p)
  end
  w:setView(opts.view or "player", opts.viewTeam or 0)

  -- game rules params (BAR luarules/gadgets/game_id.lua sets GameID;
  -- ainame_<teamID> are BAR's AI display names)
  w.rules = { GameID = w.rng:hex32() }
  for _, id in ipairs(w.teamList) do
    local t = w.teams[id]
    if t.isAI then
      w.rules["ainame_" .. id] = (t.aiShortName or "AI") .. " (" .. id .. ")"
    end
  end

  -- unit IDs: a shuffled pool below MAX_UNITS, freed IDs go to the back
  -- (Recoil: SimObjectIDPool hands out random free IDs and recycles them)
  local pool = {}
  for i = 1, World.MAX_UNIT_ID - 1 do
    pool[i] = i
  end
  w.rng:shuffle(pool)
  w.idPool, w.idHead, w.idTail = pool, 1, #pool
  w.units, w.unitList, w.unitIndex = {}, {}, {}
  w.building = {}

  w.los = Los.new(w.map.sizeX, w.map.sizeZ)
  w.callins = Callins.new(w, opts.callIn)
  w.truth:write(0, "setup", w:describe())
  return w
end

function World:addTeam(t)
  local team = {
    id = t.teamID, allyTeam = t.allyTeamID, leader = t.leader, isAI = t.isAI == true,
    aiShortName = t.aiShortName, side = t.side or "", color = t.color or { 1, 1, 1 },
    gaia = t.gaia == true, isDead = false, units = {}, unitIndex = {}, byDef = {},
    stats = newStats(), history = {},
    metal = newResources(t.metalStorage or 1000), energy = newResources(t.energyStorage or 1000),
    startX = 0, startZ = 0,
  }
  self.teams[team.id] = team
  self.teamList[#self.teamList + 1] = team.id
  return team
end

function World:addPlayer(p)
  local player = {
    id = p.playerID, name = p.name, team = p.teamID or 0, spectator = p.spectator == true,
    active = true, countryCode = p.countryCode or "", rank = p.rank or 0,
    customKeys = p.customKeys or { skill = "[20.00]", skilluncertainty = "3.00" },
  }
  self.players[player.id] = player
  self.playerList[#self.playerList + 1] = player.id
  return player
end

--- The local player and what it may read (bar-game-data.md §0):
--- player of team N; spectator watching team N without full view (reads as a
--- player of N's ally team); full-view spectator; replay viewer (an extra
--- player, spectator with full view: CGameServer::AddAdditionalUser).
function World:setView(kind, teamID)
  local view = { kind = kind, replay = kind == "replay" }
  if kind == "player" then
    local me
    for _, id in ipairs(self.playerList) do
      local p = self.players[id]
      if not p.spectator and p.team == teamID then
        me = p
        break
      end
    end
    if not me then
      error("world: no human player on team " .. tostring(teamID))
    end
    view.playerID = me.id
    view.spectating, view.fullView = false, false
  else
    local me
    if kind ~= "replay" then
      for _, id in ipairs(self.playerList) do
        if self.players[id].spectator then
          me = self.players[id]
          break
        end
      end
    end
    if not me then
      local newID = #self.playerList
      me = self:addPlayer({
        playerID = newID, name = kind == "replay" and "Replay viewer" or "Spectator", teamID = teamID, spectator = true,
      })
    end
    me.team = teamID
    view.playerID = me.id
    view.spectating = true
    view.fullView = kind ~= "spectator"
  end
  self.view = view
end

function World:myPlayer()
  return self.players[self.view.playerID]
end

-- What the local view reads with (Recoil: CLuaUI::UpdateTeams): full read,
-- or the ally team of the local player's team.
function World:fullRead()
  return self.view.fullView
end

function World:readAllyTeam()
  return self.teams[self:myPlayer().team].allyTeam
end

function World:isAlliedTeam(teamID)
  return self.view.fullView or self.teams[teamID].allyTeam == self:readAllyTeam()
end

function World:isAlliedUnit(u)
  return self.view.fullView or u.allyTeam == self:readAllyTeam()
end

-- IsUnitVisible / IsUnitInLos / IsUnitTyped (Recoil: rts/Lua/LuaUtils.cpp)
function World:unitVisible(u)
  return self:isAlliedUnit(u) or u.inLos or u.inRadar
end

function World:unitInLos(u)
  return self:isAlliedUnit(u) or u.inLos
end

function World:unitTyped(u)
  return self:isAlliedUnit(u) or u.inLos or u.typed
end

function World:describe()
  local teams = {}
  for _, id in ipairs(self.teamList) do
    local t = self.teams[id]
    teams[#teams + 1] = {
      teamID = id, allyTeamID = t.allyTeam, leader = t.leader, isAI = t.isAI, side = t.side, gaia = t.gaia,
    }
  end
  local players = {}
  for _, id in ipairs(self.playerList) do
    local p = self.players[id]
    players[#players + 1] = { playerID = id, name = p.name, teamID = p.team, spectator = p.spectator }
  end
  return {
    map = self.map, teams = teams, players = players, allyTeams = self.allyTeamList,
    gaiaTeamID = self.gaiaTeamID, gaiaAllyTeamID = self.gaiaAllyTeamID,
    view = { kind = self.view.kind, playerID = self.view.playerID, teamID = self:myPlayer().team,
      allyTeamID = self:readAllyTeam(), fullView = self.view.fullView, replay = self.view.replay },
    gameID = self.rules.GameID,
  }
end

-- ---------------------------------------------------------------------------
-- units

local function listAdd(list, index, id)
  list[#list + 1] = id
  index[id] = #list
end

local function listRemove(list, index, id)
  local i = index[id]
  local n = #list
  local last = list[n]
  list[i] = last
  index[last] = i
  list[n] = nil
  index[id] = nil
end

-- units per def per team, kept as units come and go (no recount per second)
local function countRemove(byDef, defID)
  local c = byDef[defID] - 1
  byDef[defID] = c > 0 and c or nil
end

function World:allocateID()
  local pool = self.idPool
  if self.idHead > self.idTail then
    error("world: out of unit IDs")
  end
  local id = pool[self.idHead]
  pool[self.idHead] = nil
  self.idHead = self.idHead + 1
  return id
end

function World:freeID(id)
  self.idTail = self.idTail + 1
  self.idPool[self.idTail] = id
end

--- Creates a unit: UnitCreated, then (built=true) UnitFinished at once, else
--- after buildFrames frames. Counts unitsProduced (Recoil: CTeam::AddUnit
--- with AddBuilt).
function World:createUnit(defID, teamID, x, z, builderID, buildFrames)
  local def = self.defs.raw[defID]
  local team = self.teams[teamID]
  local id = self:allocateID()
  local speed = (def.speed or 0) / World.FRAMES_PER_SECOND
  local angle = self.rng:unit() * 2 * math.pi
  local u = {
    id = id, defID = defID, team = teamID, allyTeam = team.allyTeam, def = def,
    x0 = x, z0 = z, t0 = self.frame, vx = speed * math.cos(angle), vz = speed * math.sin(angle),
    maxHealth = def.health, health = def.health, buildProgress = 1, beingBuilt = false,
    builderID = builderID, inLos = false, inRadar = false, typed = false,
    errX = self.rng:int(-64, 64), errZ = self.rng:int(-64, 64),
  }
  self.units[id] = u
  listAdd(self.unitList, self.unitIndex, id)
  listAdd(team.units, team.unitIndex, id)
  team.byDef[defID] = (team.byDef[defID] or 0) + 1
  team.stats.unitsProduced = team.stats.unitsProduced + 1
  if buildFrames and buildFrames > 0 then
    u.beingBuilt = true
    u.buildProgress = 0
    u.buildStart = self.frame
    u.buildFrames = buildFrames
    u.health = def.health * 0.1
    local at = self.frame + buildFrames
    self.building[at] = self.building[at] or {}
    table.insert(self.building[at], u)
  end
  self:updateUnitVisibility(u, true)
  self.truth:write(self.frame, "UnitCreated", { unitID = id, defID = defID, team = teamID, builderID = builderID, x = x, z = z })
  self.callins:unitCreated(u, builderID)
  if not u.beingBuilt then
    self:finishUnit(u)
  end
  return u
end

--- buildProgress and health of a unit now (under construction, health grows
--- with progress from a tenth; stored as floats like the engine's).
function World:unitBuildState(u)
  if not u.beingBuilt then
    return 1, u.health
  end
  local p = (self.frame - u.buildStart) / u.buildFrames
  return fround(p), fround(u.maxHealth * (0.1 + 0.9 * p))
end

function World:finishUnit(u)
  u.beingBuilt = false
  u.buildProgress = 1
  u.health = u.maxHealth
  self.truth:write(self.frame, "UnitFinished", { unitID = u.id, defID = u.defID, team = u.team })
  self.callins:unitFinished(u)
end

--- Destroys a unit; attacker (a unit, may be nil) gets the kill
--- (Recoil: unitsDied on the victim's team, unitsKilled on the attacker's).
function World:destroyUnit(u, attacker)
  local team = self.teams[u.team]
  team.stats.unitsDied = team.stats.unitsDied + 1
  if attacker then
    local at = self.teams[attacker.team]
    at.stats.unitsKilled = at.stats.unitsKilled + 1
  end
  u.health = 0
  self.truth:write(self.frame, "UnitDestroyed", {
    unitID = u.id, defID = u.defID, team = u.team,
    attackerID = attacker and attacker.id, attackerDefID = attacker and attacker.defID,
    attackerTeam = attacker and attacker.team,
    seen = (not self:isAlliedUnit(u)) and u.inLos or nil,
  })
  self.callins:unitDestroyed(u, attacker)
  self.units[u.id] = nil
  listRemove(self.unitList, self.unitIndex, u.id)
  listRemove(team.units, team.unitIndex, u.id)
  countRemove(team.byDef, u.defID)
  self:freeID(u.id)
  u.dead = true
end

--- Damages a unit (health drops unless paralyzer; it does not die here: the
--- driver destroys it). Counts damageDealt / damageReceived (Recoil:
--- CUnit::DoDamage feeds TeamStatistics), logs it and routes UnitDamaged.
function World:damageUnit(u, damage, attacker, paralyzer)
  if not paralyzer then
    u.health = fround(math.max(0, u.health - damage))
  end
  local team = self.teams[u.team]
  team.stats.damageReceived = fround(team.stats.damageReceived + damage)
  if attacker then
    local at = self.teams[attacker.team]
    at.stats.damageDealt = fround(at.stats.damageDealt + damage)
  end
  if self.truthDamage then
    self.truth:write(self.frame, "UnitDamaged", {
      unitID = u.id, defID = u.defID, team = u.team, damage = damage, paralyzer = paralyzer,
      attackerID = attacker and attacker.id, attackerTeam = attacker and attacker.team,
    })
  end
  self.callins:unitDamaged(u, damage, paralyzer)
end

--- Gives a unit to another team: UnitTaken (still on the old team), then
--- UnitGiven (Recoil: CUnit::ChangeTeam; unitsSent / unitsReceived).
function World:transferUnit(u, newTeamID)
  local old = self.teams[u.team]
  local new = self.teams[newTeamID]
  old.stats.unitsSent = old.stats.unitsSent + 1
  new.stats.unitsReceived = new.stats.unitsReceived + 1
  self.truth:write(self.frame, "UnitGiven", { unitID = u.id, defID = u.defID, oldTeam = old.id, newTeam = new.id })
  self.callins:unitTaken(u, old.id, new.id)
  listRemove(old.units, old.unitIndex, u.id)
  listAdd(new.units, new.unitIndex, u.id)
  countRemove(old.byDef, u.defID)
  new.byDef[u.defID] = (new.byDef[u.defID] or 0) + 1
  u.team, u.allyTeam = new.id, new.allyTeam
  self:updateUnitVisibility(u, true)
  self.callins:unitGiven(u, new.id, old.id)
end

--- Base position at the current frame: straight lines reflected at the map
--- edges (buildings have no speed).
function World:unitPosition(u)
  local t = self.frame - u.t0
  local sx, sz = self.map.sizeX, self.map.sizeZ
  local x = (u.x0 + u.vx * t) % (2 * sx)
  if x > sx then
    x = 2 * sx - x
  end
  local z = (u.z0 + u.vz * t) % (2 * sz)
  if z > sz then
    z = 2 * sz - z
  end
  return x, 50, z
end

-- ---------------------------------------------------------------------------
-- visibility for the local view's ally team (los.lua)

--- The LOS square a unit stands on; cached for a unit that does not move
--- (buildings, units the driver stopped; moveUnit clears it), so the
--- once-a-second refresh costs little for them.
function World:unitCell(u)
  local c = u.cell
  if c then
    return c
  end
  -- unitPosition and Los:cellOf inlined: this runs for every moving unit
  -- once a game second
  local t = self.frame - u.t0
  local sx, sz = self.map.sizeX, self.map.sizeZ
  local x = (u.x0 + u.vx * t) % (2 * sx)
  if x > sx then
    x = 2 * sx - x
  end
  local z = (u.z0 + u.vz * t) % (2 * sz)
  if z > sz then
    z = 2 * sz - z
  end
  local los = self.los
  local nx, nz = los.nx, los.nz
  local cx, cz = floor(x / CELL), floor(z / CELL)
  if cx >= nx then
    cx = nx - 1
  end
  if cz >= nz then
    cz = nz - 1
  end
  c = cz * nx + cx
  if u.vx == 0 and u.vz == 0 then
    u.cell = c
  end
  return c
end

--- Sends a unit from (x, z) now with velocity (vx, vz) elmos per frame.
function World:moveUnit(u, x, z, vx, vz)
  u.x0, u.z0, u.t0 = x, z, self.frame
  u.vx, u.vz = vx or 0, vz or 0
  u.cell = nil
end

-- Coverage from the squares of the reading ally team's units.
function World:rebuildCoverage()
  local ally = self:readAllyTeam()
  local cells, n = {}, 0
  local units = self.units
  for _, id in ipairs(self.teamList) do
    local t = self.teams[id]
    if t.allyTeam == ally then
      local list = t.units
      for i = 1, #list do
        n = n + 1
        cells[n] = self:unitCell(units[list[i]])
      end
    end
  end
  self.los:rebuild(cells, n)
end

--- Updates a unit's LOS state for the reading ally team and routes the
--- Entered/Left call-ins (silent for a unit that just appeared).
function World:updateUnitVisibility(u, silent, readAlly)
  if u.allyTeam == (readAlly or self:readAllyTeam()) then
    u.inLos, u.inRadar, u.typed = true, true, true
    return
  end
  local c = self:unitCell(u)
  local los = self.los
  local inLos, inRadar = los.los[c] == true, los.radar[c] == true
  local wasLos, wasRadar = u.inLos, u.inRadar
  u.inLos, u.inRadar = inLos, inRadar
  if inLos then
    u.typed = true
  elseif not inRadar then
    u.typed = false
  end
  if silent then
    return
  end
  if inRadar ~= wasRadar then
    self.callins:losChange(u, inRadar and "UnitEnteredRadar" or "UnitLeftRadar")
  end
  if inLos ~= wasLos then
    self.callins:losChange(u, inLos and "UnitEnteredLos" or "UnitLeftLos")
  end
end

function World:refreshVisibility()
  if self.view.fullView then
    return -- full view reads everything: no coverage needed
  end
  self:rebuildCoverage()
  local ally, units = self:readAllyTeam(), self.units
  for _, id in ipairs(self.teamList) do
    local t = self.teams[id]
    if t.allyTeam ~= ally then
      local list = t.units
      for i = 1, #list do
        self:updateUnitVisibility(units[list[i]], false, ally)
      end
    end
  end
end

-- ---------------------------------------------------------------------------
-- teams, players, game flow

function World:killTeam(teamID)
  local team = self.teams[teamID]
  if team.isDead then
    return
  end
  team.isDead = true
  self.truth:write(self.frame, "TeamDied", { team = teamID })
  self.callins:broadcast("TeamDied", teamID)
  -- A player whose team died becomes a spectator (Recoil: CPlayer::
  -- StartSpectating sets spectatingFullView, so the local player then reads
  -- everything).
  for _, id in ipairs(self.playerList) do
    local p = self.players[id]
    if not p.spectator and p.team == teamID then
      p.spectator = true
      if id == self.view.playerID then
        self.view.spectating = true
        self.view.fullView = true
      end
      self.truth:write(self.frame, "PlayerChanged", { playerID = id, spectator = true })
      self.callins:broadcast("PlayerChanged", id)
    end
  end
end

function World:setPaused(paused)
  if self.paused == paused then
    return
  end
  self.paused = paused
  self.truth:write(self.frame, "GamePaused", { paused = paused })
  self.callins:broadcast("GamePaused", self.view.playerID, paused)
end

function World:setSpeed(speed)
  self.speed = speed
  self.truth:write(self.frame, "GameSpeed", { speed = speed })
end

--- Game over: IsGameOver() turns true, and BAR calls GameOver() with no
--- arguments (bar-game-data.md §3); the winners only go to the truth log.
function World:endGame(winners)
  if self.gameOver then
    return
  end
  self.gameOver = true
  self.winners = winners or {}
  self:logSecond()
  self.truth:write(self.frame, "GameOver", { winners = self.winners })
  self.truth:flush()
  self.callins:broadcast("GameOver")
end

-- ---------------------------------------------------------------------------
-- resources and statistics

--- Sets a team's economy for the second that just ended: flows per second
--- (income, expense, pull, sent, received, excess) and the level; stored as
--- floats like CTeam's.
function World:setResources(teamID, resName, values)
  local r = self.teams[teamID][resName]
  for k, v in pairs(values) do
    r[k] = fround(v)
  end
end

--- Pushes the history entry (frame multiple of 450; Recoil: CTeam::SlowUpdate
--- copies the current statistics with frame = now).
function World:pushStats(team)
  local e = { frame = self.frame }
  for _, k in ipairs(World.STAT_FIELDS) do
    e[k] = team.stats[k]
  end
  team.history[#team.history + 1] = e
end

--- The ground truth of every team once a game second: units by def, the
--- live statistics (World.STAT_FIELDS order) and the 9 resource values of
--- metal and energy (World.RES_FIELDS order).
function World:logSecond()
  if not self.truth.file or not self.truthTeams then
    return
  end
  for _, id in ipairs(self.teamList) do
    local t = self.teams[id]
    local counts = t.byDef
    local stats, metal, energy = {}, {}, {}
    for i, k in ipairs(World.STAT_FIELDS) do
      stats[i] = t.stats[k]
    end
    for i, k in ipairs(World.RES_FIELDS) do
      metal[i], energy[i] = t.metal[k], t.energy[k]
    end
    self.truth:writeTeam(self.frame, id, t.isDead, #t.units, counts, stats, metal, energy, #t.history + 1)
  end
end

-- ---------------------------------------------------------------------------
-- game time

--- Starts the game: GameStart, the driver's opening (commanders), then the
--- frame-0 slow update that pushes the first statistics entry.
function World:start(driver)
  if self.started then
    return
  end
  self.started = true
  self.driver = driver
  self.truth:write(0, "GameStart", {})
  self.callins:broadcast("GameStart")
  self:rebuildCoverage()
  driver:opening(self)
  self:slowUpdate()
end

function World:slowUpdate()
  self:refreshVisibility()
  self.driver:second(self)
  if self.frame % World.STATS_FRAMES == 0 then
    for _, id in ipairs(self.teamList) do
      self:pushStats(self.teams[id])
    end
  end
  self:logSecond()
end

--- One simulation frame: the engine's garbage-collection slot (beforeFrame),
--- builds progress, the driver acts, every 30 frames the slow update
--- (visibility, economy, statistics), then GameFrame(n).
function World:simFrame()
  if self.beforeFrame then
    self.beforeFrame()
  end
  local f = self.frame + 1
  self.frame = f
  local finishing = self.building[f]
  if finishing then
    self.building[f] = nil
    for _, u in ipairs(finishing) do
      if not u.dead then
        self:finishUnit(u)
      end
    end
  end
  if self.driver.frame then
    self.driver:frame(self, f)
  end
  if f % World.FRAMES_PER_SECOND == 0 then
    self:slowUpdate()
  end
  self.callins:broadcast("GameFrame", f)
  if self.driver.finished and self.driver:finished(self) then
    self.ended = true
  end
end

--- Runs up to n frames (fewer when the game ends or is paused).
function World:advance(n)
  local done = 0
  while done < n and self.started and not self.paused and not self.ended do
    self:simFrame()
    done = done + 1
  end
  return done
end

--- Called once per host Update with the wall time dt: runs speed * 30 * dt
--- frames (game time faster than real time), at most maxFrames per call.
function World:update(dt, maxFrames)
  if not self.started or self.paused or self.ended then
    self.budget = 0
    return 0
  end
  self.budget = (self.budget or 0) + dt * World.FRAMES_PER_SECOND * self.speed
  local n = floor(self.budget)
  if maxFrames and n > maxFrames then
    n = maxFrames
    self.budget = 0
  else
    self.budget = self.budget - n
  end
  return self:advance(n)
end

return World
