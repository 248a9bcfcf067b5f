-- barhost/world/realgame.lua -- a driver that replays a real game from
-- ../shared/data/games/*.json.
--
-- The record is the engine's team statistics history as the demo stores it:
-- entries 1..N-1 were pushed at frames 0, 450, ...; entry N is the running
-- total at the end (its `frame` is the engine's next-entry marker, so the
-- game ended at gameSeconds * 30, before it). Here:
-- * the pushed entries appear at their frames with exactly the recorded
--   values (as floats), the last one is live and ends exactly on the record;
-- * each game second's income, expense, sent, received and excess are the
--   increase of the cumulative values (spread evenly over the period), so
--   GetTeamResources agrees with the history;
-- * units are created, given and destroyed so that every period's
--   unitsProduced/Received/Sent/Died match the record; each death is
--   credited to a team of another ally team while that team's recorded
--   kills for the period are not used up (a period where a team's kills
--   exceed the enemies' deaths is logged as "killsUnmatched");
-- * unit types come from the real defs of the team's faction (arm/cor/leg);
-- * a team whose units are all gone and never produces again dies; the game
--   ends at gameSeconds * 30 with the recorded winners.

local decode = require("barhost.world.jsondecode")
local num = require("barhost.world.num")
local World = require("barhost.world.world")

local floor, fround = math.floor, num.fround

local RealGame = {}
RealGame.__index = RealGame

local FACTION_PREFIX = { Armada = "arm", Cortex = "cor", Legion = "leg" }
local COMMANDER = { arm = "armcom", cor = "corcom", leg = "legcom" }
local FLOAT_FIELDS = {
  "metalUsed", "metalProduced", "metalExcess", "metalReceived", "metalSent",
  "energyUsed", "energyProduced", "energyExcess", "energyReceived", "energySent",
  "damageDealt", "damageReceived",
}
local UNIT_FIELDS = { "unitsProduced", "unitsDied", "unitsReceived", "unitsSent", "unitsCaptured", "unitsOutCaptured", "unitsKilled" }
local MAP_SIZE = 8192 -- not in the record: a 16 x 16 map

--- Reads the game file; returns the world description and the driver.
function RealGame.load(path)
  local g = decode.file(path)
  local desc = {
    map = { name = g.map, sizeX = MAP_SIZE, sizeZ = MAP_SIZE },
    gameVersion = g.gameVersion,
    engineVersion = g.engineVersion,
    allyTeams = g.allyTeams,
    teams = {},
    players = {},
  }
  for _, t in ipairs(g.teams) do
    desc.teams[#desc.teams + 1] = {
      teamID = t.teamID, allyTeamID = t.allyTeamID, leader = t.leader, isAI = t.isAI,
      aiShortName = t.aiShortName, side = t.side, color = t.color,
      metalStorage = 3000, energyStorage = 10000,
    }
  end
  for _, p in ipairs(g.players) do
    desc.players[#desc.players + 1] = { playerID = p.playerID, name = p.name, teamID = p.teamID, spectator = p.spectator }
  end
  local d = setmetatable({
    record = g.teamStats, endFrame = g.gameSeconds * 30, winners = g.winningAllyTeams, teamsDesc = g.teams,
  }, RealGame)
  return desc, d
end

-- Mobile and static unit defs of a faction (no commanders, no scavenger or
-- other variants whose names carry a suffix).
local function factionPool(defs, prefix)
  local pool = {}
  for _, id in ipairs(defs.byPrefix[prefix] or {}) do
    local name = defs.raw[id].name
    if not name:find("_") and name ~= COMMANDER[prefix] then
      pool[#pool + 1] = id
    end
  end
  return pool
end

function RealGame:opening(w)
  self.w = w
  self.teams = {}
  local nAlly = #w.desc.allyTeams
  for i, t in ipairs(self.teamsDesc) do
    local rec = self.record[tostring(t.teamID)]
    local prefix = FACTION_PREFIX[t.side] or "arm"
    local team = w.teams[t.teamID]
    -- bases on a circle per ally team, teams side by side
    local angle = 2 * math.pi * t.allyTeamID / nAlly
    local cx = MAP_SIZE / 2 + MAP_SIZE * 0.35 * math.cos(angle) + (i % 4) * 300
    local cz = MAP_SIZE / 2 + MAP_SIZE * 0.35 * math.sin(angle) + floor(i / 4) * 300
    team.startX, team.startZ = floor(cx), floor(cz)
    self.teams[t.teamID] = { rec = rec, pool = factionPool(w.defs, prefix), commander = w.defs.names[COMMANDER[prefix]].id }
  end
  for _, t in ipairs(self.teamsDesc) do
    local team = w.teams[t.teamID]
    local st = self.teams[t.teamID]
    local first = st.rec[1]
    for _ = 1, first.unitsProduced do
      local u = w:createUnit(st.commander, t.teamID, team.startX, team.startZ, nil, 0)
      u.vx, u.vz = 0, 0
    end
  end
end

-- The period the slow update at frame f closes or lies in: the entries it
-- goes from and to, the frame the target is reached, seconds done and total.
function RealGame:period(rec, f)
  local n = #rec
  local k = floor((f - 1) / World.STATS_FRAMES) -- 0-based
  local from = rec[k + 1]
  local toIndex = k + 2
  local startFrame = k * World.STATS_FRAMES
  local targetFrame = (toIndex <= n - 1) and (toIndex - 1) * World.STATS_FRAMES or self.endFrame
  return from, rec[toIndex], (f - startFrame) / 30, (targetFrame - startFrame) / 30, targetFrame
end

local function aliveUnits(w, team)
  return w.teams[team].units
end

function RealGame:pickVictim(w, teamID)
  local units = aliveUnits(w, teamID)
  if #units == 0 then
    return nil
  end
  local st = self.teams[teamID]
  -- the commander goes last
  for _ = 1, 4 do
    local u = w.units[units[w.rng:below(#units) + 1]]
    if u.defID ~= st.commander or #units == 1 then
      return u
    end
  end
  for _, id in ipairs(units) do
    if w.units[id].defID ~= st.commander then
      return w.units[id]
    end
  end
  return w.units[units[1]]
end

-- An attacker for a unit of teamID: a unit of another ally team whose team
-- still has recorded kills left in this period.
function RealGame:pickAttacker(w, victimTeam)
  local ally = w.teams[victimTeam].allyTeam
  local candidates = {}
  for _, t in ipairs(self.teamsDesc) do
    local st = self.teams[t.teamID]
    if t.allyTeamID ~= ally and (st.killQuota or 0) > 0 and #aliveUnits(w, t.teamID) > 0 then
      candidates[#candidates + 1] = t.teamID
    end
  end
  if #candidates == 0 then
    return nil
  end
  local teamID = candidates[w.rng:below(#candidates) + 1]
  local units = aliveUnits(w, teamID)
  local st = self.teams[teamID]
  st.killQuota = st.killQuota - 1
  return w.units[units[w.rng:below(#units) + 1]]
end

function RealGame:produce(w, teamID, count)
  local st = self.teams[teamID]
  local team = w.teams[teamID]
  for _ = 1, count do
    local builder
    local units = team.units
    if #units > 0 then
      for _ = 1, 3 do
        local b = w.units[units[w.rng:below(#units) + 1]]
        if b.def.isBuilder then
          builder = b
          break
        end
      end
    end
    local x, z = team.startX, team.startZ
    if builder then
      x, _, z = w:unitPosition(builder)
    end
    x = math.max(0, math.min(MAP_SIZE, x + w.rng:int(-200, 200)))
    z = math.max(0, math.min(MAP_SIZE, z + w.rng:int(-200, 200)))
    local defID = st.pool[w.rng:below(#st.pool) + 1]
    w:createUnit(defID, teamID, x, z, builder and builder.id, w.rng:int(30, 300))
  end
end

function RealGame:second(w)
  local f = w.frame
  if f == 0 then
    for _, t in ipairs(self.teamsDesc) do
      local rec = self.teams[t.teamID].rec[1]
      for _, k in ipairs(FLOAT_FIELDS) do
        w.teams[t.teamID].stats[k] = fround(rec[k])
      end
    end
    return
  end
  if f > self.endFrame then
    return
  end
  local closing = false
  -- floats and resources
  for _, t in ipairs(self.teamsDesc) do
    local st = self.teams[t.teamID]
    local team = w.teams[t.teamID]
    local from, to, j, n, targetFrame = self:period(st.rec, f)
    closing = (f == targetFrame)
    local old = {}
    for _, k in ipairs(FLOAT_FIELDS) do
      old[k] = team.stats[k]
      local v
      if closing then
        v = to[k]
      else
        v = from[k] + (to[k] - from[k]) * j / n
      end
      team.stats[k] = fround(v)
    end
    for _, res in ipairs({ "metal", "energy" }) do
      local function d(k)
        return team.stats[res .. k] - old[res .. k]
      end
      local r = team[res]
      local income, expense, sent, received, excess = d("Produced"), d("Used"), d("Sent"), d("Received"), d("Excess")
      local level = r.current + income + received - expense - sent - excess
      level = math.max(0, math.min(r.storage, level))
      w:setResources(t.teamID, res, {
        current = level, pull = expense, income = income, expense = expense, sent = sent, received = received, excess = excess,
      })
    end
    if j == 1 then
      -- a new period: its kills may be credited from now on
      st.killQuota = to.unitsKilled - from.unitsKilled
    end
    st.target = {}
    for _, k in ipairs(UNIT_FIELDS) do
      st.target[k] = closing and to[k] or (from[k] + floor((to[k] - from[k]) * j / n))
    end
  end
  self:units(w)
  if closing then
    self:closePeriod(w)
  end
  self:deaths(w)
end

function RealGame:units(w)
  -- production first, so that deaths can always find a unit at period end
  for _, t in ipairs(self.teamsDesc) do
    local st = self.teams[t.teamID]
    local stats = w.teams[t.teamID].stats
    local missing = st.target.unitsProduced - stats.unitsProduced
    if missing > 0 then
      self:produce(w, t.teamID, missing)
    end
  end
  -- transfers between teams (sent and received), within an ally team first
  for _, t in ipairs(self.teamsDesc) do
    local st = self.teams[t.teamID]
    local stats = w.teams[t.teamID].stats
    while st.target.unitsSent > stats.unitsSent and #aliveUnits(w, t.teamID) > 0 do
      local receiver
      for _, r in ipairs(self.teamsDesc) do
        local rs = self.teams[r.teamID]
        if r.teamID ~= t.teamID and rs.target.unitsReceived > w.teams[r.teamID].stats.unitsReceived then
          if not receiver or (r.allyTeamID == t.allyTeamID) then
            receiver = r.teamID
          end
        end
      end
      if not receiver then
        break
      end
      w:transferUnit(self:pickVictim(w, t.teamID), receiver)
    end
  end
  -- deaths
  for _, t in ipairs(self.teamsDesc) do
    local st = self.teams[t.teamID]
    local stats = w.teams[t.teamID].stats
    while st.target.unitsDied > stats.unitsDied do
      local victim = self:pickVictim(w, t.teamID)
      if not victim then
        break -- deferred until a unit exists
      end
      w:destroyUnit(victim, self:pickAttacker(w, t.teamID))
    end
  end
end

-- At a period's end every counter must be the record's; what the events
-- could not reach is logged (and set, so the history stays exact).
function RealGame:closePeriod(w)
  for _, t in ipairs(self.teamsDesc) do
    local st = self.teams[t.teamID]
    local stats = w.teams[t.teamID].stats
    for _, k in ipairs(UNIT_FIELDS) do
      if stats[k] ~= st.target[k] then
        w.truth:write(w.frame, k == "unitsKilled" and "killsUnmatched" or "statsMismatch", {
          team = t.teamID, field = k, events = stats[k], record = st.target[k],
        })
        stats[k] = st.target[k]
      end
    end
  end
end

function RealGame:deaths(w)
  for _, t in ipairs(self.teamsDesc) do
    local st = self.teams[t.teamID]
    local team = w.teams[t.teamID]
    local last = st.rec[#st.rec]
    if not team.isDead and #team.units == 0 and team.stats.unitsProduced == last.unitsProduced
      and team.stats.unitsReceived == last.unitsReceived then
      w:killTeam(t.teamID)
    end
  end
end

function RealGame:finished(w)
  if w.frame >= self.endFrame then
    w:endGame(self.winners)
    return true
  end
  return false
end

return RealGame
