-- barhost/engine.lua -- stubs for what the engine gives LuaUI (Spring, gl, LOG,
-- Game, ...) and the `System` table of BAR's luaui/system.lua built from them.
--
-- Rules:
-- * Spring and gl are strict: reading a function the stub does not provide
--   reports an "unprovided" event and returns a function that raises
--   "Spring.<name> is not provided by the BAR-like host" when called, so every
--   engine function the widget depends on is noticed. Add stubs here when the
--   widget needs them, and keep them faithful to the engine (sources named).
-- * Data tables (Game, Engine, Platform, LOG, GL, CMD, CMDTYPE) return nil for
--   unknown keys, as the engine does, but report an "unprovided" field event.
-- * VFS, Script, RmlUi and Json offer nothing: any function read from them
--   raises when called (BAR's Json is not valid JSON: recoil-runtime.md §9).
-- * System holds only what luaui/system.lua offers and the engine really has:
--   no _G, require, package, load, newproxy, module, dofile, loadfile.

local events = require("barhost.events")
local clock = require("barhost.clock")

local engine = {}

local floor = math.floor
local format = string.format

-- ---------------------------------------------------------------------------
-- helpers

local function reportUnprovided(name, kind, seen)
  if not seen[name] then
    seen[name] = true
    events.emit({ type = "unprovided", name = name, kind = kind })
  end
end

--- A table of functions whose unknown keys yield raising functions.
local function strictFunctions(prefix, tbl, seen)
  local missing = {}
  return setmetatable(tbl, {
    __index = function(_, key)
      if type(key) ~= "string" then
        return nil
      end
      local name = prefix .. "." .. key
      reportUnprovided(name, "function", seen)
      local f = missing[key]
      if not f then
        f = function()
          error(name .. " is not provided by the BAR-like host", 2)
        end
        missing[key] = f
      end
      return f
    end,
  })
end

--- A data table whose unknown keys are nil but reported.
local function reportingData(prefix, tbl, seen)
  return setmetatable(tbl, {
    __index = function(_, key)
      if type(key) == "string" then
        reportUnprovided(prefix .. "." .. key, "field", seen)
      end
      return nil
    end,
  })
end

local function typeName(v)
  return type(v)
end

local function checkString(fname, i, v)
  local tv = type(v)
  if tv == "string" then
    return v
  elseif tv == "number" then
    return tostring(v)
  end
  error(format("bad argument #%d to '%s' (string expected, got %s)", i, fname, typeName(v)), 3)
end

local function checkNumber(fname, i, v)
  local n = tonumber(v)
  if n == nil then
    error(format("bad argument #%d to '%s' (number expected, got %s)", i, fname, typeName(v)), 3)
  end
  return n
end

local function optNumber(fname, i, v, default)
  if v == nil then
    return default
  end
  return checkNumber(fname, i, v)
end

-- The engine's message text (Recoil: rts/Lua/LuaUtils.cpp LogMsg): arguments
-- through tostring joined by ", "; a single table argument prints its
-- numeric-keyed values as "TABLE: a, b".
local function logText(first, n, args)
  if n == first and type(args[first]) == "table" then
    local parts = {}
    for k, v in pairs(args[first]) do
      if type(k) == "number" then
        parts[#parts + 1] = tostring(v)
      end
    end
    return "TABLE: " .. table.concat(parts, ", ")
  end
  local parts = {}
  for i = first, n do
    parts[#parts + 1] = tostring(args[i])
  end
  return table.concat(parts, ", ")
end

local LOG_LEVELS = { DEBUG = 20, INFO = 30, NOTICE = 35, WARNING = 40, ERROR = 50, FATAL = 60 }
local LEVEL_NAMES = { [20] = "debug", [30] = "info", [35] = "notice", [40] = "warning", [50] = "error", [60] = "fatal" }
local LEVEL_LETTERS = { D = 20, I = 30, N = 35, W = 40, E = 50, F = 60 }

-- ---------------------------------------------------------------------------
-- timers (Recoil: rts/Lua/LuaUnsyncedRead.cpp GetTimer/GetTimerMicros/DiffTimers)
--
-- The engine hands out light userdata holding an integer: milliseconds since
-- start for GetTimer, microseconds for GetTimerMicros. DiffTimers(a, b
-- [, inMs [, fromMicros]]) subtracts the integers and reads the difference as
-- milliseconds, or as microseconds when fromMicros is true. So GetTimer has
-- 1 ms resolution, and two GetTimerMicros timers must be compared with
-- fromMicros = true (otherwise the result is 1000 times too large). The host
-- reproduces exactly that. With hostclock (tools/lua/hostclock.c) its timers are
-- light userdata made in C, as the engine's, so asking the time allocates nothing
-- and the host's garbage collector does not run where the engine's would not.
-- Without hostclock (stock lua5.1, double only) they are full userdata (newproxy)
-- that allocate on every call.

-- uptime: whole seconds the engine has run before the host starts (--engine-uptime):
-- the timers count from the engine's epoch, so a long game is played in seconds.
local function makeTimers(uptime)
  uptime = uptime or 0
  local hc = clock.hostclock
  if hc and hc.timer_ms then
    hc.set_timer_uptime(uptime)
    return { GetTimer = hc.timer_ms, GetTimerMicros = hc.timer_us, DiffTimers = hc.diff_timers }
  end
  local timerState = setmetatable({}, { __mode = "k" })
  local proto = newproxy(true)
  getmetatable(proto).__tostring = function(self)
    local st = timerState[self]
    return format("userdata: timer(%s)", st and st.unit or "?")
  end

  local function newTimer(unit)
    local sec, us = clock.now()
    sec = sec + uptime
    local t = newproxy(proto)
    if unit == "ms" then
      us = floor(us / 1000) * 1000
    end
    timerState[t] = { sec = sec, us = us, unit = unit }
    return t
  end

  local timers = {}
  function timers.GetTimer()
    return newTimer("ms")
  end
  function timers.GetTimerMicros()
    return newTimer("us")
  end
  function timers.DiffTimers(a, b, inMs, fromMicros)
    local sa, sb = timerState[a], timerState[b]
    if not sa or not sb then
      error("Incorrect arguments to DiffTimers()", 2)
    end
    -- The engine subtracts the raw 64-bit integers, then converts. Here the whole
    -- seconds are subtracted first: sec * 1e6 is not exact under float once sec
    -- passes 1073 (about 18 minutes), but the difference of two nearby times is.
    -- (A timer of each kind makes a nonsense difference, as in the engine.)
    local function raw(st)
      if st.unit == "ms" then
        return 1000, st.us / 1000
      end
      return 1e6, st.us
    end
    local aPerSecond, al = raw(sa)
    local bPerSecond, bl = raw(sb)
    local diff
    if aPerSecond == bPerSecond then
      diff = (sa.sec - sb.sec) * aPerSecond + (al - bl)
    else
      diff = (sa.sec * aPerSecond - sb.sec * bPerSecond) + (al - bl)
    end
    if diff < 0 then
      diff = diff + 2 ^ 64 -- unsigned 64-bit wrap, as in the engine
    end
    local seconds = fromMicros and diff / 1e6 or diff / 1000
    if inMs then
      return seconds * 1000
    end
    return seconds
  end
  -- The weak table keeps the node array it grew to while many timers were
  -- alive between two collections (a widget asking the time every frame), so
  -- the host's memory would step up and stay there. Memory measurements (the
  -- control command "gc settle") rebuild it with the timers still alive.
  timers.compact = function()
    local fresh = setmetatable({}, { __mode = "k" })
    for k, v in pairs(timerState) do
      fresh[k] = v
    end
    timerState = fresh
  end
  return timers
end

-- ---------------------------------------------------------------------------
-- gl and fonts (Recoil: rts/Lua/LuaOpenGL.cpp, rts/Lua/LuaFonts.cpp)

local function makeGl(ctx, seen)
  local gl = {}
  local function checkDrawing(name)
    if not ctx.drawing then
      error(name .. "(): OpenGL calls can only be used in Draw() call-ins, or while creating display lists", 3)
    end
  end
  -- Recording allocates nothing in steady state, as the engine's drawing
  -- allocates no Lua memory: otherwise the widget's DrawScreen would be timed
  -- with the host's allocations and the collector steps they trigger. Counts
  -- and text entries are reused from frame to frame; host.lua copies them out
  -- after the call-in (endDrawFrame).
  local function record(call)
    local calls = ctx.draw.calls
    calls[call] = (calls[call] or 0) + 1
  end
  local function recordText(via, text, x, y, size, options)
    record(via)
    local d = ctx.draw
    local n = d.n + 1
    d.n = n
    local e = d.texts[n]
    if e == nil then
      e = {}
      d.texts[n] = e
    end
    e.via, e.text, e.x, e.y, e.size, e.options = via, text, x, y, size, options
  end

  function gl.Text(text, x, y, size, options)
    checkDrawing("Text")
    text = checkString("Text", 1, text)
    x = checkNumber("Text", 2, x)
    y = checkNumber("Text", 3, y)
    size = optNumber("Text", 4, size, 12)
    if options ~= nil and type(options) ~= "string" then
      options = nil
    end
    recordText("gl.Text", text, x, y, size, options)
  end

  function gl.Color(r, g, b, a)
    checkDrawing("Color")
    if type(r) == "table" then
      record("gl.Color")
      return
    end
    checkNumber("Color", 1, r)
    checkNumber("Color", 2, g)
    checkNumber("Color", 3, b)
    optNumber("Color", 4, a, 1)
    record("gl.Color")
  end

  function gl.Rect(x1, y1, x2, y2)
    checkDrawing("Rect")
    checkNumber("Rect", 1, x1)
    checkNumber("Rect", 2, y1)
    checkNumber("Rect", 3, x2)
    checkNumber("Rect", 4, y2)
    record("gl.Rect")
  end

  -- Fonts are userdata with a protected metatable; methods are looked up
  -- first, then the read-only properties.
  local fontState = setmetatable({}, { __mode = "k" })
  local fontMethods = {}
  local function fontOf(self, name)
    local st = fontState[self]
    if not st then
      error(format("bad argument #1 to '%s' (Font expected, got %s)", name, type(self)), 3)
    end
    if st.deleted then
      error("attempt to use a deleted font", 3)
    end
    return st
  end
  local function checkFontDrawing(name)
    if not ctx.drawing then
      error("[CheckDrawingEnabled::" .. name .. "] OpenGL calls can only be used in Draw() call-ins", 3)
    end
  end
  function fontMethods.Begin(self)
    checkFontDrawing("Begin")
    fontOf(self, "Begin").begun = true
    record("font:Begin")
  end
  function fontMethods.End(self)
    checkFontDrawing("End")
    fontOf(self, "End").begun = false
    record("font:End")
  end
  function fontMethods.Print(self, text, x, y, size, options)
    checkFontDrawing("Print")
    local st = fontOf(self, "Print")
    text = checkString("Print", 2, text)
    x = checkNumber("Print", 3, x)
    y = checkNumber("Print", 4, y)
    size = optNumber("Print", 5, size, st.size)
    if type(options) ~= "string" then
      options = nil
    end
    recordText("font:Print", text, x, y, size, options)
  end
  local function setColor(self, name, a1, ...)
    fontOf(self, name)
    if select("#", a1, ...) < 1 then
      error(format("[%s] insufficient arguments to font:%s(font,table|number*)", name, name), 3)
    end
  end
  function fontMethods.SetTextColor(self, ...)
    setColor(self, "SetTextColor", ...)
  end
  function fontMethods.SetOutlineColor(self, ...)
    setColor(self, "SetOutlineColor", ...)
  end
  function fontMethods.SetAutoOutlineColor(self)
    fontOf(self, "SetAutoOutlineColor")
  end
  -- Widths are approximate (0.5 em per byte): layouts can be computed, not
  -- checked for pixels.
  function fontMethods.GetTextWidth(self, text)
    fontOf(self, "GetTextWidth")
    text = checkString("GetTextWidth", 2, text)
    return 0.5 * #text
  end
  function fontMethods.GetTextHeight(self, text)
    fontOf(self, "GetTextHeight")
    text = checkString("GetTextHeight", 2, text)
    local lines = 1
    for _ in text:gmatch("\n") do
      lines = lines + 1
    end
    return lines, 0.2, lines
  end
  local fontMeta = {
    __metatable = "protected metatable",
    __index = function(self, key)
      local m = fontMethods[key]
      if m then
        return m
      end
      local st = fontOf(self, "__index")
      if key == "size" then
        return st.size
      elseif key == "path" then
        return st.path
      elseif key == "height" or key == "lineheight" then
        return st.size * 1.25
      elseif key == "outlinewidth" then
        return st.outlineWidth
      elseif key == "outlineweight" then
        return st.outlineWeight
      end
      return nil
    end,
    __tostring = function()
      return "Font"
    end,
  }
  local fontProto = newproxy(true)
  local protoMeta = getmetatable(fontProto)
  for k, v in pairs(fontMeta) do
    if k ~= "__metatable" then
      protoMeta[k] = v
    end
  end
  protoMeta.__metatable = fontMeta.__metatable -- last: it hides the metatable

  function gl.LoadFont(file, size, outlineWidth, outlineWeight)
    file = checkString("LoadFont", 1, file)
    local font = newproxy(fontProto)
    fontState[font] = {
      path = file,
      size = floor(optNumber("LoadFont", 2, size, 14)),
      outlineWidth = floor(optNumber("LoadFont", 3, outlineWidth, 2)),
      outlineWeight = optNumber("LoadFont", 4, outlineWeight, 15),
    }
    ctx.fonts.loaded = ctx.fonts.loaded + 1
    return font
  end

  function gl.DeleteFont(font)
    local st = fontState[font]
    if st and not st.deleted then
      st.deleted = true
      ctx.fonts.deleted = ctx.fonts.deleted + 1
    end
  end

  return strictFunctions("gl", gl, seen)
end

-- ---------------------------------------------------------------------------
-- Spring (Recoil: rts/Lua/LuaUtils.cpp Echo/Log, LuaUnsyncedRead.cpp, LuaSyncedRead.cpp)

local function makeSpring(ctx, timers, seen)
  local Spring = {}

  function Spring.Echo(...)
    local n = select("#", ...)
    local text = logText(1, n, { ... })
    ctx.echo(text, "widget")
  end

  function Spring.Log(...)
    local n = select("#", ...)
    if n < 3 then
      error("Incorrect arguments to Spring.Log(logsection, loglevel, ...)", 2)
    end
    local args = { ... }
    local section = checkString("Log", 1, args[1])
    local level = args[2]
    local levelNumber
    if type(level) == "number" then
      levelNumber = level
    elseif type(level) == "string" then
      levelNumber = LEVEL_LETTERS[level:sub(1, 1):upper()]
    end
    if not levelNumber then
      error("Incorrect arguments to Spring.Log(logsection, loglevel, ...)", 2)
    end
    ctx.log(section, levelNumber, LEVEL_NAMES[levelNumber], logText(3, n, args))
  end

  Spring.GetTimer = timers.GetTimer
  Spring.GetTimerMicros = timers.GetTimerMicros
  Spring.DiffTimers = timers.DiffTimers

  function Spring.GetViewGeometry()
    return ctx.viewSizeX, ctx.viewSizeY, 0, 0
  end

  function Spring.GetLastUpdateSeconds()
    return ctx.lastUpdateSeconds
  end

  -- Before the game starts: frame 0 (the engine returns frame % dayFrames and
  -- frame / dayFrames).
  function Spring.GetGameFrame()
    return ctx.gameFrame, 0
  end

  function Spring.GetGameSeconds()
    return ctx.gameFrame / 30
  end

  function Spring.IsReplay()
    return false
  end

  function Spring.GetSpectatingState()
    return false, false, false
  end

  function Spring.IsGUIHidden()
    return false
  end

  function Spring.GetMyPlayerID()
    return 0
  end

  function Spring.GetMyTeamID()
    return 0
  end

  function Spring.GetMyAllyTeamID()
    return 0
  end

  -- Without a game world (--world): a game with no team, no player and nothing
  -- over, so that a widget that reads the game finds it empty (barhost/world
  -- replaces these with the world's).
  function Spring.GetTeamList()
    return {}
  end

  function Spring.GetPlayerList()
    return {}
  end

  function Spring.GetGaiaTeamID()
    return nil
  end

  function Spring.IsGameOver()
    return false
  end

  -- springsettings.cfg values the widget may read (read-only in the engine).
  local function configValue(key)
    if key == "TCPAllowConnect" then
      return ctx.sockets.allowString
    elseif key == "TCPAllowListen" or key == "UDPAllowListen" then
      return "*"
    elseif key == "UDPAllowConnect" then
      return ""
    elseif key == "LuaSocketEnabled" then
      return "1"
    end
    return nil
  end

  function Spring.GetConfigString(key, default)
    key = checkString("GetConfigString", 1, key)
    local v = configValue(key)
    if v ~= nil then
      return v
    end
    if default ~= nil then
      return tostring(default)
    end
    return ""
  end

  function Spring.GetConfigInt(key, default)
    key = checkString("GetConfigInt", 1, key)
    local v = tonumber(configValue(key) or "")
    if v then
      return v
    end
    return tonumber(default) or 0
  end

  return strictFunctions("Spring", Spring, seen)
end

-- ---------------------------------------------------------------------------
-- System

local function strictLibrary(prefix, seen, note)
  return setmetatable({}, {
    __index = function(_, key)
      local name = prefix .. "." .. tostring(key)
      reportUnprovided(name, "function", seen)
      return function()
        error(name .. " is not provided by the BAR-like host" .. (note or ""), 2)
      end
    end,
  })
end

local function pairsByKeys(t, f)
  local keys = {}
  for k in pairs(t) do
    keys[#keys + 1] = k
  end
  table.sort(keys, f)
  local i = 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then
      return k, t[k]
    end
  end
end

--- Build one LuaUI world: System, the LuaUI global table and helpers.
--- ctx must provide: echo(text, source), log(section, level, levelName, text),
--- print(text), sockets (world from barhost.sockets), and the mutable fields
--- drawing, draw, fonts, viewSizeX, viewSizeY, lastUpdateSeconds, gameFrame.
function engine.build(ctx)
  local seen = {}
  local hostG = _G
  local timers = makeTimers(ctx.engineUptime)

  local Spring = makeSpring(ctx, timers, seen)
  local gl = makeGl(ctx, seen)

  local LOG = reportingData("LOG", {}, seen)
  for k, v in pairs(LOG_LEVELS) do
    rawset(LOG, k, v)
  end

  local GL = reportingData("GL", { ALL_ATTRIB_BITS = 1048575 }, seen)
  local CMD = reportingData("CMD", {}, seen)
  local CMDTYPE = reportingData("CMDTYPE", {}, seen)
  local Game = reportingData("Game", {
    gameShortName = "BYAR",
    gameName = "Beyond All Reason",
    gameVersion = "test",
  }, seen)
  local Engine = reportingData("Engine", {
    version = "2025.06.19",
    versionFull = "2025.06.19 (BAR-like host)",
    wordSize = 64,
  }, seen)
  local Platform = reportingData("Platform", {
    osFamily = "Linux",
    check = function()
      return true
    end,
  }, seen)

  local tracy = {}
  for _, name in ipairs({ "ZoneBeginN", "ZoneBegin", "ZoneEnd", "Message", "ZoneName", "ZoneText" }) do
    tracy[name] = function() end
  end

  -- os: the engine's (no exit/execute/tmpname/getenv; os.clock is wall-clock
  -- seconds since start, Recoil: rts/lib/lua/src/loslib.cpp).
  local os_ = {}
  for k, v in pairs(os) do
    os_[k] = v
  end
  os_.exit, os_.execute, os_.tmpname, os_.getenv = nil, nil, nil, nil
  os_.clock = clock.seconds
  if ctx.engineUptime then
    -- The engine's os.clock counts from the engine's start, as a float.
    local uptime = ctx.engineUptime
    os_.clock = function()
      local sec, us = clock.now()
      return (sec + uptime) + us / 1e6
    end
  end

  -- io: no popen. The host's stdout carries the event stream, so writes to
  -- stdout become "stdout" events and stdin is not offered.
  local io_ = {}
  for k, v in pairs(io) do
    io_[k] = v
  end
  io_.popen, io_.read, io_.stdin, io_.input, io_.output, io_.tmpfile = nil, nil, nil, nil, nil, nil
  local stdoutProxy = {
    write = function(self, ...)
      local parts = {}
      for i = 1, select("#", ...) do
        parts[#parts + 1] = tostring((select(i, ...)))
      end
      events.emit({ type = "stdout", text = table.concat(parts) })
      return self
    end,
    flush = function() end,
    close = function()
      return nil, "cannot close standard file"
    end,
  }
  io_.stdout = stdoutProxy
  io_.write = function(...)
    return stdoutProxy:write(...)
  end

  local luauiGlobals = {}

  -- loadstring: text only ("loadstring refuses bytecode"); the chunk gets
  -- LuaUI's global table, as lua_load gives it in the engine.
  local function loadstring_(s, chunkname)
    if type(s) == "string" and s:sub(1, 1) == "\27" then
      return nil, "loadstring: bytecode is not allowed"
    end
    local f, err = loadstring(s, chunkname)
    if f then
      setfenv(f, luauiGlobals)
    end
    return f, err
  end

  -- getfenv/setfenv with the host's own globals hidden behind LuaUI's.
  local function getfenv_(f)
    if f == nil then
      f = 1
    end
    if type(f) == "number" and f > 0 then
      f = f + 1
    end
    local env = getfenv(f)
    if env == hostG then
      return luauiGlobals
    end
    return env
  end
  local function setfenv_(f, t)
    if type(f) == "number" then
      if f == 0 then
        error("setfenv(0, ...) is not supported by the BAR-like host", 2)
      end
      f = f + 1
    end
    return setfenv(f, t)
  end

  local function print_(...)
    local parts = {}
    for i = 1, select("#", ...) do
      parts[#parts + 1] = tostring((select(i, ...)))
    end
    ctx.print(table.concat(parts, "\t"))
  end

  local System = {
    LUAUI_DIRNAME = "LuaUI/",

    VFS = strictLibrary("VFS", seen),
    Script = strictLibrary("Script", seen),
    Spring = Spring,
    Engine = Engine,
    Platform = Platform,
    Game = Game,
    gl = gl,
    GL = GL,
    CMD = CMD,
    CMDTYPE = CMDTYPE,
    LOG = LOG,

    UnitDefs = {},
    UnitDefNames = {},
    FeatureDefs = {},
    FeatureDefNames = {},
    WeaponDefs = {},
    WeaponDefNames = {},

    io = io_,
    os = os_,
    math = math,
    debug = debug,
    tracy = tracy,
    table = table,
    string = string,
    coroutine = coroutine,

    Json = strictLibrary("Json", seen, " (BAR's Json writes invalid JSON: do not use it)"),
    RmlUi = strictLibrary("RmlUi", seen),

    socket = ctx.sockets.api,

    assert = assert,
    error = error,
    print = print_,
    next = next,
    pairs = pairs,
    pairsByKeys = pairsByKeys,
    ipairs = ipairs,
    tonumber = tonumber,
    tostring = tostring,
    type = type,
    collectgarbage = collectgarbage,
    gcinfo = gcinfo,
    unpack = unpack,
    select = select,
    loadstring = loadstring_,
    getmetatable = getmetatable,
    setmetatable = setmetatable,
    rawequal = rawequal,
    rawget = rawget,
    rawset = rawset,
    getfenv = getfenv_,
    setfenv = setfenv_,
    pcall = pcall,
    xpcall = xpcall,
    _VERSION = _VERSION,
  }

  -- LuaUI's own global table: System's entries plus _G (handler-level
  -- globals registered with widgetHandler:RegisterGlobal land here).
  -- Not in BAR: --reference-clock gives widgets the host's C stopwatch, so a test
  -- fixture can check the engine's timers against it (elapsed µs taken in C).
  if ctx.referenceClock then
    local function slotOf(i)
      if type(i) ~= "number" or i < 1 or i > 4 or i % 1 ~= 0 then
        error("HostReferenceClock: slot must be 1-4", 3)
      end
      return clock.SLOTS_REFERENCE + i - 1
    end
    System.HostReferenceClock = {
      mark = function(i)
        clock.mark(slotOf(i))
      end,
      elapsedUs = function(i)
        return clock.elapsedUs(slotOf(i))
      end,
    }
  end

  setmetatable(luauiGlobals, { __index = System })
  luauiGlobals._G = luauiGlobals

  -- A running game world (--world) replaces the plain game-state stubs
  -- above with its own reads (barhost/world/api.lua).
  if ctx.world then
    ctx.world:install(Spring, Game, Engine, System)
  end

  return {
    System = System,
    globals = luauiGlobals,
    timers = timers,
    unprovided = seen,
  }
end

engine.LOG_LEVELS = LOG_LEVELS
engine.LEVEL_NAMES = LEVEL_NAMES

return engine
