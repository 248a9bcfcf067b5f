-- Test library for the unit tests: runs under Lua 5.1 and 5.3 (fengari).
-- Provides a JSON encoder for results, a manual clock, a scriptable imitation of
-- the engine's LuaSocket 2.0.2, Spring/gl stubs that record, and a loader that runs
-- the widget bundle in a BAR-like environment (no _G, require, package, load).
local T = {}

local unpack = unpack or table.unpack

-- JSON ---------------------------------------------------------------------

local function encodeString(s)
  return '"' .. s:gsub('[%c"\\\128-\255]', function(c)
    local b = c:byte()
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    if c == "\n" then return "\\n" end
    return string.format("\\u%04x", b)
  end) .. '"'
end

local function isArray(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  if n == 0 then return false end
  for i = 1, n do
    if t[i] == nil then return false end
  end
  return true
end

function T.json(v)
  local kind = type(v)
  if v == nil then return "null" end
  if kind == "boolean" then return tostring(v) end
  if kind == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    if v == math.floor(v) and math.abs(v) < 1e15 then return string.format("%d", v) end
    return string.format("%.17g", v)
  end
  if kind == "string" then return encodeString(v) end
  if kind == "table" then
    local parts = {}
    if isArray(v) then
      for i = 1, #v do parts[i] = T.json(v[i]) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local value = v[k]
      if value == nil then value = v[tonumber(k)] end
      parts[#parts + 1] = encodeString(k) .. ":" .. T.json(value)
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return encodeString("<" .. kind .. ">")
end

-- Clock ----------------------------------------------------------------------

-- Implements the widget's Clock interface (called as clock:now()).
function T.newClock(start)
  local clock = { t = start or 0 }
  function clock:now() return self.t end
  function clock:advance(seconds) self.t = self.t + seconds end
  return clock
end

-- LuaSocket imitation --------------------------------------------------------

-- Each socket is a small model of a TCP endpoint that the test steers by setting
-- fields: `phase` ("pending", "connected", "failed"), `failError`, `inbox` (bytes
-- the peer sent), `peerClosed`, `sendCapacity` (bytes the kernel accepts before a
-- send would block), `sendError` (the next send fails with it), `windows` (a failed
-- connect never shows as writable, as on Windows).
function T.newSocketLib()
  local lib = { created = 0, closed = 0, sockets = {}, plan = {}, calls = {} }
  local Socket = {}
  Socket.__index = Socket

  local function note(name) lib.calls[#lib.calls + 1] = name end

  function lib.tcp()
    note("tcp")
    if lib.plan.tcpError then return nil, lib.plan.tcpError end
    local s = setmetatable({
      phase = "pending", connectCalls = 0, inbox = "", sent = "",
      sendCapacity = math.huge, options = {}, closed = false,
    }, Socket)
    for k, v in pairs(lib.plan) do s[k] = v end
    lib.created = lib.created + 1
    lib.sockets[#lib.sockets + 1] = s
    lib.last = s
    return s
  end

  function lib.select(recvt, sendt, timeout)
    note("select")
    assert(timeout == 0, "select must not wait")
    local readable, writable = {}, {}
    for _, s in ipairs(sendt or {}) do
      if not s.closed and (s.phase == "connected" or (s.phase == "failed" and not s.windows)) then
        writable[#writable + 1] = s
        writable[s] = true
      end
    end
    for _, s in ipairs(recvt or {}) do
      if s.inbox ~= "" or s.peerClosed then readable[#readable + 1] = s; readable[s] = true end
    end
    if #readable == 0 and #writable == 0 then return readable, writable, "timeout" end
    return readable, writable
  end

  function Socket:settimeout(t)
    self.timeout = t
    return 1
  end

  function Socket:connect(host, port)
    assert(self.timeout == 0, "connect on a blocking socket")
    self.connectCalls = self.connectCalls + 1
    self.host, self.port = host, port
    if self.closed then return nil, "closed" end
    if self.connectCalls == 1 then
      local first = self.firstConnect or "timeout"
      if first == "ok" then self.phase = "connected"; return 1 end
      if first ~= "timeout" then self.phase = "failed"; self.failError = first end
      return nil, first
    end
    if self.phase == "connected" then return nil, "already connected" end
    if self.phase == "failed" then return nil, self.probeError or self.failError or "connection refused" end
    return nil, self.pendingProbe or "Operation already in progress"
  end

  function Socket:getpeername()
    if self.phase == "connected" and not self.closed then return "127.0.0.1", self.port end
    return nil, "getpeername failed"
  end

  -- A local address that never equals the peer's (set `selfConnect` to make it so).
  function Socket:getsockname()
    if self.selfConnect then return self:getpeername() end
    return "127.0.0.1", 40000 + (self.index or 0)
  end

  function Socket:getfd() return self.fd or 7 end

  function Socket:receive(count)
    assert(self.timeout == 0, "receive on a blocking socket")
    assert(type(count) == "number", "the widget must read a bounded number of bytes")
    if self.closed then return nil, "closed" end
    local data = self.inbox:sub(1, count)
    self.inbox = self.inbox:sub(count + 1)
    if #data == count then return data end
    if self.peerClosed then return nil, self.closeError or "closed", data end
    return nil, "timeout", data
  end

  function Socket:send(data, i, j)
    assert(self.timeout == 0, "send on a blocking socket")
    i = i or 1
    j = j or #data
    if self.closed then return nil, "closed", i - 1 end
    if self.sendError then return nil, self.sendError, i - 1 end
    local room = math.min(self.sendCapacity, j - i + 1)
    self.sent = self.sent .. data:sub(i, i + room - 1)
    if self.sendCapacity ~= math.huge then self.sendCapacity = self.sendCapacity - room end
    if i + room - 1 >= j then return j end
    return nil, "timeout", i + room - 1
  end

  function Socket:setoption(name, value)
    self.options[name] = value
    return 1
  end

  function Socket:close()
    if not self.closed then
      self.closed = true
      lib.closed = lib.closed + 1
    end
    return 1
  end

  return lib
end

-- Sandbox --------------------------------------------------------------------

local function loadIn(source, name, env)
  if setfenv then
    local chunk, err = loadstring(source, name)
    if not chunk then error(err, 0) end
    setfenv(chunk, env)
    return chunk
  end
  local chunk, err = load(source, name, "t", env)
  if not chunk then error(err, 0) end
  return chunk
end

-- Builds a BAR-like widget environment around the given engine stubs. Only what
-- BAR's System table offers is there: no _G, require, package, load, newproxy.
function T.newWidgetEnv(engine)
  local System = {
    Spring = engine.Spring, gl = engine.gl, socket = engine.socket, Platform = engine.Platform,
    os = { clock = os.clock, date = os.date, time = os.time },
    math = math, string = string, table = table, coroutine = coroutine, debug = debug,
    pcall = pcall, xpcall = xpcall, select = select, unpack = unpack, type = type,
    tostring = tostring, tonumber = tonumber, error = error, assert = assert,
    pairs = pairs, ipairs = ipairs, next = next, setmetatable = setmetatable,
    getmetatable = getmetatable, rawget = rawget, rawset = rawset, rawequal = rawequal,
    print = print, collectgarbage = collectgarbage,
  }
  local widget = {}
  widget.widget = widget
  widget.WG = engine.WG or {}
  widget.widgetHandler = engine.widgetHandler
  setmetatable(widget, { __index = System, __metatable = true })
  return widget
end

-- Loads the spec bundle (build/tests.lua) in a widget-like sandbox; returns its runner.
-- repoFiles: { [path] = text } of repository files specs may read (see repoFile in
-- test/lua/framework.ts); the sandbox itself has no file access.
function T.loadSpecs(bundleSource, repoFiles)
  return T.compileSpecs(bundleSource, repoFiles)()
end

-- Compiles the spec bundle once and returns a function that runs it afresh, in a new
-- sandbox, and returns the new runner: every module's state starts over (the bundle's
-- module table is local to the chunk) without parsing 600 KB of Lua again per test.
function T.compileSpecs(bundleSource, repoFiles)
  local chunk = loadIn(bundleSource, "=tests.lua", {})
  return function()
    local env = T.newWidgetEnv(T.newEngine(T.newClock(0)))
    env.REPO_FILES = repoFiles or {}
    if setfenv then
      setfenv(chunk, env)
    else
      -- Lua 5.2+: a main chunk's only upvalue is _ENV.
      debug.setupvalue(chunk, 1, env)
    end
    return chunk()
  end
end

-- Runs the bundle exactly as BAR does (its entry point assigns the call-ins).
function T.loadWidget(bundleSource, env)
  local result = loadIn(bundleSource, "=api_live_data_export.lua", env)()
  return result
end

-- Engine stubs that record what the widget does.
function T.newEngine(clock)
  local engine = { echoes = {}, texts = {}, actions = {}, removedActions = {}, callIns = {}, WG = {} }
  engine.socket = T.newSocketLib()
  local timerOrigin = {}
  engine.Spring = {
    Echo = function(...)
      local parts = {}
      for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
      engine.echoes[#engine.echoes + 1] = table.concat(parts, ", ")
    end,
    GetTimer = function() return { t = clock.t } end,
    GetTimerMicros = function() return { t = clock.t } end, -- same stub: DiffTimers reads seconds
    DiffTimers = function(later, earlier, ms)
      local d = later.t - earlier.t
      if ms then return d * 1000 end
      return d
    end,
    GetViewGeometry = function() return 1920, 1080, 0, 0 end,
    -- The game, as an empty one (no team, no player), like the host without a world:
    -- the widget's game reader and its collection and session run, with nothing to read.
    GetGameFrame = function() return 0, 0 end,
    GetGameSeconds = function() return 0 end,
    GetGameSpeed = function() return 1, 1, false end,
    IsGameOver = function() return false end,
    IsReplay = function() return false end,
    GetSpectatingState = function() return false, false, false end,
    GetMyPlayerID = function() return 0 end,
    GetMyTeamID = function() return 0 end,
    GetMyAllyTeamID = function() return 0 end,
    GetTeamList = function() return {} end,
    GetPlayerList = function() return {} end,
    GetGaiaTeamID = function() return nil end,
    GetGameRulesParam = function() return nil end,
    GetUnitDefID = function() return nil end,
    GetUnitTeam = function() return nil end,
    GetUnitPosition = function() return nil end,
    GetUnitHealth = function() return nil end,
    GetUnitIsBeingBuilt = function() return nil end,
  }
  setmetatable(engine.Spring, { __index = function(_, key) error("Spring." .. tostring(key) .. " is not stubbed", 2) end })
  engine.gl = {
    Text = function(text, x, y, size, options)
      engine.texts[#engine.texts + 1] = { text = text, x = x, y = y, size = size, options = options }
    end,
  }
  engine.widgetHandler = {
    AddAction = function(_, cmd, func, data, types)
      engine.actions[cmd] = { func = func, types = types }
      return true
    end,
    RemoveAction = function(_, cmd, types)
      engine.actions[cmd] = nil
      engine.removedActions[#engine.removedActions + 1] = cmd
      return true
    end,
    -- Call-ins added and removed at run time (UnitDamaged), by name.
    UpdateCallIn = function(_, name) engine.callIns[name] = true end,
    RemoveCallIn = function(_, name) engine.callIns[name] = false end,
  }
  -- Types a chat command the way BAR's handler dispatches text actions.
  function engine.type(line)
    local words = {}
    for w in line:gmatch("%S+") do words[#words + 1] = w end
    local action = engine.actions[words[1]]
    if not action then return false end
    local argLine = line:match("^%S+%s+(.*)$") or ""
    local rest = { unpack(words, 2) }
    return action.func(words[1], argLine, rest, nil, false, nil)
  end
  return engine
end

return T
