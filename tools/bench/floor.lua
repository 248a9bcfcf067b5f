--[[
tools/bench/floor.lua -- what the operating system and LuaSocket themselves
cost, measured the same way as the widget (hostclock stopwatch, per call, in
microseconds), so that the widget's figures can be read as ratios to it.
Run by tools/bench.ts with the same interpreter as the widget:

  lua5.1 tools/bench/floor.lua [--iterations N] [--connects N] [--wrapper]

Measures, each as N separate timed iterations (median/p99/p99.9/max by
nearest rank over all samples):

  clock     hostclock.mark + elapsed_us with nothing between: the stopwatch's
            own cost, included in every figure
  idle      socket.select({c}, nil, 0) + c:receive(8192) on an idle connected
            loopback socket (nothing to read: "timeout")
  receive   c:receive(8192) alone on the same socket (what the widget calls
            each frame while connected)
  refused   a whole refused connect to a closed loopback port: socket.tcp(),
            settimeout(0), connect (answers "timeout": in progress), select
            until writable, connect again (answers "connection refused"),
            close
  refusedOpen    the first half: tcp + settimeout(0) + connect
  refusedFinish  the second half: select + connect again + close

--wrapper goes through the BAR-like host's LuaSocket wrapper
(test/host/barhost/sockets.lua: 2.0.2 look-alike, allow-list, counting)
instead of the real LuaSocket, to show what the host itself adds.

Prints one JSON line.
]]

local here = (arg and arg[0] or ""):match("^(.*)[/\\][^/\\]*$") or "."
package.path = here .. "/?.lua;" .. here .. "/../../test/host/?.lua;" .. package.path

local realSocket = require("socket")
local hostclock = require("hostclock")
local json = require("barhost.json")

local loop = require("loop")
local options = loop.options(
  arg,
  { iterations = 20000, connects = 2000, wrapper = false },
  { iterations = "number", connects = "number", wrapper = "flag" }
)
local iterations, connects, useWrapper = options.iterations, options.connects, options.wrapper

local socket = realSocket
if useWrapper then
  -- the host's events would go to stdout: silence them
  require("barhost.events").emit = function() end
  require("barhost.events").defer = function() end
  socket = require("barhost.sockets").new({ allow = "*", quiet = true }).api
end
local newTcp = useWrapper and socket.tcp or (realSocket.tcp4 or realSocket.tcp)

local SLOT = 1
local mark, elapsed = hostclock.mark, hostclock.elapsed_us

local summarise = loop.summarise

-- a listener and one idle connected client (blocking setup, untimed)
local server = assert(realSocket.tcp4 and realSocket.tcp4() or realSocket.tcp())
assert(server:setoption("reuseaddr", true))
assert(server:bind("127.0.0.1", 0))
assert(server:listen(8))
local _, serverPort = server:getsockname()

local client = assert(newTcp())
client:settimeout(2)
assert(client:connect("127.0.0.1", serverPort))
local accepted = assert(server:accept())
client:settimeout(0)

-- a port with no listener
local closedPort = require("ports").closedPort()

local watched = { client }
local select = socket.select

local function measureClock(n)
  local samples = {}
  for i = 1, n do
    mark(SLOT)
    samples[i] = elapsed(SLOT)
  end
  return summarise(samples)
end

local function measureIdle(n)
  local samples = {}
  for i = 1, n do
    mark(SLOT)
    select(watched, nil, 0)
    client:receive(8192)
    samples[i] = elapsed(SLOT)
  end
  return summarise(samples)
end

local function measureReceive(n)
  local samples = {}
  for i = 1, n do
    mark(SLOT)
    client:receive(8192)
    samples[i] = elapsed(SLOT)
  end
  return summarise(samples)
end

local function measureRefused(n)
  local whole, open, finish = {}, {}, {}
  local answers = {}
  local spins = 0
  for i = 1, n do
    mark(SLOT)
    local c = newTcp()
    c:settimeout(0)
    local _, err = c:connect("127.0.0.1", closedPort)
    local tOpen = elapsed(SLOT)
    answers["first: " .. tostring(err)] = (answers["first: " .. tostring(err)] or 0) + 1
    mark(SLOT + 1)
    local list = { c }
    while true do
      local _, writable = select(nil, list, 0)
      if writable[1] then
        break
      end
      spins = spins + 1
    end
    local _, err2 = c:connect("127.0.0.1", closedPort)
    c:close()
    local tFinish = elapsed(SLOT + 1)
    answers["second: " .. tostring(err2)] = (answers["second: " .. tostring(err2)] or 0) + 1
    whole[i] = elapsed(SLOT)
    open[i] = tOpen
    finish[i] = tFinish
  end
  return summarise(whole), summarise(open), summarise(finish), answers, spins
end

-- warm up, then measure; a full collection first so that garbage left by
-- setup is not collected inside a timed call
measureIdle(1000)
measureRefused(50)
collectgarbage("collect")
local clockStats = measureClock(iterations)
collectgarbage("collect")
local idle = measureIdle(iterations)
collectgarbage("collect")
local receive = measureReceive(iterations)
collectgarbage("collect")
local refused, refusedOpen, refusedFinish, answers, spins = measureRefused(connects)

client:close()
accepted:close()
server:close()

io.write(
  json.encode({
    numbers = (2 ^ 24 + 1 == 2 ^ 24) and "float" or "double",
    socket = realSocket._VERSION,
    wrapper = useWrapper,
    closedPort = closedPort,
    clock = clockStats,
    idle = idle,
    receive = receive,
    refused = refused,
    refusedOpen = refusedOpen,
    refusedFinish = refusedFinish,
    refusedAnswers = answers,
    refusedSelectSpins = spins,
  }),
  "\n"
)
