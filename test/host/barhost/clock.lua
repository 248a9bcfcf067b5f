-- barhost/clock.lua -- precise wall-clock time for the host, under double and float.
--
-- With the C module `hostclock` (built by tools/setup-lua.sh) the clock keeps
-- time as whole seconds plus microseconds, both small integers, re-basing a
-- hostclock slot once a second, so nothing loses precision under float
-- numbers. Without it (stock lua5.1 + LuaSocket, double numbers only) it falls
-- back to socket.gettime()/socket.sleep(); under float numbers that fallback
-- would have ~2 minute resolution, so the host refuses to run (see available()).
--
-- Slots used: 16 and 8 = base of the running clock (in turns), 15 = frame
-- start, 14 = call-in timing, 13 = spare stopwatch, 9-12 = the widgets'
-- HostReferenceClock (--reference-clock), 7 = the garbage collector's slot
-- (barhost/gc.lua). Nothing else in the host touches hostclock.

local socket = require("socket")

local clock = {}

local ok, hostclock = pcall(require, "hostclock")
if not ok then
  clock.hostclockError = tostring(hostclock)
  hostclock = nil
end
clock.hostclock = hostclock
clock.isFloat = (2 ^ 24 + 1 == 2 ^ 24)
clock.source = hostclock and "hostclock" or "socket.gettime"

local BASE, OTHER_BASE, FRAME, CALLIN, SPARE, GC = 16, 8, 15, 14, 13, 7
clock.SLOT_FRAME, clock.SLOT_CALLIN, clock.SLOT_SPARE, clock.SLOT_GC = FRAME, CALLIN, SPARE, GC
clock.SLOTS_REFERENCE = 9 -- first of four

local floor = math.floor

-- Whole seconds and microseconds (0 <= us < 1e6) since the clock started, at
-- the mark of baseSlot.
local baseSec, baseUs = 0, 0
local baseSlot = BASE
local t0

if hostclock then
  hostclock.mark(BASE)
else
  t0 = socket.gettime()
end

local function normalise(sec, us)
  if us >= 1e6 then
    local carry = floor(us / 1e6)
    sec = sec + carry
    us = us - carry * 1e6
  end
  return sec, us
end

--- Current time since start as two small integers: seconds, microseconds.
function clock.now()
  if hostclock then
    local e = hostclock.elapsed_us(baseSlot)
    if e >= 1e6 then
      -- Re-base so elapsed_us stays small (exact under float), on the other
      -- slot and without losing time: the gap between the two marks is read
      -- from both slots at nearly the same moment (reading the old one before
      -- and after cancels the time between readings). Marking the slot right
      -- after reading the old one would lose that interval, which includes
      -- mark's CPU-clock system call: tens of µs per second on a busy machine.
      local nextSlot = baseSlot == BASE and OTHER_BASE or BASE
      hostclock.mark(nextSlot)
      local before = hostclock.elapsed_us(baseSlot)
      local since = hostclock.elapsed_us(nextSlot)
      local after = hostclock.elapsed_us(baseSlot)
      baseSec, baseUs = normalise(baseSec, baseUs + ((before + after) / 2 - since))
      baseSlot = nextSlot
      e = hostclock.elapsed_us(baseSlot)
    end
    local sec, us = normalise(baseSec, baseUs + e)
    return sec, floor(us)
  end
  local d = socket.gettime() - t0
  local sec = floor(d)
  return sec, floor((d - sec) * 1e6)
end

--- Seconds since start as one number (coarse under float after long runs,
--- like the engine's own os.clock()).
function clock.seconds()
  local sec, us = clock.now()
  return sec + us / 1e6
end

--- Microseconds from (s1, u1) to (s2, u2).
function clock.diffUs(s1, u1, s2, u2)
  return (s2 - s1) * 1e6 + (u2 - u1)
end

-- Stopwatches: mark(slot) and elapsedUs(slot). Exact under float with
-- hostclock (the difference is taken in C).
local fallbackMarks, fallbackCpuMarks = {}, {}

function clock.mark(slot)
  if hostclock then
    hostclock.mark(slot)
  else
    fallbackCpuMarks[slot] = os.clock()
    fallbackMarks[slot] = socket.gettime()
  end
end

function clock.elapsedUs(slot)
  if hostclock then
    return hostclock.elapsed_us(slot)
  end
  return (socket.gettime() - (fallbackMarks[slot] or t0)) * 1e6
end

--- CPU time this thread spent since mark(slot), in microseconds: unlike
--- elapsedUs it leaves out the time the host waited for a core, so it is the
--- measured code's own cost even on a busy machine. Without hostclock it
--- falls back to os.clock() (process CPU time under the double interpreter;
--- wall time under float, as in the engine).
function clock.cpuElapsedUs(slot)
  if hostclock then
    return hostclock.cpu_elapsed_us(slot)
  end
  return (os.clock() - (fallbackCpuMarks[slot] or 0)) * 1e6
end

function clock.sleep(seconds)
  if seconds <= 0 then
    return
  end
  if hostclock then
    hostclock.sleep(seconds)
  else
    socket.sleep(seconds)
  end
end

--- Can this interpreter keep time precisely? (false, reason) if not.
function clock.available()
  if hostclock then
    return true
  end
  if clock.isFloat then
    return false,
      "float numbers without the hostclock module: socket.gettime() has ~2 minute resolution ("
        .. tostring(clock.hostclockError)
        .. ")"
  end
  return true
end

return clock
