-- barhost/events.lua -- the host's event stream: one JSON object per stdout line.
--
-- Every event has "type", "frame" (frames completed so far) and "t" (seconds
-- since the host started, 3 decimals). See host.lua for the list of types.
-- Lines are written with a single write each and flushed, so they never
-- interleave. Events raised inside __gc finalizers are queued (defer) and
-- written at the next flush(), never from inside the collector.

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

local function stamp(ev)
  ev.frame = events.frame
  local sec, us = clock.now()
  ev.t = sec + math.floor(us / 1000) / 1000
  return ev
end

function events.emit(ev)
  stamp(ev)
  events.counts[ev.type] = (events.counts[ev.type] or 0) + 1
  out:write(json.encode(ev), "\n")
  out:flush()
  events.seq = events.seq + 1
end

-- For finalizers: record now, write at the next flush().
function events.defer(ev)
  pending[#pending + 1] = stamp(ev)
end

function events.flush()
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
