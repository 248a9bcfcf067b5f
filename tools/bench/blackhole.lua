--[[
tools/bench/blackhole.lua -- a loopback listener that never answers a new
connect, for the "pending connect" situation of tools/bench.ts.

It listens with an accept backlog of 0 and fills that backlog with one
connection it never accepts. Linux then drops further SYNs to the port, so a
client's connect stays "in progress" until its own timeout (the kernel
retries the SYN for about two minutes, net.ipv4.tcp_syn_retries = 6). Before
reporting, it checks that this really happens on this machine: a probe
connect must still be pending after --verify seconds.

  lua5.1 tools/bench/blackhole.lua [--verify SECONDS]

Prints one JSON line {port, pending, probe, filler} and then keeps the
sockets open until its standard input is closed (the parent exits or closes
the pipe).
]]

local here = (arg and arg[0] or ""):match("^(.*)[/\\][^/\\]*$") or "."
package.path = here .. "/../../test/host/?.lua;" .. package.path

local socket = require("socket")
local json = require("barhost.json")

local verify = 1
if arg[1] == "--verify" then
  verify = assert(tonumber(arg[2]), "--verify needs a number of seconds")
end

local newTcp = socket.tcp4 or socket.tcp

local listener = assert(newTcp())
assert(listener:setoption("reuseaddr", true))
assert(listener:bind("127.0.0.1", 0))
assert(listener:listen(0))
local _, port = listener:getsockname()
port = tonumber(port)

local function nonBlockingConnect()
  local c = assert(newTcp())
  c:settimeout(0)
  c:connect("127.0.0.1", port)
  return c
end

local function completed(c)
  local _, writable = socket.select(nil, { c }, 0)
  return writable[1] ~= nil
end

-- fill the backlog: one connection completes and is never accepted
local filler = nonBlockingConnect()
local deadline = socket.gettime() + 2
while not completed(filler) and socket.gettime() < deadline do
  socket.sleep(0.01)
end
local fillerState = completed(filler) and (filler:getpeername() and "connected" or "failed") or "pending"

-- a probe must now stay pending
local probe = nonBlockingConnect()
socket.sleep(verify)
local probeState = "pending"
if completed(probe) then
  probeState = probe:getpeername() and "connected" or "failed"
end
probe:close()

io.write(
  json.encode({
    port = port,
    pending = fillerState == "connected" and probeState == "pending",
    filler = fillerState,
    probe = probeState,
    verifiedSeconds = verify,
  }),
  "\n"
)
io.stdout:flush()

-- hold everything open until the parent closes our stdin
io.read("*a")
filler:close()
listener:close()
