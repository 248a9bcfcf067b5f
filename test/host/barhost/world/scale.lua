-- barhost/world/scale.lua -- a synthetic driver for benchmarks: N teams
-- (up to 16) of M units each (up to 10,000 units in all) in two or more ally
-- teams, then a battle that destroys `killsPerSecond` units every game
-- second, spread evenly over the second's 30 frames as in a real battle (each
-- credited to a unit of another ally team) and rebuilds as many,
-- so the unit count stays near N * M; each kill is a killing blow first
-- (UnitDamaged with the victim's health; damageDealt/Received). Economy:
-- fixed incomes with a little noise; statistics accumulate from it. Ends
-- after `seconds` game seconds, won by ally team 0.

local num = require("barhost.world.num")

local fround = num.fround

local Scale = {}
Scale.__index = Scale

local MAP_SIZE = 16384

function Scale.describe(cfg)
  local nTeams = math.min(16, cfg.teams or 16)
  local nAlly = math.max(2, math.min(nTeams, cfg.allyTeams or 2))
  local desc = {
    map = { name = "Synthetic Scale", sizeX = MAP_SIZE, sizeZ = MAP_SIZE },
    gameVersion = "Beyond All Reason test-scale",
    engineVersion = "2025.06.12",
    allyTeams = {},
    teams = {},
    players = {},
  }
  for a = 0, nAlly - 1 do
    desc.allyTeams[#desc.allyTeams + 1] = a
  end
  local sides = { "Armada", "Cortex", "Legion" }
  for t = 0, nTeams - 1 do
    desc.teams[#desc.teams + 1] = {
      teamID = t, allyTeamID = t % nAlly, leader = t, isAI = false, side = sides[t % 3 + 1],
      color = { (t % 4) / 3, (t % 3) / 2, 1 - t / 16 }, metalStorage = 5000, energyStorage = 20000,
    }
    desc.players[#desc.players + 1] = { playerID = t, name = "Player " .. (t + 1), teamID = t, spectator = false }
  end
  local d = setmetatable({
    unitsPerTeam = math.min(cfg.unitsPerTeam or 100, math.floor(10000 / nTeams)),
    killsPerSecond = cfg.killsPerSecond or 300,
    endFrame = (cfg.seconds or 120) * 30,
    nTeams = nTeams,
  }, Scale)
  return desc, d
end

function Scale:opening(w)
  local prefixes = { Armada = "arm", Cortex = "cor", Legion = "leg" }
  self.pools = {}
  for t = 0, self.nTeams - 1 do
    local team = w.teams[t]
    local pool = {}
    for _, id in ipairs(w.defs.byPrefix[prefixes[team.side]]) do
      if not w.defs.raw[id].name:find("_") then
        pool[#pool + 1] = id
      end
    end
    self.pools[t] = pool
    local angle = 2 * math.pi * t / self.nTeams
    team.startX = math.floor(MAP_SIZE / 2 + MAP_SIZE * 0.4 * math.cos(angle))
    team.startZ = math.floor(MAP_SIZE / 2 + MAP_SIZE * 0.4 * math.sin(angle))
    for _ = 1, self.unitsPerTeam do
      self:spawn(w, t, 0)
    end
  end
end

function Scale:spawn(w, t, buildFrames)
  local team = w.teams[t]
  local pool = self.pools[t]
  local x = math.max(0, math.min(MAP_SIZE, team.startX + w.rng:int(-1500, 1500)))
  local z = math.max(0, math.min(MAP_SIZE, team.startZ + w.rng:int(-1500, 1500)))
  return w:createUnit(pool[w.rng:below(#pool) + 1], t, x, z, nil, buildFrames)
end

function Scale:second(w)
  if w.frame == 0 then
    return
  end
  for t = 0, self.nTeams - 1 do
    local team = w.teams[t]
    local s = team.stats
    local mIn, eIn = 20 + w.rng:int(0, 10), 400 + w.rng:int(0, 100)
    local mUse, eUse = mIn * 0.9, eIn * 0.8
    s.metalProduced = fround(s.metalProduced + mIn)
    s.metalUsed = fround(s.metalUsed + mUse)
    s.energyProduced = fround(s.energyProduced + eIn)
    s.energyUsed = fround(s.energyUsed + eUse)
    w:setResources(t, "metal", { current = math.min(team.metal.storage, team.metal.current + mIn - mUse), pull = mUse, income = mIn, expense = mUse })
    w:setResources(t, "energy", { current = math.min(team.energy.storage, team.energy.current + eIn - eUse), pull = eUse, income = eIn, expense = eUse })
  end
end

--- The battle, every simulation frame: frame k (1..30) of a second kills
--- floor(K*k/30) - floor(K*(k-1)/30) units, so each second kills exactly K
--- (`killsPerSecond`) spread evenly (a real battle does not put a second's
--- deaths into one frame).
function Scale:frame(w, f)
  local k = (f - 1) % 30 + 1
  local n = math.floor(self.killsPerSecond * k / 30) - math.floor(self.killsPerSecond * (k - 1) / 30)
  local list = w.unitList
  for _ = 1, n do
    if #list < 2 then
      break
    end
    local victim = w.units[list[w.rng:below(#list) + 1]]
    local attacker
    for _ = 1, 8 do
      local a = w.units[list[w.rng:below(#list) + 1]]
      if a.allyTeam ~= victim.allyTeam then
        attacker = a
        break
      end
    end
    local t = victim.team
    -- the killing blow: UnitDamaged (to the victim's ally team, or all with
    -- full view), then UnitDestroyed
    w:damageUnit(victim, victim.health, attacker, false)
    w:destroyUnit(victim, attacker)
    self:spawn(w, t, w.rng:int(30, 150))
  end
end

function Scale:finished(w)
  if w.frame >= self.endFrame then
    w:endGame({ 0 })
    return true
  end
  return false
end

return Scale
