-- barhost/world/init.lua -- what host.lua uses of the game world: build it
-- from the --world config file, install its Spring functions, run game time
-- from the host's Update loop and answer the "world ..." control commands.
--
-- Config (JSON): {driver = "game" | "scale" | "script", game = path (driver
-- game), script = {...} (driver script, see script.lua),
-- unitDefs = path, seed, view = "player" | "spectator" | "fullview" |
-- "replay", viewTeam, speed (game speed factor, default 1), maxFramesPerUpdate
-- (default 3000), autoStart (default true: GameStart at the first Update),
-- truthLog = path, truthTeams (default true: the per-second team lines),
-- truthClock (default false: each event line also gets "ws" and "wus", the
-- host clock's seconds and microseconds when it happened, for latency),
-- scale = {teams, unitsPerTeam, allyTeams, killsPerSecond,
-- seconds}}.

local decode = require("barhost.world.jsondecode")
local unitdefs = require("barhost.world.unitdefs")
local World = require("barhost.world.world")
local RealGame = require("barhost.world.realgame")
local Scale = require("barhost.world.scale")
local Script = require("barhost.world.script")
local api = require("barhost.world.api")

local M = {}
M.__index = M

--- emit(event) writes a host event line; callIn(name, ...) reaches LuaUI;
--- clockNow() is the host clock (seconds, microseconds), for truthClock;
--- beforeFrame() (optional) runs at the start of every simulation frame (the
--- engine's garbage-collection slot, barhost/gc.lua).
function M.create(path, emit, callIn, clockNow, beforeFrame)
  local cfg = decode.file(path)
  local desc, driver
  if cfg.driver == "scale" then
    desc, driver = Scale.describe(cfg.scale or {})
  elseif cfg.driver == "script" then
    desc, driver = Script.describe(cfg.script or {})
  elseif cfg.driver == "game" then
    desc, driver = RealGame.load(cfg.game)
  else
    error("world: unknown driver " .. tostring(cfg.driver))
  end
  local world = World.new(desc, {
    seed = cfg.seed or 1,
    view = cfg.view or "player",
    viewTeam = cfg.viewTeam or 0,
    unitDefs = unitdefs.load(cfg.unitDefs),
    truthLog = cfg.truthLog,
    truthTeams = cfg.truthTeams,
    truthDamage = cfg.truthDamage,
    truthClock = cfg.truthClock and clockNow or nil,
    speed = cfg.speed or 1,
    callIn = callIn,
    beforeFrame = beforeFrame,
  })
  return setmetatable({
    world = world, driver = driver, emit = emit, cfg = cfg,
    autoStart = cfg.autoStart ~= false, maxFrames = cfg.maxFramesPerUpdate or 3000,
  }, M)
end

function M:install(Spring, Game, Engine, System)
  api.install(self.world, Spring, Game, Engine, System)
end

function M:start()
  local w = self.world
  if w.started then
    return
  end
  w:start(self.driver)
  self.emit({ type = "world", what = "started", frame = w.frame, gameID = w.rules.GameID })
end

function M:afterFrames()
  local w = self.world
  if w.ended and not self.endReported then
    self.endReported = true
    w.truth:flush()
    self.emit({ type = "world", what = "ended", frame = w.frame, gameOver = w.gameOver, truthLines = w.truth.lines })
  end
end

--- Once per host Update, before the widgets' Update.
function M:tick(dt)
  if self.autoStart and not self.world.started then
    self:start()
  end
  self.world:update(dt, self.maxFrames)
  self:afterFrames()
end

function M:state()
  local w = self.world
  local teams = {}
  for _, id in ipairs(w.teamList) do
    local t = w.teams[id]
    teams[#teams + 1] = { teamID = id, isDead = t.isDead, units = #t.units, history = #t.history + 1 }
  end
  return {
    frame = w.frame, started = w.started, paused = w.paused, gameOver = w.gameOver, ended = w.ended,
    speed = w.speed, units = #w.unitList, teams = teams, view = w:describe().view, truthLines = w.truth.lines,
    driver = self.driver.state and self.driver:state() or nil,
  }
end

--- "world <sub> [arg]": start | pause | unpause | speed X | step N | state |
--- gameover. Returns the reply fields.
function M:command(rest)
  local sub, arg = rest:match("^(%S+)%s*(.*)$")
  local w = self.world
  if sub == "start" then
    self:start()
  elseif sub == "pause" or sub == "unpause" then
    w:setPaused(sub == "pause")
  elseif sub == "speed" then
    local s = tonumber(arg)
    if not s or s <= 0 then
      return { ok = false, error = "speed needs a positive number" }
    end
    w:setSpeed(s)
  elseif sub == "step" then
    local n = tonumber(arg) or 1
    self:start()
    local wasPaused = w.paused
    w.paused = false
    w:advance(math.floor(n))
    w.paused = wasPaused
    self:afterFrames()
  elseif sub == "gameover" then
    w:endGame({})
    w.ended = true
    self:afterFrames()
  elseif sub ~= "state" then
    return { ok = false, error = "unknown world command: " .. tostring(sub) }
  end
  return { ok = true, state = self:state() }
end

function M:close()
  self.world.truth:close()
end

return M
