-- barhost/sockets.lua -- the widget's `socket` global: real LuaSocket, wrapped to
-- look like the engine's LuaSocket 2.0.2 (Recoil: rts/lib/luasocket) and to count.
--
-- What the wrapper adds to the real (Debian 3.x) LuaSocket:
-- * Only the 2.0.2 API: socket.tcp/udp/select/gettime/sleep/dns/connect/bind/
--   skip/newtry/protect/try, socket._VERSION = "LuaSocket 2.0.2"; tcp methods
--   accept bind close connect dirty getfd getpeername getsockname getstats
--   listen receive send setfd setoption setpeername setsockname settimeout
--   shutdown (no getoption/gettimeout/getfamily/class, no tcp6).
-- * IPv4 only, like the engine: sockets are created with socket.tcp4 when
--   available, host names are resolved to IPv4 before connecting, and an
--   address that does not resolve to IPv4 ("::1") gives "host not found".
-- * getpeername/getsockname return (ip, port) with a numeric port, or (nil,
--   "getpeername failed"), as 2.0.2 does (3.x adds a family, may give the port
--   as a string, and returns the OS error text).
-- * The engine's TCPAllowConnect allow-list (see parseRules): a denied connect
--   returns nil, "connect denied" and logs "Access to '<host>:<port>' denied".
--   After a denied connect the object counts as a client, as in the engine:
--   send/receive answer nil, "closed" and getpeername fails.
-- * Counting: every tcp object created (socket.tcp, socket.connect,
--   socket.bind, accept) and closed (first :close()). An object garbage-
--   collected without :close() counts as leaked (and is closed by the host).
-- * options.quiet (host --quiet-sockets): the events created, connect,
--   accepted and closed are not written (counting goes on); denied and
--   leaked still are.
-- * socket.select given a descriptor >= FD_SETSIZE (1024) is a host error (an
--   "error" event, then a Lua error): the engine's 2.0.2 does not check and
--   writes past its descriptor set. Created sockets report their fd.
-- * Name lookups are counted (counts.lookups) and each is a "dns" event
--   {name, via = "toip" | "connect", result}. socket.dns.toip behaves as the
--   engine's: the name must pass an allow-list entry with any port (a bare
--   "*"; TCPAllowListen has one), and the resolved address is added to every
--   entry naming the host (Recoil: rts/lib/luasocket/src/inet.cpp).
-- * Blocking calls are reported (they would freeze the game): socket.sleep,
--   socket.select with a timeout that is not 0, and connect/send/receive/accept
--   on an object whose timeout is not 0 (a new object blocks by default).
--
-- Wrapped objects are userdata (newproxy) whose metatable's __index holds the
-- methods, so socket.select accepts them (it looks up getfd/dirty through
-- __index) and returns the wrapped objects themselves.

local realSocket = require("socket")
local events = require("barhost.events")

local M = {}

local floor = math.floor

-- ---------------------------------------------------------------------------
-- Allow-lists (Recoil: rts/lib/luasocket/src/restrictions.cpp, re-implemented)

local WILDCARD_HOST, WILDCARD_PORT = "*", -1
local RULE_TYPES = { TCP_CONNECT = 0, TCP_LISTEN = 1, UDP_LISTEN = 2, UDP_CONNECT = 3 }

local function atoi(s)
  local digits = s:match("^%s*([+-]?%d+)")
  return digits and tonumber(digits) or 0
end

local function getRule(rules, host, port)
  for _, rule in ipairs(rules) do
    if (host == rule.host or rule.host == WILDCARD_HOST) and (rule.port == WILDCARD_PORT or rule.port == port) then
      return rule
    end
  end
  return nil
end

local function engineLog(text)
  events.emit({ type = "log", source = "engine", section = "LuaSocket", level = 50, levelName = "error", text = text })
end

local function addRule(rules, kind, host, port)
  if port ~= WILDCARD_PORT and (port <= 0 or port > 65535) then
    engineLog(string.format("Invalid port specified: %d", port))
    return
  end
  if getRule(rules, host, port) then
    engineLog(string.format("Rule already exists: %s %d", host, port))
    return
  end
  rules[#rules + 1] = { host = host, port = port }
end

--- Parse an allow-list string: entries separated by whitespace; "*" allows
--- everything; "host:port" with host compared as the exact string given to
--- connect, "*" as host meaning any host; the port goes through atoi, so
--- "host:*" is an invalid rule (port 0) and is ignored with an error log.
function M.parseRules(str, kind)
  local rules = {}
  for token in tostring(str or ""):gmatch("%S+") do
    if token == WILDCARD_HOST then
      rules[#rules + 1] = { host = WILDCARD_HOST, port = WILDCARD_PORT }
    else
      local colon = token:find(":", 1, true)
      if not colon then
        engineLog(
          string.format("Invalid %d rule: %s, rule has to be hostname:port", RULE_TYPES[kind] or 0, token)
        )
      else
        addRule(rules, kind, token:sub(1, colon - 1), atoi(token:sub(colon + 1)))
      end
    end
  end
  return rules
end

-- ---------------------------------------------------------------------------

--- Create the socket world for one host process. Counters and rules live here
--- and survive LuaUI reloads.
function M.new(options)
  local world = {
    -- connects, connectsAgain: first and later tcp connect calls on a socket
    -- (to time the Update frames that make them)
    counts = { created = 0, closed = 0, leaked = 0, connects = 0, connectsAgain = 0, lookups = 0 },
    udpCounts = { created = 0, closed = 0, leaked = 0 },
    blocking = {},
    allowString = options.allow or "*",
  }
  local tcpConnectRules = M.parseRules(world.allowString, "TCP_CONNECT")
  local tcpListenRules = M.parseRules("*", "TCP_LISTEN")
  local udpConnectRules = M.parseRules("", "UDP_CONNECT")
  local udpListenRules = M.parseRules("*", "UDP_LISTEN")
  local nextId = 0
  local loud = options.quiet ~= true

  function world.setAllow(str)
    world.allowString = str
    tcpConnectRules = M.parseRules(str, "TCP_CONNECT")
  end

  function world.snapshot()
    local c = world.counts
    return {
      created = c.created,
      closed = c.closed,
      leaked = c.leaked,
      open = c.created - c.closed - c.leaked,
    }
  end

  local function socketEvent(action, st, extra)
    local ev = extra or {}
    ev.type = "socket"
    ev.action = action
    ev.id = st.id
    ev.kind = st.kind
    ev.counts = world.snapshot()
    return ev
  end

  local function reportBlocking(name, detail)
    local n = (world.blocking[name] or 0) + 1
    world.blocking[name] = n
    if n == 1 then
      events.emit({ type = "blocking_call", name = name, detail = detail })
    end
  end

  -- Like the engine's isAllowed() + addIP() around connect/bind.
  local function allowed(rules, address, port)
    if getRule(rules, address, port) then
      return true
    end
    engineLog(string.format("Access to '%s:%d' denied", address, port))
    return false
  end

  local function addIP(hostname, ip)
    for _, rules in ipairs({ tcpConnectRules, tcpListenRules, udpConnectRules, udpListenRules }) do
      local copies = {}
      for _, rule in ipairs(rules) do
        if rule.host == hostname and not getRule(rules, ip, rule.port) then
          copies[#copies + 1] = { host = ip, port = rule.port }
        end
      end
      for _, c in ipairs(copies) do
        rules[#rules + 1] = c
      end
    end
  end

  -- A name lookup, counted and reported. IPv4 only: returns ip or nil, error.
  local function lookup(address, via)
    world.counts.lookups = world.counts.lookups + 1
    local ip = realSocket.dns.toip(address)
    if not ip or not ip:find("^%d+%.%d+%.%d+%.%d+$") then
      events.emit({ type = "dns", name = address, via = via, result = "host not found" })
      return nil, "host not found"
    end
    events.emit({ type = "dns", name = address, via = via, result = ip })
    addIP(address, ip)
    return ip
  end

  local function resolve(address)
    if address == "*" or address:find("^%d+%.%d+%.%d+%.%d+$") then
      return address
    end
    return lookup(address, "connect")
  end

  local function checkAddress(fname, address, port)
    local ta = type(address)
    if ta ~= "string" and ta ~= "number" then
      error(string.format("bad argument #1 to '%s' (string expected, got %s)", fname, ta), 3)
    end
    local p = tonumber(port)
    if not p then
      error(string.format("bad argument #2 to '%s' (number expected, got %s)", fname, type(port)), 3)
    end
    return tostring(address), floor(p) % 65536
  end

  -- What the engine does before a bind or setsockname reaches the socket: the
  -- listen allow-list, then name resolution. Returns ip, port or nil, error.
  local function admitListen(rules, host, p)
    if not allowed(rules, host, p) then
      return nil, "bind denied"
    end
    local ip, rerr = resolve(host)
    if not ip then
      return nil, rerr
    end
    return ip, p
  end

  -- state[proxy] = { real, id, kind, class, closed, timeout, ... }
  local state = setmetatable({}, { __mode = "k" })

  local function stateOf(self, fname, kind)
    local st = state[self]
    if not st or st.kind ~= kind then
      error(string.format("bad argument #1 to '%s' (%s expected)", fname, kind), 3)
    end
    return st
  end

  local function isBlocking(st)
    local t = st.timeout
    return t == nil or t < 0 or t > 0
  end

  local function realClass(st)
    return tostring(st.real):match("^%a+{(%a+)}") or "?"
  end

  -- An object whose connect was denied never reached the real socket: it is
  -- still a master in LuaSocket 3 but a client in the engine.
  local function unconnectedClient(st)
    return st.class == "client" and realClass(st) == "master"
  end

  local tcpMethods, udpMethods = {}, {}
  local wrap

  -- tcp --------------------------------------------------------------------

  function tcpMethods.connect(self, address, port)
    local st = stateOf(self, "connect", "tcp")
    local host, p = checkAddress("connect", address, port)
    st.class = "client"
    -- a socket's first connect starts the attempt; later ones probe or learn the result
    st.connectCalls = (st.connectCalls or 0) + 1
    if st.connectCalls == 1 then
      world.counts.connects = world.counts.connects + 1
    else
      world.counts.connectsAgain = world.counts.connectsAgain + 1
    end
    if not allowed(tcpConnectRules, host, p) then
      events.emit(socketEvent("denied", st, { host = host, port = p }))
      return nil, "connect denied"
    end
    if isBlocking(st) then
      reportBlocking("tcp:connect", "timeout " .. tostring(st.timeout or "blocking"))
    end
    local ip, rerr = resolve(host)
    local ok, err
    if not ip then
      ok, err = nil, rerr
    else
      ok, err = st.real:connect(ip, p)
    end
    if loud then
      events.emit(socketEvent("connect", st, { host = host, port = p, result = ok and "ok" or tostring(err) }))
    end
    if ok then
      return 1
    end
    return nil, err
  end
  tcpMethods.setpeername = tcpMethods.connect

  function tcpMethods.bind(self, address, port)
    local st = stateOf(self, "bind", "tcp")
    local ip, p = admitListen(tcpListenRules, checkAddress("bind", address, port))
    if not ip then
      return nil, p
    end
    local ok, err = st.real:bind(ip, p)
    if ok then
      return 1
    end
    return nil, err
  end
  tcpMethods.setsockname = tcpMethods.bind

  function tcpMethods.listen(self, backlog)
    local st = stateOf(self, "listen", "tcp")
    local ok, err = st.real:listen(backlog)
    if ok then
      st.class = "server"
      return 1
    end
    return nil, err
  end

  function tcpMethods.accept(self)
    local st = stateOf(self, "accept", "tcp")
    if isBlocking(st) then
      reportBlocking("tcp:accept", "timeout " .. tostring(st.timeout or "blocking"))
    end
    local client, err = st.real:accept()
    if not client then
      return nil, err
    end
    local proxy, cst = wrap(client, "tcp")
    cst.class = "client"
    if loud then
      events.emit(socketEvent("accepted", cst, {}))
    end
    return proxy
  end

  function tcpMethods.send(self, data, i, j)
    local st = stateOf(self, "send", "tcp")
    if unconnectedClient(st) then
      return nil, "closed", (i or 1) - 1
    end
    if isBlocking(st) then
      reportBlocking("tcp:send", "timeout " .. tostring(st.timeout or "blocking"))
    end
    return st.real:send(data, i, j)
  end

  function tcpMethods.receive(self, pattern, prefix)
    local st = stateOf(self, "receive", "tcp")
    if unconnectedClient(st) then
      return nil, "closed", prefix or ""
    end
    if isBlocking(st) then
      reportBlocking("tcp:receive", "timeout " .. tostring(st.timeout or "blocking"))
    end
    return st.real:receive(pattern, prefix)
  end

  function tcpMethods.getpeername(self)
    local st = stateOf(self, "getpeername", "tcp")
    if unconnectedClient(st) then
      return nil, "getpeername failed"
    end
    local ip, port = st.real:getpeername()
    if ip then
      return ip, tonumber(port)
    end
    return nil, "getpeername failed"
  end

  function tcpMethods.getsockname(self)
    local st = stateOf(self, "getsockname", "tcp")
    local ip, port = st.real:getsockname()
    if ip then
      return ip, tonumber(port)
    end
    return nil, "getsockname failed"
  end

  function tcpMethods.settimeout(self, t, mode)
    local st = stateOf(self, "settimeout", "tcp")
    if mode == nil or mode == "b" or mode == "block" then
      st.timeout = tonumber(t)
    end
    return st.real:settimeout(t, mode)
  end

  function tcpMethods.close(self)
    local st = stateOf(self, "close", "tcp")
    if not st.closed then
      st.closed = true
      world.counts.closed = world.counts.closed + 1
      st.real:close()
      if loud then
        events.emit(socketEvent("closed", st, {}))
      end
    end
    return 1
  end

  function tcpMethods.shutdown(self, how)
    local st = stateOf(self, "shutdown", "tcp")
    if unconnectedClient(st) then
      return 1
    end
    return st.real:shutdown(how)
  end

  for _, name in ipairs({ "dirty", "getfd", "setfd", "getstats", "setstats", "setoption" }) do
    tcpMethods[name] = function(self, ...)
      local st = stateOf(self, name, "tcp")
      local real = st.real
      return real[name](real, ...)
    end
  end

  -- udp --------------------------------------------------------------------

  function udpMethods.setpeername(self, address, port)
    local st = stateOf(self, "setpeername", "udp")
    if address == "*" then
      return st.real:setpeername("*")
    end
    local host, p = checkAddress("setpeername", address, port)
    if not allowed(udpConnectRules, host, p) then
      return nil, "connect denied"
    end
    local ip, rerr = resolve(host)
    if not ip then
      return nil, rerr
    end
    return st.real:setpeername(ip, p)
  end

  function udpMethods.setsockname(self, address, port)
    local st = stateOf(self, "setsockname", "udp")
    local ip, p = admitListen(udpListenRules, checkAddress("setsockname", address, port))
    if not ip then
      return nil, p
    end
    return st.real:setsockname(ip, p)
  end

  function udpMethods.close(self)
    local st = stateOf(self, "close", "udp")
    if not st.closed then
      st.closed = true
      world.udpCounts.closed = world.udpCounts.closed + 1
      st.real:close()
    end
    return 1
  end

  function udpMethods.settimeout(self, t)
    local st = stateOf(self, "settimeout", "udp")
    st.timeout = tonumber(t)
    return st.real:settimeout(t)
  end

  for _, name in ipairs({
    "dirty",
    "getfd",
    "setfd",
    "getpeername",
    "getsockname",
    "receive",
    "receivefrom",
    "send",
    "sendto",
    "setoption",
  }) do
    udpMethods[name] = function(self, ...)
      local st = stateOf(self, name, "udp")
      local real = st.real
      return real[name](real, ...)
    end
  end

  -- wrapping ----------------------------------------------------------------

  local function finalise(proxy)
    local st = state[proxy]
    if not st or st.closed then
      return
    end
    st.closed = true
    local counts = st.kind == "tcp" and world.counts or world.udpCounts
    counts.leaked = counts.leaked + 1
    pcall(st.real.close, st.real)
    if st.kind == "tcp" then
      events.defer(socketEvent("leaked", st, {}))
    end
  end

  function wrap(real, kind)
    nextId = nextId + 1
    local proxy = newproxy(true)
    local mt = getmetatable(proxy)
    local st = { real = real, id = nextId, kind = kind, class = "master", closed = false, timeout = nil }
    state[proxy] = st
    mt.__index = kind == "tcp" and tcpMethods or udpMethods
    mt.__gc = finalise
    mt.__tostring = function()
      local addr = tostring(real):match(":%s*(.*)$") or tostring(st.id)
      if kind == "tcp" then
        return string.format("tcp{%s}: %s", st.class, addr)
      end
      return string.format("udp{%s}: %s", st.class == "master" and "unconnected" or st.class, addr)
    end
    local counts = kind == "tcp" and world.counts or world.udpCounts
    counts.created = counts.created + 1
    if kind == "tcp" and loud then
      events.emit(socketEvent("created", st, { fd = real:getfd() }))
    end
    return proxy, st
  end

  -- the module table ----------------------------------------------------------

  local api = { _VERSION = "LuaSocket 2.0.2" }

  function api.tcp()
    local real, err = (realSocket.tcp4 or realSocket.tcp)()
    if not real then
      return nil, err
    end
    return (wrap(real, "tcp"))
  end

  function api.udp()
    local real, err = (realSocket.udp4 or realSocket.udp)()
    if not real then
      return nil, err
    end
    return (wrap(real, "udp"))
  end

  function api.select(recvt, sendt, timeout)
    if timeout == nil or timeout < 0 or timeout > 0 then
      reportBlocking("socket.select", "timeout " .. tostring(timeout or "blocking"))
    end
    for _, list in ipairs({ recvt or {}, sendt or {} }) do
      for _, s in ipairs(list) do
        local fd = s.getfd and s:getfd()
        if fd and fd >= 1024 then
          local message = string.format(
            "socket.select given descriptor %d: FD_SETSIZE is 1024, and the engine's LuaSocket 2.0.2 would write past its set",
            fd
          )
          events.emit({ type = "error", kind = "host", where = "socket.select", message = message })
          error(message, 2)
        end
      end
    end
    return realSocket.select(recvt, sendt, timeout)
  end

  function api.sleep(seconds)
    reportBlocking("socket.sleep", tostring(seconds))
    return realSocket.sleep(seconds)
  end

  api.gettime = realSocket.gettime
  api.skip = realSocket.skip
  api.newtry = realSocket.newtry
  api.protect = realSocket.protect
  api.try = realSocket.try
  -- Like the engine's inet_global_toip: any rule list, any port.
  local function nameAllowed(name)
    for _, rules in ipairs({ tcpConnectRules, tcpListenRules, udpConnectRules, udpListenRules }) do
      for _, rule in ipairs(rules) do
        if (rule.host == name or rule.host == WILDCARD_HOST) and rule.port == WILDCARD_PORT then
          return true
        end
      end
    end
    return false
  end

  api.dns = {
    toip = function(name)
      if type(name) ~= "string" then
        error("bad argument #1 to 'toip' (string expected, got " .. type(name) .. ")", 2)
      end
      if not nameAllowed(name) then
        engineLog(string.format("Access to '%s' denied", name))
        return nil, "hostname not in allowed list"
      end
      if name:find("^%d+%.%d+%.%d+%.%d+$") then
        return name, { name = name, alias = {}, ip = { name } }
      end
      local ip, err = lookup(name, "toip")
      if not ip then
        return nil, err
      end
      return ip, { name = name, alias = {}, ip = { ip } }
    end,
    tohostname = realSocket.dns.tohostname,
    gethostname = realSocket.dns.gethostname,
  }

  -- socket.lua helpers of 2.0.2: on failure the half-made object is left to
  -- the garbage collector (so it shows up as leaked here).
  function api.connect(address, port, laddress, lport)
    local sock, err = api.tcp()
    if not sock then
      return nil, err
    end
    if laddress then
      local res, berr = sock:bind(laddress, lport, -1)
      if not res then
        return nil, berr
      end
    end
    local res, cerr = sock:connect(address, port)
    if not res then
      return nil, cerr
    end
    return sock
  end

  function api.bind(host, port, backlog)
    local sock, err = api.tcp()
    if not sock then
      return nil, err
    end
    sock:setoption("reuseaddr", true)
    local res, berr = sock:bind(host, port)
    if not res then
      return nil, berr
    end
    res, berr = sock:listen(backlog)
    if not res then
      return nil, berr
    end
    return sock
  end

  world.api = api
  return world
end

return M
