-- barhost/events.lua -- the host's event stream: one JSON object per stdout line.
--
-- Every event has "type", "frame" (frames completed so far) and "t" (seconds
-- since the host started, 3 decimals). See host.lua for the list of types.
-- Lines are written with a single write each and flushed, so they never
-- interleave. Events raised inside __gc finalizers are queued (defer) and
-- written at the next flush(), never from inside the collector. While a
-- call-in is being timed (hold ... release), events are queued too: writing
-- to a pipe can block, and that is the host's cost, not the widget's.

local json = require("barhost.json")
local clock = require("barhost.clock")

local events = {
  frame = 0,
  -- number of event lines written so far (replies carry it, see host.lua)
  seq = 0,
  counts = {},
}

local out = io.stdout
local pending = {}
local held = false

local function stamp(ev)
  ev.frame = events.frame
  local sec, us = clock.now()
  ev.t = sec + math.floor(us / 1000) / 1000
  return ev
end

function events.emit(ev)
  stamp(ev)
  if held then
    pending[#pending + 1] = ev
    return
  end
  events.counts[ev.type] = (events.counts[ev.type] or 0) + 1
  out:write(json.encode(ev), "\n")
  out:flush()
  events.seq = events.seq + 1
end

-- For finalizers: record now, write at the next flush().
function events.defer(ev)
  pending[#pending + 1] = stamp(ev)
end

-- Queue events from now on (a timed call-in starts).
function events.hold()
  held = true
end

-- Write what was queued (the timed call-in is over).
function events.release()
  events.flush()
end

-- Also ends a hold, so an error that escaped a timed call-in cannot leave the
-- stream held (the host flushes at the end of every frame and at exit).
function events.flush()
  held = false
  if #pending == 0 then
    return
  end
  local list = pending
  pending = {}
  for _, ev in ipairs(list) do
    events.counts[ev.type] = (events.counts[ev.type] or 0) + 1
    out:write(json.encode(ev), "\n")
    events.seq = events.seq + 1
  end
  out:flush()
end

return events
