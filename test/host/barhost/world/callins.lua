-- barhost/world/callins.lua -- routes the world's events to the widgets'
-- call-ins the way the engine and BAR do (bar-game-data.md §3):
--
-- * Engine unit events reach LuaUI only for units of the reading ally team,
--   or all units with full view (ITERATE_UNIT_ALLYTEAM_EVENTCLIENTLIST,
--   CanReadAllyTeam).
-- * BAR's luarules/gadgets/api_widget_events.lua adds, for players and
--   spectators without full view: UnitDestroyed(u, def, team) without
--   attacker for enemy units in LOS when they die, UnitFinished for enemy
--   units in LOS, UnitTaken/UnitGiven for enemy-to-enemy transfers in LOS or
--   radar. A transfer between the reader's ally team and an enemy gives
--   only the engine's half: UnitTaken to the old ally team, UnitGiven to the
--   new one.
-- * UnitDestroyed's attacker fields only when the attacker is visible, its
--   def only when typed (LuaUtils::PushAttackerInfo).
-- * UnitEntered/LeftLos/Radar(u, team) for the reading ally team only; the
--   host does not send them with full view (the engine sends one per ally
--   team there, which BAR makes look like duplicates).
-- Game call-ins (GameStart, GameFrame, GameOver() without arguments,
-- GamePaused, TeamDied, PlayerChanged) go to every widget that has them.

local Callins = {}
Callins.__index = Callins

--- call(name, ...) delivers a call-in to the widget handler (a no-op when
--- LuaUI is not running).
function Callins.new(world, call)
  return setmetatable({ world = world, call = call or function() end }, Callins)
end

function Callins:broadcast(name, ...)
  self.call(name, ...)
end

function Callins:unitCreated(u, builderID)
  local w = self.world
  if w:isAlliedUnit(u) then
    self.call("UnitCreated", u.id, u.defID, u.team, builderID)
  end
end

function Callins:unitFinished(u)
  local w = self.world
  if w:isAlliedUnit(u) or u.inLos then
    self.call("UnitFinished", u.id, u.defID, u.team)
  end
end

function Callins:unitDestroyed(u, attacker)
  local w = self.world
  if w:isAlliedUnit(u) then
    local aID, aDef, aTeam
    if attacker and not attacker.dead and w:unitVisible(attacker) then
      aID, aTeam = attacker.id, attacker.team
      if w:unitTyped(attacker) then
        aDef = attacker.defID
      end
    end
    self.call("UnitDestroyed", u.id, u.defID, u.team, aID, aDef, aTeam, nil)
  elseif u.inLos then
    self.call("UnitDestroyed", u.id, u.defID, u.team)
  end
end

-- UnitDamaged(u, def, team, damage, paralyzer): BAR drops weaponDefID,
-- projectileID and the attacker fields (barwidgets.lua); engine-routed only,
-- so only for the reading ally team's units unless full view (a player never
-- gets UnitDamaged for enemy units).
function Callins:unitDamaged(u, damage, paralyzer)
  if self.world:isAlliedUnit(u) then
    self.call("UnitDamaged", u.id, u.defID, u.team, damage, paralyzer)
  end
end

-- A transfer between two teams that are both enemies of the reader, seen in
-- LOS or radar: BAR's api_widget_events.lua sends UnitTaken and UnitGiven.
local function enemyTransferSeen(w, u, oldAlly, newAlly)
  local ally = w:readAllyTeam()
  return not w:fullRead() and oldAlly ~= ally and newAlly ~= ally and (u.inLos or u.inRadar)
end

-- UnitTaken(u, def, oldTeam, newTeam): sent while the unit is on the old
-- team, so the engine routes it to the old ally team's readers.
function Callins:unitTaken(u, oldTeam, newTeam)
  local w = self.world
  local newAlly = w.teams[newTeam].allyTeam
  if w:isAlliedUnit(u) or enemyTransferSeen(w, u, u.allyTeam, newAlly) then
    self.call("UnitTaken", u.id, u.defID, oldTeam, newTeam)
  end
end

-- UnitGiven(u, def, newTeam, oldTeam): after the change, so to the new ally
-- team's readers.
function Callins:unitGiven(u, newTeam, oldTeam)
  local w = self.world
  local oldAlly = w.teams[oldTeam].allyTeam
  if w:isAlliedUnit(u) or enemyTransferSeen(w, u, oldAlly, u.allyTeam) then
    self.call("UnitGiven", u.id, u.defID, newTeam, oldTeam)
  end
end

function Callins:losChange(u, name)
  if not self.world:fullRead() then
    self.call(name, u.id, u.team)
  end
end

return Callins
