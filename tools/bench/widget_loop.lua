--[[
tools/bench/widget_loop.lua -- the widget's own Lua work in a hot loop, without
the host: loads the modules of the built bundle (not src/main, which needs the
engine), drives the app with a manual clock and the real LuaSocket, and times
app:update() (what Update calls) per call with hostclock. Same conditions as
tools/bench/floor.lua, so the two can be compared call for call.

  lua5.1 tools/bench/widget_loop.lua [--widget FILE] [--iterations N] [--attempts N]
                                     [--burst-frames N]

Measures (median/p99/p99.9/max by nearest rank, microseconds):
  connected   app:update() while connected to an idle loopback listener
  refusedCreate app:update() that starts an attempt to a closed port
                (retry delay over: creates the socket)
  refusedConnect the next app:update(), which issues the connect (it answers
                "timeout")
  refusedOpen   both together, per attempt (floor.lua makes the same calls
                in one go)
  refusedResult app:update() that learns the attempt was refused (select,
                getpeername, connect again, retry scheduled, log streak)
  refusedClose  the next app:update(), which closes the failed socket
  refusedFinish both together, per attempt (floor.lua's refusedFinish makes
                the same calls in one go)
  indicator   what DrawScreen does besides gl.Text: app:indicatorLine() and
              indicatorPlacement() when the build has it
  burst       200 small lines queued (app.connection:send) and app:update(),
              timed together, while connected to a loopback listener that is
              drained between calls (what phase 3 will queue in a busy frame)
and the Lua memory each of them allocates per call (bytes, collector stopped),
which is what BAR's widget profiler shows as kB/s.

Prints one JSON line.
]]

local here = (arg and arg[0] or ""):match("^(.*)[/\\][^/\\]*$") or "."
package.path = here .. "/?.lua;" .. here .. "/../../test/host/?.lua;" .. package.path

local socket = require("socket")
local hostclock = require("hostclock")
local json = require("barhost.json")

local loop = require("loop")
local options = loop.options(
  arg,
  {
    widget = here .. "/../../build/api_live_data_export.lua",
    iterations = 20000,
    attempts = 2000,
    ["burst-frames"] = 2000,
  },
  { widget = "string", iterations = "number", attempts = "number", ["burst-frames"] = "number" }
)
local widgetFile, iterations, attempts = options.widget, options.iterations, options.attempts
local burstFrames = options["burst-frames"]

-- The bundle ends with `local ____entry = require("src.main", ...)`: return its
-- module loader instead, so single modules can be loaded without the engine.
local f = assert(io.open(widgetFile, "rb"))
local text = f:read("*a")
f:close()
local cut = text:find('local ____entry = require%("src.main"')
assert(cut, "not a TypeScriptToLua bundle with src.main as entry: " .. widgetFile)
local chunk = assert(loadstring(text:sub(1, cut - 1) .. "\nreturn require\n", "=bundle"))
local bundleRequire = chunk()

local lualib = bundleRequire("lualib_bundle")
local LiveDataApp = bundleRequire("src.app.app").LiveDataApp
local LuaSocketTransport = bundleRequire("src.engine.luasocket-transport").LuaSocketTransport
local indicatorModule = bundleRequire("src.app.indicator")

local now = 0
local clock = {
  now = function()
    return now
  end,
}
local printed = 0

local function newApp(settings)
  local tcp = socket.tcp4 or socket.tcp
  -- the engine's LuaSocket creates IPv4 sockets with socket.tcp()
  local lib = setmetatable({ tcp = tcp }, { __index = socket })
  local transport = lualib.__TS__New(LuaSocketTransport, lib, clock)
  local app = lualib.__TS__New(LiveDataApp, {
    transport = transport,
    clock = clock,
    echo = function()
      printed = printed + 1
    end,
    stamp = function()
      return "00:00:00"
    end,
  })
  app:loadSaved(settings)
  return app, transport
end

-- Bytes of Lua memory allocated per call of f, with the collector stopped.
local function allocated(f, n)
  collectgarbage("collect")
  collectgarbage("stop")
  local before = collectgarbage("count")
  for _ = 1, n do
    f()
  end
  local after = collectgarbage("count")
  collectgarbage("restart")
  return math.floor((after - before) * 1024 / n * 10 + 0.5) / 10
end

local SLOT = 2
local mark, elapsed = hostclock.mark, hostclock.elapsed_us

local summarise = loop.summarise

local function listener()
  local s = assert((socket.tcp4 or socket.tcp)())
  assert(s:setoption("reuseaddr", true))
  assert(s:bind("127.0.0.1", 0))
  assert(s:listen(8))
  local _, port = s:getsockname()
  return s, tonumber(port)
end

-- ---- connected and idle
local server, serverPort = listener()
local app, transport = newApp({ host = "127.0.0.1", port = serverPort, showIndicator = true })
app:start()
local accepted
for _ = 1, 200 do
  app:update()
  accepted = accepted or server:accept()
  if accepted and app.connection:state() == "CONNECTED" then
    break
  end
  socket.sleep(0.005)
end
assert(app.connection:state() == "CONNECTED", "could not connect to the local listener")
for _ = 1, 1000 do
  app:update()
end
collectgarbage("collect")
local connected = {}
for i = 1, iterations do
  mark(SLOT)
  app:update()
  connected[i] = elapsed(SLOT)
end

local connectedBytes = allocated(function()
  app:update()
end, 10000)

-- ---- what DrawScreen computes besides gl.Text
local placement = indicatorModule.indicatorPlacement
local indicatorBytes = allocated(function()
  local line = app:indicatorLine()
  if line ~= nil and placement then
    placement(app.config.indicatorCorner, 1920, 1080)
  end
end, 10000)
local indicator = {}
collectgarbage("collect")
for i = 1, iterations do
  mark(SLOT)
  local line = app:indicatorLine()
  if line ~= nil and placement then
    placement(app.config.indicatorCorner, 1920, 1080)
  end
  indicator[i] = elapsed(SLOT)
end
assert(app.connection:state() == "CONNECTED")

-- ---- connected, 200 small lines queued per frame
local BURST_LINES = 200
local BURST_LINE = '{"type":"bench","frame":1234567,"value":0.125}\n'
-- The first line of each frame differs, so that no frame's bytes repeat an earlier
-- frame's (Lua interns strings: a repeated chunk would cost nothing to build).
local firstLines = {}
for i = 1, burstFrames + 400 do
  firstLines[i] = string.format('{"type":"bench","frame":%07d,"value":0.125}\n', i)
end
local burstCount = 0
accepted:settimeout(0)
local function drain()
  repeat
    local data = accepted:receive(65536)
  until not data
end
local function burstFrame()
  local connection = app.connection
  burstCount = burstCount + 1
  connection:send(firstLines[burstCount])
  for _ = 2, BURST_LINES do
    connection:send(BURST_LINE)
  end
  app:update()
end
for _ = 1, 100 do
  burstFrame()
  drain()
end
local sentBefore = app:status().messagesSent
collectgarbage("collect")
local burst = {}
for i = 1, burstFrames do
  mark(SLOT)
  burstFrame()
  burst[i] = elapsed(SLOT)
  drain()
end
local burstStatus = app:status()
-- allocation of the widget's part only: the drain's received strings are not counted
collectgarbage("collect")
collectgarbage("stop")
local burstAllocated = 0
for _ = 1, 200 do
  local before = collectgarbage("count")
  burstFrame()
  burstAllocated = burstAllocated + collectgarbage("count") - before
  drain()
end
collectgarbage("restart")
local burstBytes = math.floor(burstAllocated * 1024 / 200 * 10 + 0.5) / 10
assert(app.connection:state() == "CONNECTED", "the burst lost the connection")
app:shutdown()
if accepted then
  accepted:close()
end
server:close()

-- ---- refused attempts, as in the "refused" situation (delays 0.1-1 s)
local closedPort = require("ports").closedPort()
local app2, transport2 = newApp({
  host = "127.0.0.1",
  port = closedPort,
  retryInitialDelay = 0.1,
  retryMaxDelay = 1,
  showIndicator = false,
})
app2:start()
local creates, connects, opens, results, closes, finishes = {}, {}, {}, {}, {}, {}
local unexpected = 0
local function waitWritable()
  local sock = transport2.sock
  if not sock then
    return
  end
  for _ = 1, 100000 do
    local _, writable = socket.select(nil, { sock }, 0)
    if writable[1] then
      return
    end
  end
end
-- One app2:update() timed; counts it as unexpected unless the state after it is `expected`.
local function timedUpdate(expected)
  mark(SLOT)
  app2:update()
  local t = elapsed(SLOT)
  if app2.connection:state() ~= expected then
    unexpected = unexpected + 1
  end
  return t
end
collectgarbage("collect")
for i = 1, attempts + 50 do
  -- first frame: the attempt started by start() or by the retry delay being over
  local created = 0
  if app2.connection:state() == "RECONNECTING" then
    now = now + 1.001
    created = timedUpdate("CONNECTING")
  end
  local connected = timedUpdate("CONNECTING") -- second frame: the connect is issued
  waitWritable()
  local learned = timedUpdate("RECONNECTING")
  -- fourth frame: the failed socket is closed (the retry delay is not over yet)
  local closed = timedUpdate("RECONNECTING")
  if i > 50 then
    creates[#creates + 1] = created
    connects[#connects + 1] = connected
    opens[#opens + 1] = created + connected
    results[#results + 1] = learned
    closes[#closes + 1] = closed
    finishes[#finishes + 1] = learned + closed
  end
end
-- allocation of one whole refused attempt (all four frames), outside the timed loop
local attemptBytes = allocated(function()
  now = now + 1.001
  app2:update()
  app2:update()
  waitWritable()
  app2:update()
  app2:update()
end, 200)
-- of that, LuaSocket's own tcp object (it holds an 8 KiB buffer)
local socketBytes = allocated(function()
  local sock = (socket.tcp4 or socket.tcp)()
  sock:close()
end, 200)
local status = app2:status()
app2:shutdown()

io.write(
  json.encode({
    numbers = (2 ^ 24 + 1 == 2 ^ 24) and "float" or "double",
    widget = widgetFile,
    connected = summarise(connected),
    indicator = summarise(indicator),
    indicatorHasPlacement = placement ~= nil,
    burst = summarise(burst),
    burstLines = BURST_LINES,
    burstLineBytes = #BURST_LINE,
    burstSent = burstStatus.messagesSent - sentBefore,
    burstDropped = burstStatus.droppedMessages,
    refusedCreate = summarise(creates),
    refusedConnect = summarise(connects),
    refusedOpen = summarise(opens),
    refusedResult = summarise(results),
    refusedClose = summarise(closes),
    refusedFinish = summarise(finishes),
    refusedLastError = status.lastError,
    refusedAttempts = status.totalAttempts,
    unexpectedStates = unexpected,
    linesPrinted = printed,
    allocatedBytesPerCall = {
      connected = connectedBytes,
      indicator = indicatorBytes,
      burst = burstBytes,
      refusedAttempt = attemptBytes,
      socketObject = socketBytes,
    },
  }),
  "\n"
)
