-- tools/bench/json_bench.lua -- encodes the same messages with our encoder (the transpiled
-- src/protocol), dkjson (pure Lua) and lua-cjson (C), round-robin so that the three share
-- the machine's noise. Driven by tools/bench-json.ts; prints one tab-separated line per
-- encoder and message: encoder, message, bytes, median seconds per message, samples.
--
-- usage: lua5.1 json_bench.lua <protocol.lua> <data.lua> <dkjson.lua> <runs> <budget seconds>

local protocolPath, dataPath, dkjsonPath, runs, budget = ...
runs = tonumber(runs) or 7
budget = tonumber(budget) or 0.05

local J = dofile(protocolPath)
local data = dofile(dataPath)
local dkjson = dofile(dkjsonPath)
-- cjson is a C module built for double numbers: absent from the float interpreter.
local hasCjson, cjson = pcall(require, "cjson")

-- CPU time of this thread (the machine is shared: wall-clock time would count the others):
-- hostclock where the interpreter has it (the float one's os.clock is wall-clock, as in
-- the engine), else os.clock, which stock Lua measures in CPU time.
local hasHostclock, hostclock = pcall(require, "hostclock")
local function start()
  if hasHostclock then hostclock.mark(1) return 0 end
  return os.clock()
end
local function since(t0)
  if hasHostclock then return hostclock.cpu_elapsed_us(1) / 1e6 end
  return os.clock() - t0
end

-- The widget's positions path: the collector's records through the row writer, in the
-- sliced encoder, with a budget that never runs out (one message, one go).
local rows = J.recordRows({ "unitID", "unitDefID", "teamID", "x", "z", "health" }, 3)
local sliced = setmetatable({}, J.SlicedEncoder.prototype)
sliced:____constructor()
local endless = { expired = function() return false end }
local function encodeRows(value)
  sliced:start(J.OUTBOUND_SHAPES.positions, value, { key = "units", writer = rows, batch = 16 })
  sliced:step(endless)
  return sliced:finish(value.seq)
end

local encoders = {
  { name = "ours", encode = function(kind, value) return J.encode(J.OUTBOUND_SHAPES[kind], value) end },
  { name = "ours, rows", only = "positions", input = "positionRecords", encode = function(_, value) return encodeRows(value) end },
  { name = "dkjson", encode = function(_, value) return dkjson.encode(value) end },
}
if hasCjson then
  encoders[#encoders + 1] = { name = "cjson", encode = function(_, value) return cjson.encode(value) end }
end

local function median(samples)
  table.sort(samples)
  local n = #samples
  if n % 2 == 1 then return samples[(n + 1) / 2] end
  return (samples[n / 2] + samples[n / 2 + 1]) / 2
end

for _, message in ipairs({ "snapshot", "positions" }) do
  local results = {}
  local used = {}
  for _, encoder in ipairs(encoders) do
    if encoder.only == nil or encoder.only == message then used[#used + 1] = encoder end
  end
  -- One batch size per encoder, so that each timed sample lasts about `budget` seconds.
  for _, encoder in ipairs(used) do
    local value = data[encoder.input or message]
    local out = encoder.encode(message, value)
    local t0 = start()
    local n = 0
    repeat
      encoder.encode(message, value)
      n = n + 1
    until since(t0) >= budget / 4
    local per = since(t0) / n
    results[encoder.name] = { bytes = #out, batch = math.max(1, math.floor(budget / per)), samples = {} }
  end
  for _ = 1, runs do
    for _, encoder in ipairs(used) do
      local value = data[encoder.input or message]
      local r = results[encoder.name]
      collectgarbage()
      local t0 = start()
      for _ = 1, r.batch do
        encoder.encode(message, value)
      end
      r.samples[#r.samples + 1] = since(t0) / r.batch
    end
  end
  for _, encoder in ipairs(used) do
    local r = results[encoder.name]
    io.write(encoder.name, "\t", message, "\t", r.bytes, "\t",
      string.format("%.9f", median(r.samples)), "\t", #r.samples * r.batch, "\n")
  end
end
