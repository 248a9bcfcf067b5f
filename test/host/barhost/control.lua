-- barhost/control.lua -- the driver's control connection (see host.lua for the
-- protocol). Uses the real LuaSocket directly: never counted, never subject to
-- the allow-list. Reads are non-blocking and polled once per frame; replies
-- are buffered and flushed without blocking (partial sends are resumed).

local socket = require("socket")
local json = require("barhost.json")

local Control = {}
Control.__index = Control

--- Connect to the driver at 127.0.0.1:port (blocking, 5 s, before any frame).
function Control.connect(port)
  local sock = (socket.tcp4 or socket.tcp)()
  sock:settimeout(5)
  local ok, err = sock:connect("127.0.0.1", port)
  if not ok then
    sock:close()
    return nil, err
  end
  sock:settimeout(0)
  sock:setoption("tcp-nodelay", true)
  return setmetatable({ sock = sock, inbuf = "", outbuf = "", closed = false }, Control)
end

--- Complete command lines received since the last poll.
function Control:poll()
  local lines = {}
  if self.closed then
    return lines
  end
  while true do
    local data, err, partial = self.sock:receive(8192)
    local chunk = data or partial
    if chunk and #chunk > 0 then
      self.inbuf = self.inbuf .. chunk
    end
    if not data then
      if err == "closed" then
        self.closed = true
      end
      break
    end
  end
  while true do
    local nl = self.inbuf:find("\n", 1, true)
    if not nl then
      break
    end
    local line = self.inbuf:sub(1, nl - 1):gsub("\r$", "")
    self.inbuf = self.inbuf:sub(nl + 1)
    lines[#lines + 1] = line
  end
  return lines
end

function Control:reply(tbl)
  if self.closed then
    return
  end
  if self.stamp then
    self.stamp(tbl)
  end
  self.outbuf = self.outbuf .. json.encode(tbl) .. "\n"
  self:flush()
end

function Control:flush()
  while not self.closed and #self.outbuf > 0 do
    local last, err, sent = self.sock:send(self.outbuf)
    local n = last or sent or 0
    if n > 0 then
      self.outbuf = self.outbuf:sub(n + 1)
    end
    if not last then
      if err == "closed" then
        self.closed = true
      end
      return
    end
  end
end

--- Connect to the driver through the Unix socket at `path` (blocking, 5 s): a host
--- started in its own network namespace cannot reach the driver's 127.0.0.1.
function Control.connectUnix(path)
  local ok, unix = pcall(require, "socket.unix")
  if not ok then
    return nil, "socket.unix is not available: " .. tostring(unix)
  end
  local sock = (type(unix) == "table" and unix.stream or unix)()
  sock:settimeout(5)
  local done, err = sock:connect(path)
  if not done then
    sock:close()
    return nil, err
  end
  sock:settimeout(0)
  return setmetatable({ sock = sock, inbuf = "", outbuf = "", closed = false }, Control)
end

--- Before exit: push out what is left, waiting up to `seconds`.
function Control:drain(seconds)
  if self.closed then
    return
  end
  self.sock:settimeout(seconds)
  if #self.outbuf > 0 then
    self.sock:send(self.outbuf)
    self.outbuf = ""
  end
  self.sock:close()
  self.closed = true
end

return Control
