--[[
host.lua -- a BAR-like host: loads widget files the way Beyond All Reason's
widget handler does (luaui/barwidgets.lua) and runs them frame by frame, in
real time, under real Lua 5.1 with real LuaSocket. Driven by
test/host/driver.ts; usable by hand too:

  lua5.1 test/host/host.lua --widget build/api_live_data_export.lua --frames 600

COMMAND LINE
  --widget FILE      widget file to load (repeatable; the first is the "main"
                     widget that enable/disable act on). As in BAR, the widget
                     sees its file as LuaUI/Widgets/<basename> (chunk name,
                     whInfo.filename, error messages)
  --config FILE      LuaUI config file: read at start if it exists, written
                     after loading, on enable/disable and at shutdown
  --allow "LIST"     TCPAllowConnect allow-list (default "*"): entries
                     "host:port" separated by spaces, "*" alone allows all,
                     "*:port" any host on that port
  --fps N            frames per second (default 60)
  --control PORT     connect to the driver's control listener on 127.0.0.1
  --max-seconds N    safety net: after N seconds of wall time stop the widget
                     (even inside an endless loop), shut down, exit code 3
  --frames N         run exactly N frames without sleeping, then shut down
                     (benchmarks); the exit event carries the frame statistics
  --status-api NAME  WG table whose getStatus() the status command reports
                     (default "LiveDataExport")
  --world FILE       run a game world (barhost/world/init.lua): FILE is its
                     JSON config (driver, game, unitDefs, seed, view, ...);
                     events "world" {what: "started"|"ended"}; control
                     command "world ..."; see test/host/README.md
  --options-window WHEN  imitate BAR's options window as WG['options']
                     (barhost/options.lua): "now" (there before the widgets
                     start) or "late" (it appears after the first frame, as
                     when it loads after the widget); events options_added
                     {ids}, options_removed {ids}; control command "options"
  --control-unix PATH  connect to the driver's control listener on the Unix
                     socket PATH instead (a host in its own network namespace)
  --hold-files N     open N files before LuaUI starts and keep them open, so
                     that the widget's sockets get descriptors above N (>= 1024
                     is what select cannot take)
  --quiet-sockets    do not write the socket events created, connect,
                     accepted and closed (counts are still kept; denied and
                     leaked are still written): benchmarks, so that the
                     host's own event output is not timed as widget cost
  --time-callins     also time every other call-in of the widgets (status
                     timings "callin<Name>" and "callinCpu<Name>"), and the
                     frame: Update plus the call-ins since the last one
                     ("frameCpu"), the host's floor (an empty call-in timed
                     the same way after each: "callinFloorCpu",
                     "frameFloorCpu") and the frame less it ("frameNetCpu"),
                     and the Lua heap's growth in the frame's calls
                     ("frameAllocKb": what the widget allocated, with
                     --lua-gc engine; keys meanKb, medianKb, ...): the
                     collection benchmark
  --engine-uptime N  the engine has run N whole seconds before the host
                     starts (a game N seconds old): Spring.GetTimer and
                     GetTimerMicros count from then, and os.clock too, as a
                     float that is as coarse as the engine's at that age
  --lua-gc MODE      where Lua's garbage collector runs: "engine" (default)
                     as in Recoil, the automatic collector stopped and the
                     work done in the engine's slot, at the start of each
                     simulation frame and at 30 Hz while none comes, never
                     inside a call-in unless a widget calls collectgarbage
                     itself (barhost/gc.lua); "lua" leaves Lua's own
                     collector on, which works at every allocation
  --reference-clock  not in BAR: widgets get HostReferenceClock.mark(slot)
                     and .elapsedUs(slot) (slot 1-4), the host's C stopwatch
                     (exact under float), to check the engine's timers against

EVENTS (stdout, one JSON object per line; every event also has "frame" =
frames completed so far and "t" = seconds since start)
  start          {interpreter:{version, numbers:"float"|"double", clock,
                  socket}, options}
  echo           {text, source:"widget"|"handler"}  Spring.Echo / handler
                  console lines ("Error in Update(): ...", "Removed widget: ...")
  log            {section, level, levelName, text,
                  source:"widget"|"engine"|"handler"}  Spring.Log, engine log
                  lines such as "Access to '10.0.0.5:9876' denied" (section
                  "LuaSocket"), and the handler's own (section "barwidgets.lua")
  print          {text}            the widget's print()
  stdout         {text}            the widget's io.write()
  draw           {calls:{name:n}, texts:[{via, text, x, y, size, options}]}
                  what DrawScreen drew, when it changes (at most 4 per second)
  error          {kind, where, message, widget?}  kind: "callin" (caught by
                  the per-call-in pcall: the widget is removed), "load",
                  "config", "action", "unwrapped", "status", "host"
  load_failed    {file, path, message}  "Failed to load: ..." was echoed
                  (file = "LuaUI/Widgets/<basename>", path = the real file)
  load_dropped   {file, path}      the chunk returned false
  widget_loaded  {widget, file, path, layer}
  widget_disabled {widget, file, path, reason}  saved order 0 keeps it off
  widget_removed {widget, reason:"error"|"RemoveWidget"|"disabled"|"shutdown"}
  socket         {action:"created"|"closed"|"leaked"|"connect"|"denied"|
                  "accepted", id, kind, counts:{created, closed, leaked, open},
                  host?, port?, result?}
  blocking_call  {name, detail}    first blocking socket use of each kind
  unprovided     {name, kind:"function"|"field"}  first use of each engine
                  function/field the host does not provide
  config_loaded  {path, found, ok, widgets?, problem?}
  config_saved   {path, reason}
  command        {line, consumed, by}  a chat line starting with "/"
  chat_message   {text}            a chat line not starting with "/"
  warning        {message}
  reload         {}                /luaui reload: LuaUI is rebuilt
  fatal          {message}         the host cannot run (bad options, ...)
  exit           {code, reason, sockets, stats:{frames, update, draw,
                  updateCpu, drawCpu, updateSocketCreated, updateSocketClosed,
                  updateSocketConnect, updateSocketConnectAgain}}

CONTROL PROTOCOL (TCP on 127.0.0.1, the host connects to --control PORT)
  The driver sends one command per line; the host answers EVERY command with
  exactly one JSON line, in order: {"reply": <verb>, "ok": true|false,
  "seq": <event lines written before this reply>, ..., "error"?: text}.
  The driver holds a reply until it has read `seq` event lines, so the events
  a command caused are always visible when its reply resolves. Commands are
  read once per frame, before Update.
    chat <text>       type a line in the chat: "/luaui reload" rebuilds LuaUI,
                      "/luaui <cmd>" and "/<cmd>" go to the widget handler's
                      ConfigureLayout (actions, TextCommand); other text is a
                      chat message. Reply: {consumed, by}
    status [NAME]     reply {data: {widgetStatus (of WG[NAME] when given, else
                      of --status-api), widgetStatusError, sockets,
                      frames, update:{count, medianUs, p99Us, p999Us, maxUs},
                      draw:{..} (wall time), updateCpu:{..}, drawCpu:{..}
                      (the host thread's CPU time in the same calls),
                      updateSocketCreated:{..} (Update calls that created a
                      tcp socket), updateSocketClosed:{..} (that closed one
                      and created none), updateSocketConnect:{..} (that only
                      made a socket's first connect call),
                      updateSocketConnectAgain:{..} (that only called connect
                      again), the same four with "Cpu" appended (CPU time), loaded, widgets:[{name,
                      loaded}], echoCount, errorCount, allow, lastDraw,
                      blocking, fonts, memoryKb (collectgarbage("count")),
                      gc: {mode, slots, cycles, cpuMs, allocatedKb} (the
                      collection slots of --lua-gc engine, barhost/gc.lua)}}
                      Timings are microseconds, to 0.1 us below 1 ms.
    allow <list>      replace the TCP allow-list
    disable           untick the main widget in F11 (config saved, Shutdown);
                      frames go on. Reply: {done}
    enable            tick it again (reloads the file). Reply: {done}
    callin <Name> [args]  call any call-in (args: numbers, true/false/nil,
                      otherwise strings), e.g. "callin GameFrame 1"
    resetstats        forget Update/DrawScreen timings so far
    gc [settle]       full garbage collection (surfaces leaked sockets);
                      reply {sockets, memoryKb (after the collection)}.
                      "settle" first undoes what only the host's own garbage
                      leaves behind, so memoryKb can be compared over a long
                      run (soak test): the timer table is rebuilt, the string
                      table is grown and let shrink back to the size the live
                      strings need, and the collector runs until it is stable
    shutdown          LuaUI shutdown (config saved, then Shutdown), reply
                      {sockets}, exit event, exit code 0
    options <sub>     with --options-window: "list" replies {options: the
                      entries as shown, without functions}; "set <id> <value>"
                      plays the player's click (value: number, true, false)
    world <sub>       with --world: start | pause | unpause | speed X |
                      step N | state | gameover. Reply {state}
    clock             reply {sec, us}: the host clock now (seconds and
                      microseconds since the start, exact under float), the
                      clock the world's truth log stamps with (truthClock)
    crashtest         the host dies with a Lua error outside any pcall
                      (exit code 1): tests the driver
  If the control connection closes, the host shuts down and exits with 4.

EXIT CODES  0 shutdown or --frames done, 1 host crashed, 2 bad options or
            interpreter unusable, 3 --max-seconds exceeded, 4 control lost
]]

-- Modules live next to this file.
local here = (arg and arg[0] or ""):match("^(.*)[/\\][^/\\]*$") or "."
package.path = here .. "/?.lua;" .. package.path

local realSocket = require("socket")
local events = require("barhost.events")
local clock = require("barhost.clock")
local sockets = require("barhost.sockets")
local Handler = require("barhost.handler")
local Control = require("barhost.control")
local json = require("barhost.json")
local OptionsWindow = require("barhost.options")
local Gc = require("barhost.gc")

-- ---------------------------------------------------------------------------
-- options

local function fatal(message, code)
  events.emit({ type = "fatal", message = message })
  os.exit(code or 2)
end

local opts = {
  widgets = {},
  allow = "*",
  fps = 60,
  statusApi = "LiveDataExport",
  luaGc = "engine",
}
do
  local i = 1
  local function value(name)
    i = i + 1
    local v = arg[i]
    if v == nil then
      fatal("missing value for " .. name)
    end
    return v
  end
  local function number(name)
    local v = tonumber(value(name))
    if not v or v <= 0 then
      fatal(name .. " needs a positive number")
    end
    return v
  end
  while i <= #arg do
    local a = arg[i]
    if a == "--widget" then
      opts.widgets[#opts.widgets + 1] = value(a)
    elseif a == "--config" then
      opts.config = value(a)
    elseif a == "--allow" then
      opts.allow = value(a)
    elseif a == "--fps" then
      opts.fps = number(a)
    elseif a == "--control" then
      opts.control = number(a)
    elseif a == "--max-seconds" then
      opts.maxSeconds = number(a)
    elseif a == "--frames" then
      opts.frames = math.floor(number(a))
    elseif a == "--status-api" then
      opts.statusApi = value(a)
    elseif a == "--world" then
      opts.world = value(a)
    elseif a == "--options-window" then
      opts.optionsWindow = value(a)
      if opts.optionsWindow ~= "now" and opts.optionsWindow ~= "late" then
        fatal("--options-window takes now or late")
      end
    elseif a == "--control-unix" then
      opts.controlUnix = value(a)
    elseif a == "--hold-files" then
      opts.holdFiles = math.floor(number(a))
    elseif a == "--quiet-sockets" then
      opts.quietSockets = true
    elseif a == "--time-callins" then
      opts.timeCallIns = true
    elseif a == "--engine-uptime" then
      opts.engineUptime = math.floor(number(a))
    elseif a == "--reference-clock" then
      opts.referenceClock = true
    elseif a == "--lua-gc" then
      opts.luaGc = value(a)
      if opts.luaGc ~= "engine" and opts.luaGc ~= "lua" then
        fatal("--lua-gc takes engine or lua")
      end
    else
      fatal("unknown option: " .. tostring(a))
    end
    i = i + 1
  end
  if #opts.widgets == 0 then
    fatal("no --widget given")
  end
end

local clockOk, clockProblem = clock.available()
events.emit({
  type = "start",
  interpreter = {
    version = _VERSION,
    numbers = clock.isFloat and "float" or "double",
    clock = clock.source,
    socket = realSocket._VERSION,
  },
  options = {
    widgets = opts.widgets,
    config = opts.config,
    allow = opts.allow,
    fps = opts.fps,
    control = opts.control,
    maxSeconds = opts.maxSeconds,
    frames = opts.frames,
    statusApi = opts.statusApi,
    quietSockets = opts.quietSockets,
    engineUptime = opts.engineUptime,
    referenceClock = opts.referenceClock,
    world = opts.world,
    controlUnix = opts.controlUnix,
    holdFiles = opts.holdFiles,
    optionsWindow = opts.optionsWindow,
    luaGc = opts.luaGc,
  },
})
if not clockOk then
  fatal(clockProblem)
end

-- ---------------------------------------------------------------------------
-- shared context (read by the engine stubs and the handler)

local world = sockets.new({ allow = opts.allow, quiet = opts.quietSockets })
local gc = Gc.new(opts.luaGc, clock)
-- host seconds of the last collection slot (the 30 Hz job runs only while no
-- simulation frame has had one for a while: CGame::AddTimedJobs)
local lastGcSlot = clock.seconds()
local lastTimedGcSlot = lastGcSlot
local function simFrameGcSlot()
  gc:slot()
  lastGcSlot = clock.seconds()
end

local ctx = {
  timeCallIns = opts.timeCallIns,
  sockets = world,
  gc = gc,
  configPath = opts.config,
  engineUptime = opts.engineUptime,
  referenceClock = opts.referenceClock,
  viewSizeX = 1920,
  viewSizeY = 1080,
  lastUpdateSeconds = 0,
  gameFrame = 0,
  drawing = false,
  -- this frame's drawing, reused from frame to frame (see endDrawFrame):
  -- calls[name] = count (0 when not called), texts[1..n] = entries
  draw = { calls = {}, texts = {}, n = 0 },
  fonts = { loaded = 0, deleted = 0 },
  echoCount = 0,
  errorCount = 0,
}

local handler -- the widget handler while LuaUI runs

if opts.world then
  local ok, worldOrErr = pcall(function()
    return require("barhost.world.init").create(opts.world, events.emit, function(name, ...)
      if handler then
        handler:CallIn(name, ...)
      end
    end, clock.now, simFrameGcSlot)
  end)
  if not ok then
    fatal("cannot build the game world: " .. tostring(worldOrErr))
  end
  ctx.world = worldOrErr
end

function ctx.echo(text, source)
  ctx.echoCount = ctx.echoCount + 1
  events.emit({ type = "echo", text = text, source = source })
end

function ctx.log(section, level, levelName, text, source)
  events.emit({
    type = "log",
    source = source or "widget",
    section = section,
    level = level,
    levelName = levelName,
    text = text,
  })
end

function ctx.print(text)
  events.emit({ type = "print", text = text })
end

-- ---------------------------------------------------------------------------
-- safety net: --max-seconds, also inside endless loops of widget code

local timeUp = false
if opts.maxSeconds then
  local deadline = opts.maxSeconds
  debug.sethook(function()
    if not timeUp and clock.seconds() > deadline then
      timeUp = true
      debug.sethook()
      error("BAR-like host: --max-seconds " .. opts.maxSeconds .. " exceeded", 2)
    end
  end, "", 1000000)
end

-- ---------------------------------------------------------------------------
-- LuaUI

local mainName -- whInfo.name of the first --widget, once known

-- BAR's options window (--options-window): one per LuaUI, like the widget.
local optionsWindow

local function installOptionsWindow()
  optionsWindow = OptionsWindow.new({
    emit = events.emit,
    reportError = function(where, detail, message)
      handler:reportError(where, detail, message)
    end,
  })
  handler.WG.options = optionsWindow.api
end

local function startLuaUI()
  handler = Handler.new(ctx)
  optionsWindow = nil
  if opts.optionsWindow == "now" then
    installOptionsWindow()
  end
  handler:Initialize(opts.widgets)
  for name, known in pairs(handler.knownWidgets) do
    if known.path == opts.widgets[1] then
      mainName = name
    end
  end
  handler:ViewResize(ctx.viewSizeX, ctx.viewSizeY)
end

local function stopLuaUI()
  if handler then
    handler:Shutdown()
    handler = nil
  end
  -- What the widget still referenced is garbage now, as when the engine
  -- closes the Lua state: unclosed sockets are finalised (counted as leaked).
  collectgarbage("collect")
  collectgarbage("collect")
  gc:resync()
  events.flush()
end

-- ---------------------------------------------------------------------------
-- drawing summary

local lastDraw = { calls = {}, texts = {} }
local lastDrawSignature = ""
local drawDirty = false
local lastDrawEmit = -1

local function drawSignature(d)
  local parts = {}
  for _, t in ipairs(d.texts) do
    parts[#parts + 1] = table.concat({ t.via, t.text, tostring(t.x), tostring(t.y), tostring(t.size), tostring(t.options) }, "\1")
  end
  local names = {}
  for name in pairs(d.calls) do
    names[#names + 1] = name
  end
  table.sort(names)
  for _, name in ipairs(names) do
    parts[#parts + 1] = name .. "=" .. d.calls[name]
  end
  return table.concat(parts, "\2")
end

local function endDrawFrame()
  -- Copy this frame's drawing out of the reused record (outside any timed
  -- call-in) and reset the record for the next frame.
  local rec = ctx.draw
  local d = { calls = {}, texts = {} }
  for name, count in pairs(rec.calls) do
    if count > 0 then
      d.calls[name] = count
      rec.calls[name] = 0
    end
  end
  for i = 1, rec.n do
    local e = rec.texts[i]
    d.texts[i] = { via = e.via, text = e.text, x = e.x, y = e.y, size = e.size, options = e.options }
  end
  rec.n = 0
  local sig = drawSignature(d)
  if sig ~= lastDrawSignature then
    lastDrawSignature = sig
    lastDraw = d
    drawDirty = true
  end
  local now = clock.seconds()
  if drawDirty and (lastDrawEmit < 0 or now - lastDrawEmit >= 0.25) then
    drawDirty = false
    lastDrawEmit = now
    events.emit({ type = "draw", calls = lastDraw.calls, texts = lastDraw.texts })
  end
end

-- ---------------------------------------------------------------------------
-- chat and control commands

local function reload()
  events.emit({ type = "reload" })
  stopLuaUI()
  startLuaUI()
end

local function chat(text)
  if text:sub(1, 1) ~= "/" then
    events.emit({ type = "chat_message", text = text })
    return false, nil
  end
  local line = text:sub(2)
  local consumed, by
  local first, rest = line:match("^(%S+)%s*(.*)$")
  if first == "luaui" then
    if rest == "reload" then
      reload()
      consumed, by = true, "engine"
    elseif handler then
      consumed, by = handler:ConfigureLayout(rest)
    end
  elseif handler and first then
    consumed, by = handler:ConfigureLayout(line)
  end
  events.emit({ type = "command", line = text, consumed = consumed == true, by = by })
  return consumed == true, by
end

local function parseArg(s)
  if s == "true" then
    return true
  elseif s == "false" then
    return false
  elseif s == "nil" then
    return nil
  end
  return tonumber(s) or s
end

local function statusData(apiName)
  local widgetStatus, widgetStatusError
  if handler then
    widgetStatus, widgetStatusError = handler:widgetStatus(apiName or opts.statusApi)
  end
  local loaded = false
  if handler and mainName and handler.knownWidgets[mainName] then
    loaded = handler.knownWidgets[mainName].active == true
  end
  -- the call-in timings (update, draw, updateCpu, ...) plus the rest
  local status = handler and handler:StatsSummary() or {}
  local fields = {
    widgetStatus = widgetStatus == nil and json.null or widgetStatus,
    widgetStatusError = widgetStatusError,
    sockets = world.snapshot(),
    frames = events.frame,
    memoryKb = collectgarbage("count"),
    gc = gc:summary(),
    loaded = loaded,
    widgets = handler and handler:widgetList() or {},
    echoCount = ctx.echoCount,
    errorCount = ctx.errorCount,
    allow = world.allowString,
    lastDraw = lastDraw,
    blocking = world.blocking,
    fonts = ctx.fonts,
  }
  for k, v in pairs(fields) do
    status[k] = v
  end
  return status
end

local exitRequest -- { code, reason, reply? }

local function runCommand(line, control)
  local verb, rest = line:match("^%s*(%S+)%s?(.*)$")
  if not verb then
    control:reply({ reply = "", ok = false, error = "empty command" })
    return
  end
  if verb == "chat" then
    local consumed, by = chat(rest)
    control:reply({ reply = verb, ok = true, consumed = consumed, by = by })
  elseif verb == "status" then
    control:reply({ reply = verb, ok = true, data = statusData(rest ~= "" and rest or nil) })
  elseif verb == "allow" then
    world.setAllow(rest)
    control:reply({ reply = verb, ok = true, allow = world.allowString })
  elseif verb == "disable" or verb == "enable" then
    if not handler or not mainName then
      control:reply({ reply = verb, ok = false, error = "the main widget never loaded" })
    else
      local done
      if verb == "disable" then
        done = handler:DisableWidget(mainName)
      else
        done = handler:EnableWidget(mainName)
      end
      control:reply({ reply = verb, ok = true, done = done == true })
    end
  elseif verb == "callin" then
    local args = {}
    for word in rest:gmatch("%S+") do
      args[#args + 1] = word
    end
    local name = table.remove(args, 1)
    local n = #args
    for i = 1, n do
      args[i] = parseArg(args[i])
    end
    if name == "GameFrame" and type(args[1]) == "number" then
      ctx.gameFrame = args[1]
    end
    local known = handler and name and handler:CallIn(name, unpack(args, 1, n))
    control:reply({ reply = verb, ok = known == true, error = (not known) and "unknown call-in" or nil })
  elseif verb == "resetstats" then
    if handler then
      handler:ResetStats()
    end
    control:reply({ reply = verb, ok = true })
  elseif verb == "gc" then
    if rest == "settle" then
      collectgarbage("collect")
      if handler and handler.env.timers.compact then
        handler.env.timers.compact()
      end
      -- Lua 5.1 grows the string table when the strings (garbage included)
      -- outnumber its slots and halves it once per collection while they are
      -- under a quarter: grown far here, it always shrinks back to the same
      -- size for the same live strings, whatever garbage came before.
      local strings = {}
      for i = 1, 40000 do
        strings[i] = "settle" .. i
      end
      strings = nil
      for _ = 1, 8 do
        collectgarbage("collect")
      end
    end
    collectgarbage("collect")
    collectgarbage("collect")
    gc:resync()
    events.flush()
    control:reply({ reply = verb, ok = true, sockets = world.snapshot(), memoryKb = collectgarbage("count") })
  elseif verb == "shutdown" then
    exitRequest = { code = 0, reason = "shutdown", reply = verb }
  elseif verb == "options" then
    local sub, id, value = rest:match("^(%S+)%s*(%S*)%s*(%S*)$")
    if not optionsWindow then
      control:reply({ reply = verb, ok = false, error = "no options window (yet)" })
    elseif sub == "list" then
      control:reply({ reply = verb, ok = true, options = optionsWindow:list() })
    elseif sub == "set" and id ~= "" then
      local done, err = optionsWindow:set(id, parseArg(value))
      control:reply({ reply = verb, ok = done, error = err })
    else
      control:reply({ reply = verb, ok = false, error = "options list | set <id> <value>" })
    end
  elseif verb == "world" then
    if not ctx.world then
      control:reply({ reply = verb, ok = false, error = "no --world given" })
    else
      local r = ctx.world:command(rest)
      r.reply = verb
      control:reply(r)
    end
  elseif verb == "clock" then
    local sec, us = clock.now()
    control:reply({ reply = verb, ok = true, sec = sec, us = us })
  elseif verb == "crashtest" then
    error("crashtest: the host was asked to crash")
  else
    control:reply({ reply = verb, ok = false, error = "unknown command: " .. verb })
  end
end

-- ---------------------------------------------------------------------------
-- main loop

local control
if opts.control or opts.controlUnix then
  local err
  if opts.controlUnix then
    control, err = Control.connectUnix(opts.controlUnix)
  else
    control, err = Control.connect(opts.control)
  end
  if not control then
    fatal("cannot connect to the control channel " .. tostring(opts.controlUnix or opts.control) .. ": " .. tostring(err))
  end
  -- Replies and events travel on different pipes: each reply says how many
  -- event lines were written before it, so the driver can wait for them.
  control.stamp = function(reply)
    events.flush()
    reply.seq = events.seq
  end
end

-- Files held open for the whole run (--hold-files): the widget's sockets come after.
local heldFiles = {}
for i = 1, opts.holdFiles or 0 do
  local f, err = io.open("/dev/null", "r")
  if not f then
    fatal(string.format("--hold-files: file %d of %d cannot be opened: %s", i, opts.holdFiles, tostring(err)))
  end
  heldFiles[i] = f
end

startLuaUI()
events.flush()

local period = 1 / opts.fps
local benchmark = opts.frames ~= nil
local nextDeadline = clock.seconds() + period
clock.mark(clock.SLOT_FRAME)

while true do
  if control then
    for _, line in ipairs(control:poll()) do
      runCommand(line, control)
      if exitRequest then
        break
      end
    end
    if control.closed and not exitRequest then
      exitRequest = { code = 4, reason = "control connection closed" }
    end
  end
  if timeUp and not exitRequest then
    exitRequest = { code = 3, reason = "max-seconds exceeded" }
  end
  if exitRequest then
    break
  end

  local dt = clock.elapsedUs(clock.SLOT_FRAME) / 1e6
  clock.mark(clock.SLOT_FRAME)
  ctx.lastUpdateSeconds = dt
  if ctx.world and handler then
    ctx.world:tick(dt)
  end
  -- the engine's 30 Hz collection job, for when no simulation frame had a
  -- slot for 5 game frames at the game's speed (paused, not started, no world;
  -- Recoil: 5000 / (GAME_SPEED * speedFactor) ms)
  do
    local now = clock.seconds()
    local speed = ctx.world and ctx.world.world.speed or 1
    if now - lastGcSlot >= 5 / (30 * speed) and now - lastTimedGcSlot >= 1 / 30 then
      gc:slot()
      lastTimedGcSlot = now
    end
  end
  if handler then
    -- "late": the options window appears after the widgets' first frame.
    if opts.optionsWindow == "late" and not optionsWindow then
      installOptionsWindow()
    end
    handler:Update(dt)
    handler:DrawScreen()
  end
  endDrawFrame()
  events.frame = events.frame + 1
  events.flush()
  if control then
    control:flush()
  end

  if opts.maxSeconds and clock.seconds() > opts.maxSeconds then
    timeUp = true
  end
  if benchmark then
    if events.frame >= opts.frames then
      exitRequest = { code = 0, reason = "frames" }
      break
    end
  else
    local now = clock.seconds()
    local wait = nextDeadline - now
    if wait > 0 then
      clock.sleep(wait)
      nextDeadline = nextDeadline + period
    else
      -- late: do not try to catch up with a burst of frames
      nextDeadline = now + period
    end
  end
end

-- ---------------------------------------------------------------------------
-- shutdown

local stats = handler and handler:StatsSummary() or {}
stats.frames = events.frame
if timeUp then
  events.emit({ type = "error", kind = "host", where = "max-seconds", message = "--max-seconds exceeded" })
end
stopLuaUI()
if ctx.world then
  ctx.world:close()
end
local final = world.snapshot()
if control and exitRequest.reply then
  control:reply({ reply = exitRequest.reply, ok = true, sockets = final })
end
events.emit({
  type = "exit",
  code = exitRequest.code,
  reason = exitRequest.reason,
  sockets = final,
  udp = world.udpCounts,
  stats = stats,
  errorCount = ctx.errorCount,
})
if control then
  control:drain(2)
end
io.stdout:flush()
os.exit(exitRequest.code)
