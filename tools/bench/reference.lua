-- A fixed Lua workload that measures how fast this machine runs Lua right now
-- (tools/bench/reference.ts): for each line read from stdin it runs ROUNDS rounds and
-- prints the CPU µs one round took. A round does what the widget's hot paths do: a
-- string.format of many values (unpack), hash-table counts, method calls through a
-- metatable, a table.concat.
local format, concat, clock = string.format, table.concat, os.clock
local unpack = unpack or table.unpack
local ROUNDS = 2000
local N = 30

local Counter = {}
Counter.__index = Counter
function Counter.new()
  return setmetatable({ counts = {}, total = 0 }, Counter)
end
function Counter:add(key)
  local counts = self.counts
  counts[key] = (counts[key] or 0) + 1
  self.total = self.total + 1
end

local values = {}
for i = 0, N - 1 do
  values[i * 4 + 1] = 10000 + i * 37
  values[i * 4 + 2] = 100 + i
  values[i * 4 + 3] = i % 16
  values[i * 4 + 4] = 5000 + i
end
local formats, args, pieces = {}, {}, {}
local counter = Counter.new()

local function round(r)
  local n = 0
  for i = 0, N - 1 do
    local at = i * 4
    formats[i + 1] = '["created",%d,%d,%d,%d]'
    args[n + 1], args[n + 2], args[n + 3], args[n + 4] =
      values[at + 1] + r % 7, values[at + 2], values[at + 3], values[at + 4]
    n = n + 4
    counter:add(values[at + 2] + r % 50)
  end
  pieces[1] = '{"type":"unit_events","rows":['
  pieces[2] = format(concat(formats, ",", 1, N), unpack(args, 1, n))
  pieces[3] = "]}"
  return concat(pieces, "", 1, 3)
end

io.stdout:setvbuf("line")
local r = 0
while io.read("*l") do
  local t0 = clock()
  for _ = 1, ROUNDS do
    r = r + 1
    round(r)
  end
  io.write(format("%.4f\n", (clock() - t0) / ROUNDS * 1e6))
end
