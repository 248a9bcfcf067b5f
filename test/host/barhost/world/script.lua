-- barhost/world/script.lua -- a scripted game for the world's own tests:
-- teams, players and units placed where the test says, and events at the
-- frames it says, so that a test knows by construction which enemy unit is
-- in LOS, in radar (typed or not) or hidden, and what each view must get.
--
-- cfg = {map = {name, sizeX, sizeZ}, allyTeams = {...},
--   teams = {{teamID, allyTeamID, leader, isAI, side, startX, startZ,
--             metalIncome, energyIncome}},
--   players = {{playerID, name, teamID, spectator}},
--   events = {{frame, op, ...}}, endFrame?, winners?}
-- ops: create {key, def (name), team, x, z, builder (key), buildFrames};
-- move {key, x, z}; destroy {key, attacker (key)}; give {key, team};
-- damage {key, damage, attacker (key), paralyzer}; killTeam {team}.
-- Units stand still unless moved. Economy: each second a team with
-- metalIncome/energyIncome gains that much (level capped at storage) and its
-- metalProduced/energyProduced grow by it.

local num = require("barhost.world.num")

local fround = num.fround

local Script = {}
Script.__index = Script

function Script.describe(cfg)
  local desc = {
    map = cfg.map or { name = "Scripted", sizeX = 8192, sizeZ = 8192 },
    gameVersion = cfg.gameVersion or "Beyond All Reason test-script",
    engineVersion = cfg.engineVersion or "2025.06.12",
    allyTeams = cfg.allyTeams,
    teams = {},
    players = cfg.players,
  }
  for _, t in ipairs(cfg.teams) do
    desc.teams[#desc.teams + 1] = {
      teamID = t.teamID, allyTeamID = t.allyTeamID, leader = t.leader, isAI = t.isAI, side = t.side,
      aiShortName = t.aiShortName, metalStorage = t.metalStorage or 1000, energyStorage = t.energyStorage or 1000,
    }
  end
  local byFrame = {}
  for i, e in ipairs(cfg.events or {}) do
    local f = e.frame or 0
    byFrame[f] = byFrame[f] or {}
    table.insert(byFrame[f], e)
    e.index = i
  end
  return desc, setmetatable({ cfg = cfg, byFrame = byFrame, keys = {}, units = {} }, Script)
end

function Script:run(w, f)
  local list = self.byFrame[f]
  if not list then
    return
  end
  for _, e in ipairs(list) do
    local op = e.op
    local u = e.key and self.units[e.key]
    local attacker = e.attacker and self.units[e.attacker]
    if op == "create" then
      local def = w.defs.names[e.def]
      if not def then
        error("script: no unit def " .. tostring(e.def))
      end
      local builder = e.builder and self.units[e.builder]
      u = w:createUnit(def.id, e.team, e.x, e.z, builder and builder.id, e.buildFrames or 0)
      w:moveUnit(u, e.x, e.z, 0, 0)
      self.units[e.key] = u
      self.keys[e.key] = u.id
    elseif op == "move" then
      w:moveUnit(u, e.x, e.z, 0, 0)
    elseif op == "destroy" then
      w:destroyUnit(u, attacker)
    elseif op == "give" then
      w:transferUnit(u, e.team)
    elseif op == "damage" then
      w:damageUnit(u, e.damage, attacker, e.paralyzer == true)
    elseif op == "killTeam" then
      w:killTeam(e.team)
    else
      error("script: unknown op " .. tostring(op))
    end
  end
end

function Script:opening(w)
  for _, t in ipairs(self.cfg.teams) do
    local team = w.teams[t.teamID]
    team.startX, team.startZ = t.startX or 0, t.startZ or 0
  end
  self:run(w, 0)
end

function Script:frame(w, f)
  self:run(w, f)
end

function Script:second(w)
  if w.frame == 0 then
    return
  end
  for _, t in ipairs(self.cfg.teams) do
    local team = w.teams[t.teamID]
    local mi, ei = t.metalIncome or 0, t.energyIncome or 0
    team.stats.metalProduced = fround(team.stats.metalProduced + mi)
    team.stats.energyProduced = fround(team.stats.energyProduced + ei)
    w:setResources(t.teamID, "metal", { current = math.min(team.metal.storage, team.metal.current + mi), income = mi })
    w:setResources(t.teamID, "energy", { current = math.min(team.energy.storage, team.energy.current + ei), income = ei })
  end
end

function Script:finished(w)
  local endFrame = self.cfg.endFrame
  if endFrame and w.frame >= endFrame then
    w:endGame(self.cfg.winners or {})
    return true
  end
  return false
end

--- key -> unitID, for the test (world state).
function Script:state()
  return { units = self.keys }
end

return Script
