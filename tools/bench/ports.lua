-- tools/bench/ports.lua -- a loopback port nobody listens on, for refused
-- connects. Taken below the range the system hands out for port 0 (Linux:
-- /proc/sys/net/ipv4/ip_local_port_range), so that a listener started later
-- (another program's, or the host's own control connection) is not given it,
-- and checked free by binding it once.

local socket = require("socket")

local M = {}

local function ephemeralLow()
  local f = io.open("/proc/sys/net/ipv4/ip_local_port_range", "r")
  if f then
    local low = tonumber((f:read("*l") or ""):match("^%s*(%d+)"))
    f:close()
    if low and low > 2048 then
      return low
    end
  end
  return 32768
end

function M.closedPort()
  local high = ephemeralLow() - 1
  local low = math.max(1024, high - 12000)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6) % 100000)
  for _ = 1, 50 do
    local port = math.random(low, high)
    local s = (socket.tcp4 or socket.tcp)()
    local ok = s:bind("127.0.0.1", port)
    s:close()
    if ok then
      return port
    end
  end
  error("no free port found between " .. low .. " and " .. high)
end

return M
