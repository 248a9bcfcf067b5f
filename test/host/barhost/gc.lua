-- barhost/gc.lua -- where Lua's garbage collector runs, as in Recoil.
--
-- Recoil stops the automatic collector of each Lua state ("don't collect
-- garbage outside of CollectGarbage": lua_gc(L, LUA_GCSTOP) at the end of
-- CLuaHandle::CollectGarbage, rts/Lua/LuaHandle.cpp) and collects in a slot of
-- its own: at the start of every simulation frame, before GameFrame
-- (CGame::SimFrame calls eventHandler.CollectGarbage), and from a 30 Hz timed
-- job while no simulation frame comes (paused, before the start:
-- CGame::AddTimedJobs). So an allocation inside a widget's call-in never pays
-- for collecting, as it does under Lua's own collector, which works a little
-- at every allocation; the engine charges the collection to itself
-- ("Lua::CollectGarbage" in its profiler), not to a widget.
--
-- How much one slot collects: Recoil bounds it by time
-- (LuaGarbageCollectionRunTimeMult milliseconds, 1 in BAR, scaled by the heap's
-- size and the game speed) and skips slots at random while memory is low. The
-- host instead does the work Lua's own collector would have done for the bytes
-- allocated since the last slot (the same pause before a cycle and the same
-- steps), so the heap stays the size it has under Lua's collector, whatever
-- the world allocates. What is imitated is where the work falls: outside the
-- widgets' call-ins.
--
-- mode "engine" (the default) does the above; mode "lua" leaves Lua's own
-- collector on (the host before, for comparison).

local Gc = {}
Gc.__index = Gc

-- Lua 5.1's default pause: a cycle starts when the heap is twice what the
-- last one left (collectgarbage("setpause") = 200).
local PAUSE = 2

--- clock: barhost.clock (CPU time of the slots, for the status).
function Gc.new(mode, clock)
  local self = setmetatable({
    mode = mode,
    clock = clock,
    cycling = false,
    slots = 0, -- slots that did some work
    cycles = 0, -- cycles finished in the slots
    cpuUs = 0, -- CPU time spent in the slots
    allocatedKb = 0, -- heap growth between slots: what the Lua state allocated
    live = 0,
    last = 0,
  }, Gc)
  if mode == "engine" then
    self:resync()
  end
  return self
end

--- After a full collection made outside a slot (collectgarbage("collect")
--- restarts Lua's automatic collector): stop it again and take the heap's
--- size as what the last cycle left.
function Gc:resync()
  if self.mode ~= "engine" then
    return
  end
  collectgarbage("stop")
  self.cycling = false
  self.live = collectgarbage("count")
  self.last = self.live
end

--- The engine's collection slot: once per simulation frame, before GameFrame,
--- and at 30 Hz while no simulation frame comes (the caller decides when).
function Gc:slot()
  if self.mode ~= "engine" then
    return
  end
  local now = collectgarbage("count")
  local grown = now - self.last
  if grown > 0 then
    self.allocatedKb = self.allocatedKb + grown
  elseif grown < 0 then
    -- collected outside a slot (a widget's collectgarbage("collect") or "step"):
    -- what is left is the new measure, and a cycle in progress may have ended
    self.live = now
    self.cycling = false
  end
  if not self.cycling and now >= self.live * PAUSE then
    self.cycling = true
  end
  if self.cycling and grown > 0 then
    local clock = self.clock
    clock.mark(clock.SLOT_GC)
    -- "step" n: the work Lua does for n KB allocated (Lua 5.1, lua_gc
    -- LUA_GCSTEP); true when a cycle ended
    if collectgarbage("step", math.ceil(grown)) then
      self.cycling = false
      self.cycles = self.cycles + 1
      self.live = collectgarbage("count")
    end
    self.cpuUs = self.cpuUs + clock.cpuElapsedUs(clock.SLOT_GC)
    self.slots = self.slots + 1
  end
  -- a step leaves the automatic collector on again, and so does a widget's
  -- collectgarbage("restart"): off until the next slot, as in the engine
  collectgarbage("stop")
  self.last = collectgarbage("count")
end

--- For the status: {mode, slots, cycles, cpuMs, allocatedKb}.
function Gc:summary()
  return {
    mode = self.mode,
    slots = self.slots,
    cycles = self.cycles,
    cpuMs = math.floor(self.cpuUs / 100 + 0.5) / 10,
    allocatedKb = math.floor(self.allocatedKb + 0.5),
  }
end

return Gc
