-- barhost/handler.lua -- a re-implementation of what BAR's luaui/barwidgets.lua
-- and luaui/actions.lua do for a user widget (behaviour reproduced, code not
-- copied). One Handler is one LuaUI instance: /luaui reload makes a new one.
--
-- Reproduced from barwidgets.lua:
-- * LoadWidget: loadstring(text, filename), a fresh widget table with
--   metatable {__index = System, __metatable = true}, fields widget, WG,
--   widgetHandler (proxy of closures) and include set before the chunk runs;
--   setfenv; pcall; "Failed to load: <basename>  (<err>)"; a chunk returning
--   false is dropped silently. GetInfo is called as widget:GetInfo() (handler
--   check, FinalizeWidget, info) and as widget.GetInfo() (SafeWrapWidget).
--   whInfo is a read-only proxy set after the chunk ran. SetConfigData(data)
--   runs inside LoadWidget, i.e. before Initialize.
-- * InsertWidget: call-ins present in the widget are wrapped in pcall (all of
--   BAR's call-in names plus Initialize; GetInfo/GetConfigData/SetConfigData
--   are not wrapped); the call-in lists are built before Initialize, so a
--   call-in defined later is not called unless widgetHandler:UpdateCallIn is
--   used. An error prints "Error in <Name>(): <msg>" and "Removed widget:
--   <name>" and queues the removal (for Shutdown: "Error in Shutdown()" first
--   and no removal).
-- * Removal (queued until the current call-in returns): GetConfigData into the
--   in-memory config, Shutdown, actions removed.
-- * Disable (F11 untick, /luaui disablewidget): "Removed:  <file>", removal,
--   order 0, config saved. Enable: "Loading:  <file>", load, insert, save.
-- * Config saves: after loading, on enable/disable, and at LuaUI shutdown
--   (GetConfigData BEFORE Shutdown). File: {allowUserWidgets, data = {[name]
--   = GetConfigData()}, order = {[name] = n}}; order 0 keeps a widget off.
-- * Text commands (ConfigureLayout): reconf, selector, togglewidget,
--   enablewidget, disablewidget, then text actions (first word matched
--   case-sensitively, handler(cmd, argLine, argWords, data, false, nil),
--   first handler returning true wins), then widget:TextCommand(line).
--   AddAction raises "LuaUI error adding action: please use
--   widget:Initialize()" while the widget has no whInfo (during the chunk).
--
-- Host additions (not in BAR; all reported as events so tests fail loudly):
-- * errors that BAR would let escape into LuaUI itself (in GetInfo,
--   SetConfigData, GetConfigData, text action handlers, an unwrapped
--   call-in) are caught and reported as "error" events;
-- * a widget whose saved order is nil starts enabled (as if the player ticked
--   it in F11); order 0 keeps it disabled, as in BAR.

local events = require("barhost.events")
local clock = require("barhost.clock")
local engine = require("barhost.engine")
local savetable = require("barhost.savetable")
local Stats = require("barhost.stats")

local Handler = {}
Handler.__index = Handler

local CALLIN_LISTS = {
  -- always-listed call-ins
  "FontsChanged", "GamePreload", "GameStart", "Shutdown", "Update", "TextCommand",
  "CommandNotify", "AddConsoleLine", "ViewResize", "DrawScreen", "KeyPress", "KeyRelease",
  "TextInput", "MousePress", "MouseWheel", "ControllerAdded", "ControllerRemoved",
  "ControllerConnected", "ControllerDisconnected", "ControllerRemapped",
  "ControllerButtonUp", "ControllerButtonDown", "ControllerAxisMotion", "IsAbove",
  "GetTooltip", "GroupChanged", "GameProgress", "CommandsChanged", "LanguageChanged",
  "VisibleUnitAdded", "VisibleUnitRemoved", "VisibleUnitsChanged", "AlliedUnitAdded",
  "AlliedUnitRemoved", "AlliedUnitsChanged", "UnitSale", "UnitSold", "VisibleExplosion",
  "Barrelfire", "CrashingAircraft", "ClearMapMarks",
  -- flex call-ins
  "GameOver", "GameFrame", "GameSetup", "GamePaused", "TeamDied", "TeamChanged",
  "PlayerAdded", "PlayerRemoved", "PlayerChanged", "ShockFront", "WorldTooltip",
  "MapDrawCmd", "ActiveCommandChanged", "DefaultCommand", "UnitCreated", "UnitFinished",
  "UnitFromFactory", "UnitDestroyed", "UnitDestroyedByTeam", "RenderUnitDestroyed",
  "UnitExperience", "UnitTaken", "UnitGiven", "UnitIdle", "UnitCommand", "UnitCmdDone",
  "UnitDamaged", "UnitEnteredRadar", "UnitEnteredLos", "UnitLeftRadar", "UnitLeftLos",
  "UnitEnteredWater", "UnitEnteredAir", "UnitLeftWater", "UnitLeftAir", "UnitSeismicPing",
  "UnitLoaded", "UnitUnloaded", "UnitCloaked", "UnitDecloaked", "UnitMoveFailed",
  "MetaUnitAdded", "MetaUnitRemoved", "RecvLuaMsg", "StockpileChanged", "SelectionChanged",
  "DrawGenesis", "DrawGroundDeferred", "DrawWorld", "DrawWorldPreUnit", "DrawPreDecals",
  "DrawWorldPreParticles", "DrawWorldShadow", "DrawWorldReflection", "DrawWorldRefraction",
  "DrawUnitsPostDeferred", "DrawFeaturesPostDeferred", "DrawScreenEffects", "DrawScreenPost",
  "DrawInMiniMap", "DrawOpaqueUnitsLua", "DrawOpaqueFeaturesLua", "DrawAlphaUnitsLua",
  "DrawAlphaFeaturesLua", "DrawShadowUnitsLua", "DrawShadowFeaturesLua", "SunChanged",
  "FeatureCreated", "FeatureDestroyed", "UnsyncedHeightMapUpdate",
}
local IS_CALLIN = {}
for _, name in ipairs(CALLIN_LISTS) do
  IS_CALLIN[name] = true
end
Handler.CALLIN_LISTS = CALLIN_LISTS

local CONFIG_HEADER = "-- Widget Custom data and order, order = 0 disabled widget"

local function basenameOf(path)
  return path:match("([^/\\]+)$") or path
end

local function errorText(err)
  return tostring(err)
end

--- ctx: shared host context (see host.lua): sockets, configPath, statusApi,
--- viewSizeX/Y, and the mutable draw state used by engine stubs.
function Handler.new(ctx)
  local h = setmetatable({
    ctx = ctx,
    widgets = {},
    configData = {},
    orderList = {},
    allowUserWidgets = true,
    knownWidgets = {},
    WG = {},
    lists = {},
    textActions = {},
    keyActions = { p = {}, R = {}, r = {} },
    reorderQueue = {},
    globalsOwner = {},
    xViewSize = 1,
    yViewSize = 1,
    hourTimer = 0,
    textOwner = nil,
  }, Handler)
  h:ResetStats()
  for _, name in ipairs(CALLIN_LISTS) do
    h.lists[name] = {}
  end
  h.env = engine.build(ctx)
  h.System = h.env.System
  return h
end

-- ---------------------------------------------------------------------------
-- output helpers

function Handler:echo(text)
  self.ctx.echo(text, "handler")
end

function Handler:reportError(kind, where, message, w)
  events.emit({
    type = "error",
    kind = kind,
    where = where,
    message = message,
    widget = w and w.whInfo and w.whInfo.name or nil,
  })
  self.ctx.errorCount = self.ctx.errorCount + 1
end

-- ---------------------------------------------------------------------------
-- config

function Handler:LoadConfigData()
  local path = self.ctx.configPath
  if not path then
    return
  end
  local t, why, detail = savetable.load(path)
  if not t then
    if why == "missing" then
      self.ctx.log("barwidgets.lua", 30, "info", "cannot open " .. path, "handler")
    elseif why == "syntax" then
      self.ctx.log("barwidgets.lua", 30, "info", detail, "handler")
    elseif why == "blank" then
      self.ctx.log("barwidgets.lua", 50, "error", "Luaui config file was blank", "handler")
    else
      self:reportError("config", "LoadConfigData", detail)
    end
    events.emit({ type = "config_loaded", path = path, found = why ~= "missing", ok = false, problem = why })
    return
  end
  if type(t) ~= "table" then
    -- BAR indexes what the file returned (chunk().order) and the error escapes into
    -- LuaUI; the host reports it and starts with an empty config instead of dying.
    self:reportError("config", "LoadConfigData", "attempt to index a " .. type(t) .. " value")
    events.emit({ type = "config_loaded", path = path, found = true, ok = false, problem = "not a table" })
    return
  end
  self.orderList = type(t.order) == "table" and t.order or {}
  self.configData = type(t.data) == "table" and t.data or {}
  self.allowUserWidgets = t.allowUserWidgets
  local names = {}
  for name in pairs(self.configData) do
    names[#names + 1] = tostring(name)
  end
  table.sort(names)
  events.emit({ type = "config_loaded", path = path, found = true, ok = true, widgets = names })
end

-- Ask every active widget for its config (GetConfigData is not protected in
-- BAR; the host catches and reports) and write the file.
function Handler:SaveConfigData(reason)
  for i, w in ipairs(self.widgets) do
    if w.GetConfigData then
      local ok, data = pcall(w.GetConfigData, w)
      if ok then
        self.configData[w.whInfo.name] = data
      else
        self:reportError("config", "GetConfigData", errorText(data), w)
      end
    end
    self.orderList[w.whInfo.name] = i
  end
  local path = self.ctx.configPath
  local file = {
    order = self.orderList,
    data = self.configData,
    allowUserWidgets = self.allowUserWidgets,
  }
  if path then
    local ok, err = savetable.save(file, path, CONFIG_HEADER)
    if not ok then
      self:reportError("config", "SaveConfigData", err)
      return false
    end
  end
  events.emit({ type = "config_saved", path = path, reason = reason })
  return true
end

-- ---------------------------------------------------------------------------
-- loading

function Handler:NewWidget()
  local h = self
  local widget = setmetatable({}, { __index = self.System, __metatable = true })
  widget.WG = self.WG
  widget.widget = widget

  local wh = {}
  widget.widgetHandler = wh
  widget.include = function(f)
    error("include(" .. tostring(f) .. ") is not provided by the BAR-like host", 2)
  end
  wh.RaiseWidget = function(_) end
  wh.LowerWidget = function(_) end
  wh.RemoveWidget = function(_)
    h:QueueRemove(widget, "RemoveWidget")
  end
  wh.GetCommands = function(_)
    return {}
  end
  wh.GetViewSizes = function(_)
    return h.xViewSize, h.yViewSize
  end
  wh.GetHourTimer = function(_)
    return h.hourTimer
  end
  wh.IsMouseOwner = function(_)
    return false
  end
  wh.DisownMouse = function(_) end
  wh.OwnText = function(_)
    if h.textOwner then
      return false
    end
    h.textOwner = widget
    return true
  end
  wh.DisownText = function(_)
    if h.textOwner == widget then
      h.textOwner = nil
      return true
    end
    return false
  end
  wh.UpdateCallIn = function(_, name)
    h:UpdateWidgetCallIn(name, widget)
  end
  wh.RemoveCallIn = function(_, name)
    h:RemoveWidgetCallIn(name, widget)
  end
  wh.AddAction = function(_, cmd, func, data, types)
    return h:AddAction(widget, cmd, func, data, types)
  end
  wh.RemoveAction = function(_, cmd, types)
    return h:RemoveAction(widget, cmd, types)
  end
  wh.RegisterGlobal = function(_, name, value)
    local g = h.env.globals
    if name == nil or rawget(g, name) ~= nil or h.System[name] ~= nil or h.globalsOwner[name] or IS_CALLIN[name] then
      return false
    end
    rawset(g, name, value)
    h.globalsOwner[name] = widget
    return true
  end
  wh.DeregisterGlobal = function(_, name)
    if name == nil then
      return false
    end
    rawset(h.env.globals, name, nil)
    h.globalsOwner[name] = nil
    return true
  end
  wh.SetGlobal = function(_, name, value)
    if name == nil or h.globalsOwner[name] ~= widget then
      return false
    end
    rawset(h.env.globals, name, value)
    return true
  end
  return widget
end

local function finalizeWidget(widget, filename, basename)
  local wi = { filename = filename, basename = basename }
  if widget.GetInfo == nil then
    wi.name = basename
    wi.layer = 0
  else
    local info = widget:GetInfo()
    wi.name = info.name or basename
    wi.layer = info.layer or 0
    wi.desc = info.desc or ""
    wi.author = info.author or ""
    wi.license = info.license or ""
    wi.enabled = info.enabled or false
  end
  widget.whInfo = setmetatable({}, {
    __index = wi,
    __newindex = function()
      error("whInfo tables are read-only")
    end,
    __metatable = "protected",
  })
end

-- BAR loads user widgets from LuaUI/Widgets/ and names chunks by that VFS
-- path, so error messages read [string "LuaUI/Widgets/<file>"]:<line>: ...
local function vfsPathOf(path)
  return "LuaUI/Widgets/" .. basenameOf(path)
end
Handler.vfsPathOf = vfsPathOf

-- Returns the widget, or nil (with the reason echoed / reported). `path` is
-- the real file; the widget sees the VFS path as its filename.
function Handler:LoadWidget(path)
  local filename = vfsPathOf(path)
  local basename = basenameOf(path)
  local function fail(message)
    self:echo("Failed to load: " .. basename .. "  (" .. message .. ")")
    events.emit({ type = "load_failed", file = filename, path = path, message = message })
    return nil
  end

  local f = io.open(path, "rb")
  if not f then
    return fail("missing file: " .. filename)
  end
  local text = f:read("*a")
  f:close()

  local chunk, err = loadstring(text, filename)
  if not chunk then
    return fail(errorText(err))
  end

  local widget = self:NewWidget()
  setfenv(chunk, widget)
  local ok, result = pcall(chunk)
  if not ok then
    return fail(errorText(result))
  end
  if result == false then
    events.emit({ type = "load_dropped", file = filename, path = path })
    return nil
  end

  -- Everything below calls the widget unprotected in BAR: an error there
  -- breaks LuaUI itself. The host reports it and drops the widget.
  local steps = function()
    if widget.GetInfo and widget:GetInfo().handler then
      events.emit({
        type = "warning",
        message = "GetInfo().handler = true: BAR would hand over the real widgetHandler; the host keeps the proxy",
      })
    end
    finalizeWidget(widget, filename, basename)
    local name = widget.whInfo.name

    if widget.GetTooltip and not widget.IsAbove then
      return fail("Widget has GetTooltip() but not IsAbove()")
    end

    local known = self.knownWidgets[name]
    if known then
      if known.active then
        return fail("duplicate name")
      end
    else
      known = { filename = filename, path = path, basename = basename, desc = widget.whInfo.desc }
      self.knownWidgets[name] = known
    end
    known.active = true

    if widget.GetInfo == nil then
      return fail("no GetInfo() call")
    end
    widget:GetInfo()

    local order = self.orderList[name]
    if order ~= nil and (tonumber(order) or 0) <= 0 then
      self.orderList[name] = 0
      known.active = false
      events.emit({ type = "widget_disabled", widget = name, file = filename, path = path, reason = "config order 0" })
      return nil
    end
    if order == nil then
      -- a new user widget: the host plays the player who enables it
      self.orderList[name] = 12345
    end

    local config = self.configData[name]
    if widget.SetConfigData and config then
      local cok, cerr = pcall(widget.SetConfigData, widget, config)
      if not cok then
        known.active = false
        self:reportError("config", "SetConfigData", errorText(cerr), widget)
        return nil
      end
    end
    return widget
  end
  local sok, loaded = pcall(steps)
  if not sok then
    self:reportError("load", "LoadWidget", errorText(loaded), widget)
    local name = rawget(widget, "whInfo") and widget.whInfo.name
    if name and self.knownWidgets[name] then
      self.knownWidgets[name].active = false
    end
    return nil
  end
  return loaded
end

-- ---------------------------------------------------------------------------
-- inserting, wrapping, removing

function Handler:safeWrap(w, func, funcName)
  local h = self
  return function(widget, ...)
    local r1, r2, r3 = pcall(func, widget, ...)
    if r1 then
      return r2, r3
    end
    if funcName ~= "Shutdown" then
      h:QueueRemove(widget, "error")
    else
      h:echo("Error in Shutdown()")
    end
    local name = widget.whInfo.name
    h:echo("Error in " .. funcName .. "(): " .. tostring(r2))
    h:echo("Removed widget: " .. name)
    h:reportError("callin", funcName, tostring(r2), widget)
    return nil
  end
end

local function arrayInsert(t, w)
  local layer = w.whInfo.layer
  local index = 1
  for i, v in ipairs(t) do
    if v == w then
      return
    end
    if layer >= v.whInfo.layer then
      index = i + 1
    end
  end
  table.insert(t, index, w)
end

local function arrayRemove(t, w)
  for i = #t, 1, -1 do
    if t[i] == w then
      table.remove(t, i)
    end
  end
end

function Handler:InsertWidget(w)
  if w == nil then
    return
  end
  -- BAR reads GetInfo().depends (colon call, for Platform.check, always
  -- satisfied here) and GetInfo().unsafe (dot call), unprotected.
  local ok, unsafe = pcall(function()
    local _ = w:GetInfo().depends
    return w.GetInfo().unsafe
  end)
  if not ok then
    self:reportError("load", "InsertWidget", errorText(unsafe), w)
    self.knownWidgets[w.whInfo.name].active = false
    return
  end
  if unsafe then
    self:echo("LuaUI: loaded unsafe widget: " .. w.whInfo.name)
  else
    for _, name in ipairs(CALLIN_LISTS) do
      if w[name] then
        w[name] = self:safeWrap(w, w[name], name)
      end
    end
    if w.Initialize then
      w.Initialize = self:safeWrap(w, w.Initialize, "Initialize")
    end
  end
  arrayInsert(self.widgets, w)
  for _, name in ipairs(CALLIN_LISTS) do
    if type(w[name]) == "function" then
      arrayInsert(self.lists[name], w)
    end
  end
  if w.Initialize then
    self:callUnwrapped(w, "Initialize")
  end
  events.emit({
    type = "widget_loaded",
    widget = w.whInfo.name,
    file = w.whInfo.filename,
    path = self.knownWidgets[w.whInfo.name] and self.knownWidgets[w.whInfo.name].path,
    layer = w.whInfo.layer,
  })
end

function Handler:isActive(w)
  for _, v in ipairs(self.widgets) do
    if v == w then
      return true
    end
  end
  return false
end

function Handler:QueueRemove(w, reason)
  self.reorderQueue[#self.reorderQueue + 1] = function()
    self:RemoveWidgetRaw(w, reason)
  end
end

function Handler:PerformReorders()
  while #self.reorderQueue > 0 do
    local queue = self.reorderQueue
    self.reorderQueue = {}
    for _, op in ipairs(queue) do
      op()
    end
  end
end

function Handler:RemoveWidgetRaw(w, reason)
  if w == nil or rawget(w, "whInfo") == nil then
    return
  end
  if self.textOwner == w then
    self.textOwner = nil
  end
  local name = w.whInfo.name
  if w.GetConfigData then
    local ok, data = pcall(w.GetConfigData, w)
    if ok then
      self.configData[name] = data
    else
      self:reportError("config", "GetConfigData", errorText(data), w)
    end
  end
  if self.knownWidgets[name] then
    self.knownWidgets[name].active = false
  end
  if w.Shutdown then
    self:callUnwrapped(w, "Shutdown")
  end
  arrayRemove(self.widgets, w)
  for gname, owner in pairs(self.globalsOwner) do
    if owner == w then
      rawset(self.env.globals, gname, nil)
      self.globalsOwner[gname] = nil
    end
  end
  self:RemoveWidgetActions(w)
  for _, list in pairs(self.lists) do
    arrayRemove(list, w)
  end
  events.emit({ type = "widget_removed", widget = name, reason = reason })
end

function Handler:UpdateWidgetCallIn(name, w)
  local list = self.lists[name]
  if not list then
    self:echo("UpdateWidgetCallIn: bad name: " .. tostring(name))
    return
  end
  if type(w[name]) == "function" then
    arrayInsert(list, w)
  else
    arrayRemove(list, w)
  end
end

function Handler:RemoveWidgetCallIn(name, w)
  local list = self.lists[name]
  if not list then
    self:echo("RemoveWidgetCallIn: bad name: " .. tostring(name))
    return
  end
  arrayRemove(list, w)
end

-- Call a call-in as the handler does (w:Name(...)); the widget's own wrapper
-- catches its errors. An error that still escapes (a call-in installed after
-- insertion, or an "unsafe" widget) would reach LuaUI itself: reported.
function Handler:callUnwrapped(w, name, ...)
  local ok, r1, r2 = pcall(w[name], w, ...)
  if not ok then
    self:reportError("unwrapped", name, errorText(r1), w)
    return nil
  end
  return r1, r2
end

function Handler:FindWidget(name)
  for i, w in ipairs(self.widgets) do
    if w.whInfo.name == name then
      return w, i
    end
  end
  return nil
end

-- ---------------------------------------------------------------------------
-- startup, enable, disable, shutdown

--- Load the given files as BAR's widgetHandler:Initialize does for the user
--- widget folder: load all, sort by layer/order/name, insert (Initialize),
--- perform queued removals, save the config.
function Handler:Initialize(files)
  self:LoadConfigData()
  if self.allowUserWidgets == nil then
    self.allowUserWidgets = true
  end
  self:echo("LuaUI: Allowing User Widgets")
  local loaded = {}
  for _, file in ipairs(files) do
    local w = self:LoadWidget(file)
    if w then
      loaded[#loaded + 1] = w
    end
  end
  table.sort(loaded, function(a, b)
    local la, lb = a.whInfo.layer, b.whInfo.layer
    if la ~= lb then
      return la < lb
    end
    local na, nb = a.whInfo.name, b.whInfo.name
    local oa, ob = self.orderList[na], self.orderList[nb]
    if oa ~= ob then
      return (oa or 0) < (ob or 0)
    end
    return na < nb
  end)
  for _, w in ipairs(loaded) do
    self:echo(string.format("Loading widget from user:  %-18s  <%s> ...", w.whInfo.name, w.whInfo.basename))
    self:InsertWidget(w)
  end
  self:PerformReorders()
  self:SaveConfigData("loaded")
end

function Handler:EnableWidget(name)
  local known = self.knownWidgets[name]
  if not known then
    self:echo("EnableWidget(), could not find widget: " .. tostring(name))
    return false
  end
  if not known.active then
    self:echo("Loading:  " .. known.filename)
    local order = self.orderList[name]
    if not order or order <= 0 then
      self.orderList[name] = 1
    end
    local w = self:LoadWidget(known.path)
    if not w then
      return false
    end
    self:InsertWidget(w)
    self:SaveConfigData("enabled")
    self:PerformReorders() -- e.g. an error in Initialize
  end
  return true
end

function Handler:DisableWidget(name)
  local known = self.knownWidgets[name]
  if not known then
    self:echo("DisableWidget(), could not find widget: " .. tostring(name))
    return false
  end
  if known.active then
    local w = self:FindWidget(name)
    if not w then
      return false
    end
    self:echo("Removed:  " .. known.filename)
    self:RemoveWidgetRaw(w, "disabled")
    self.orderList[name] = 0
    self:SaveConfigData("disabled")
  end
  return true
end

function Handler:ToggleWidget(name)
  local known = self.knownWidgets[name]
  if not known then
    self:echo("ToggleWidget(), could not find widget: " .. tostring(name))
    return
  end
  if known.active then
    return self:DisableWidget(name)
  elseif (self.orderList[name] or 0) <= 0 then
    return self:EnableWidget(name)
  end
  self.orderList[name] = 0
  self:SaveConfigData("toggled")
  return true
end

--- LuaUI shutting down (quit, /luaui reload): save config first, then
--- Shutdown every widget that has one.
function Handler:Shutdown()
  self:SaveConfigData("shutdown")
  local hasShutdown = {}
  for _, w in ipairs(self.lists.Shutdown) do
    hasShutdown[w] = true
  end
  local active = {}
  for i, w in ipairs(self.widgets) do
    active[i] = w
  end
  for _, w in ipairs(active) do
    if hasShutdown[w] then
      self:callUnwrapped(w, "Shutdown")
    end
    if self.knownWidgets[w.whInfo.name] then
      self.knownWidgets[w.whInfo.name].active = false
    end
    events.emit({ type = "widget_removed", widget = w.whInfo.name, reason = "shutdown" })
  end
  self.widgets = {}
  for name in pairs(self.lists) do
    self.lists[name] = {}
  end
  self.textActions = {}
  self.reorderQueue = {}
end

-- ---------------------------------------------------------------------------
-- per-frame call-ins

-- CPU time of the call just timed (SLOT_CALLIN). One thread cannot use more CPU
-- time than the wall time that passed; on a VM the thread clock sometimes
-- jumps (a bench run once saw 69 ms of CPU time in a 1 ms call), so it is
-- capped at the wall time.
local function cpuUs(wallUs)
  local us = clock.cpuElapsedUs(clock.SLOT_CALLIN)
  return us < wallUs and us or wallUs
end

-- The floor of a timed call (--time-callins): the same mark, pcall through
-- callUnwrapped and clock reads around an empty call-in, timed right after
-- each real one, so the host's own overhead is reported beside the widget's
-- figures ("callinFloorCpu", "frameFloorCpu") and can be taken off
-- ("frameNetCpu").
local floorWidget = { Empty = function() end }

function Handler:timedFloor()
  clock.mark(clock.SLOT_CALLIN)
  self:callUnwrapped(floorWidget, "Empty")
  local cpu = cpuUs(clock.elapsedUs(clock.SLOT_CALLIN))
  self:timing("callinFloorCpu"):add(cpu)
  return cpu
end

function Handler:Update(dt)
  self.hourTimer = (self.hourTimer + dt) % 3600
  local list = {}
  for i, w in ipairs(self.lists.Update) do
    list[i] = w
  end
  local counts = self.ctx.sockets and self.ctx.sockets.counts
  for _, w in ipairs(list) do
    local created, closed = counts and counts.created, counts and counts.closed
    local connects, again = counts and counts.connects, counts and counts.connectsAgain
    events.hold()
    local timed = self.ctx.timeCallIns
    local kb = timed and collectgarbage("count")
    clock.mark(clock.SLOT_CALLIN)
    self:callUnwrapped(w, "Update", dt)
    local us = clock.elapsedUs(clock.SLOT_CALLIN)
    kb = timed and collectgarbage("count") - kb
    local cpu = cpuUs(us)
    local timings = self.timings
    timings.updateCpu:add(cpu)
    if timed then
      -- the frame: this Update and the call-ins since the last one (--time-callins);
      -- its floor: as many empty timed calls; net: the difference
      local gross = cpu + (self.callInCpuUs or 0)
      local floor = self:timedFloor() + (self.callInFloorUs or 0)
      self:timing("frameCpu"):add(gross)
      self:timing("frameFloorCpu"):add(floor)
      self:timing("frameNetCpu"):add(gross > floor and gross - floor or 0)
      self:timing("frameAllocKb"):add(kb + (self.callInAllocKb or 0))
      self.callInCpuUs = 0
      self.callInFloorUs = 0
      self.callInAllocKb = 0
    end
    events.release()
    timings.update:add(us)
    if counts then
      local phase
      if counts.created ~= created then
        phase = "updateSocketCreated"
      elseif counts.closed ~= closed then
        phase = "updateSocketClosed"
      elseif counts.connects ~= connects then
        phase = "updateSocketConnect"
      elseif counts.connectsAgain ~= again then
        phase = "updateSocketConnectAgain"
      end
      if phase then
        timings[phase]:add(us)
        timings[phase .. "Cpu"]:add(cpu)
      end
    end
  end
  self:PerformReorders()
end

-- The call-in timings, by the name status reports them under:
--   update, draw                wall time per call (what a frame loses)
--   updateCpu, drawCpu          the host thread's CPU time per call (the
--                               widget's own cost, unaffected by waiting for a core)
--   updateSocketCreated         Update calls that created a tcp socket
--   updateSocketClosed          ... that closed one and created none
--   updateSocketConnect         ... that only made a socket's first connect call
--   updateSocketConnectAgain    ... that only called connect on a socket again
--                               (a probe, or learning why an attempt failed)
--   updateSocket...Cpu          the same frames in CPU time
local TIMINGS = {
  "update", "draw", "updateCpu", "drawCpu", "updateSocketCreated", "updateSocketClosed",
  "updateSocketConnect", "updateSocketConnectAgain", "updateSocketCreatedCpu",
  "updateSocketClosedCpu", "updateSocketConnectCpu", "updateSocketConnectAgainCpu",
}

--- Forget the call-in timings so far (control command resetstats).
function Handler:ResetStats()
  self.timings = {}
  self.callInCpuUs, self.callInFloorUs, self.callInAllocKb = 0, 0, 0
  for _, name in ipairs(TIMINGS) do
    self.timings[name] = Stats.new()
  end
end

--- Timing summaries (status and exit event).
function Handler:StatsSummary()
  local out = {}
  for name, stats in pairs(self.timings) do
    out[name] = stats:summary(name:sub(-2) == "Kb" and "Kb" or nil)
  end
  return out
end

function Handler:DrawScreen()
  local list = {}
  for i, w in ipairs(self.lists.DrawScreen) do
    list[i] = w
  end
  self.ctx.drawing = true
  for i = #list, 1, -1 do
    local w = list[i]
    events.hold()
    clock.mark(clock.SLOT_CALLIN)
    self:callUnwrapped(w, "DrawScreen")
    local us = clock.elapsedUs(clock.SLOT_CALLIN)
    self.timings.draw:add(us)
    self.timings.drawCpu:add(cpuUs(us))
    events.release()
  end
  self.ctx.drawing = false
  self:PerformReorders()
end

function Handler:ViewResize(vsx, vsy)
  self.xViewSize, self.yViewSize = vsx, vsy
  local list = {}
  for i, w in ipairs(self.lists.ViewResize) do
    list[i] = w
  end
  for _, w in ipairs(list) do
    self:callUnwrapped(w, "ViewResize", vsx, vsy)
  end
  self:PerformReorders()
end

--- A timing made on first use (--time-callins); ResetStats drops it.
function Handler:timing(name)
  local t = self.timings[name]
  if not t then
    t = Stats.new()
    self.timings[name] = t
  end
  return t
end

--- Any other call-in, for tests (GameStart, GameFrame, PlayerChanged, ...).
function Handler:CallIn(name, ...)
  local list = self.lists[name]
  if not list then
    return false
  end
  local copy = {}
  for i, w in ipairs(list) do
    copy[i] = w
  end
  local timed = self.ctx.timeCallIns
  for _, w in ipairs(copy) do
    if timed then
      local kb = collectgarbage("count")
      clock.mark(clock.SLOT_CALLIN)
      self:callUnwrapped(w, name, ...)
      local us = clock.elapsedUs(clock.SLOT_CALLIN)
      self.callInAllocKb = (self.callInAllocKb or 0) + collectgarbage("count") - kb
      local cpu = cpuUs(us)
      self:timing("callin" .. name):add(us)
      self:timing("callinCpu" .. name):add(cpu)
      self.callInCpuUs = (self.callInCpuUs or 0) + cpu
      self.callInFloorUs = (self.callInFloorUs or 0) + self:timedFloor()
    else
      self:callUnwrapped(w, name, ...)
    end
  end
  self:PerformReorders()
  return true
end

-- ---------------------------------------------------------------------------
-- actions (luaui/actions.lua)

local function parseTypes(types, default)
  if type(types) ~= "string" then
    types = default
  end
  return types:find("t") ~= nil, types:find("p") ~= nil, types:find("R") ~= nil, types:find("r") ~= nil
end

local function insertCallInfo(list, widget, func, data)
  local layer = widget.whInfo.layer
  local index = 1
  for i, ci in ipairs(list) do
    local w = ci[1]
    if w == widget then
      return false
    end
    if layer >= w.whInfo.layer then
      index = i + 1
    end
  end
  table.insert(list, index, { widget, func, data })
  return true
end

local function removeCallInfo(list, widget)
  local count = 0
  for i = #list, 1, -1 do
    if list[i][1] == widget then
      table.remove(list, i)
      count = count + 1
    end
  end
  return count
end

function Handler:AddAction(widget, cmd, func, data, types)
  if not rawget(widget, "whInfo") then
    error("LuaUI error adding action: please use widget:Initialize()", 3)
  end
  local text, press, rep, release = parseTypes(types, "tp")
  local function add(map)
    map[cmd] = map[cmd] or {}
    return insertCallInfo(map[cmd], widget, func, data)
  end
  local t, p, R, r = false, false, false, false
  if text then
    t = add(self.textActions)
  end
  if press then
    p = add(self.keyActions.p)
  end
  if rep then
    R = add(self.keyActions.R)
  end
  if release then
    r = add(self.keyActions.r)
  end
  return t, p, R, r
end

function Handler:RemoveAction(widget, cmd, types)
  local text, press, rep, release = parseTypes(types, "tpRr")
  local function remove(map)
    local list = map[cmd]
    if not list then
      return false
    end
    local n = removeCallInfo(list, widget)
    if #list == 0 then
      map[cmd] = nil
    end
    return n > 0
  end
  local t, p, R, r = false, false, false, false
  if text then
    t = remove(self.textActions)
  end
  if press then
    p = remove(self.keyActions.p)
  end
  if rep then
    R = remove(self.keyActions.R)
  end
  if release then
    r = remove(self.keyActions.r)
  end
  return t, p, R, r
end

function Handler:RemoveWidgetActions(widget)
  for _, map in ipairs({ self.textActions, self.keyActions.p, self.keyActions.R, self.keyActions.r }) do
    for _, list in pairs(map) do
      removeCallInfo(list, widget)
    end
  end
end

-- Returns consumed (bool), by (string or nil).
function Handler:TextAction(line)
  local words = {}
  for word in line:gmatch("%S+") do
    words[#words + 1] = word
  end
  local cmd = words[1]
  if cmd == nil then
    return false
  end
  table.remove(words, 1)
  local argLine = line:match("[^%s]+[%s]+(.*)") or ""
  local list = self.textActions[cmd]
  if not list then
    return false
  end
  local copy = {}
  for i, ci in ipairs(list) do
    copy[i] = ci
  end
  for _, ci in ipairs(copy) do
    local w, func, data = ci[1], ci[2], ci[3]
    local ok, result = pcall(func, cmd, argLine, words, data, false, nil)
    if not ok then
      -- BAR does not protect action handlers: the error escapes into LuaUI.
      self:reportError("action", "action '" .. tostring(cmd) .. "'", errorText(result), w)
    elseif result then
      return true, "action"
    end
  end
  return false
end

--- widgetHandler:ConfigureLayout(command): what /luaui <command> and unknown
--- slash commands reach. Returns consumed, by.
function Handler:ConfigureLayout(command)
  local consumed, by = false, nil
  if command == "reconf" then
    self:LoadConfigData()
    for _, w in ipairs(self.widgets) do
      local data = self.configData[w.whInfo.name]
      if w.SetConfigData and data then
        local ok, err = pcall(w.SetConfigData, w, data)
        if not ok then
          self:reportError("config", "SetConfigData", errorText(err), w)
        end
      end
    end
    consumed, by = true, "handler"
  elseif command == "selector" then
    consumed, by = true, "handler"
  elseif command:find("togglewidget") == 1 then
    self:ToggleWidget(command:sub(14))
    consumed, by = true, "handler"
  elseif command:find("enablewidget") == 1 then
    self:EnableWidget(command:sub(14))
    consumed, by = true, "handler"
  elseif command:find("disablewidget") == 1 then
    self:DisableWidget(command:sub(15))
    consumed, by = true, "handler"
  else
    consumed, by = self:TextAction(command)
    if not consumed then
      local copy = {}
      for i, w in ipairs(self.lists.TextCommand) do
        copy[i] = w
      end
      for _, w in ipairs(copy) do
        if self:callUnwrapped(w, "TextCommand", command) then
          consumed, by = true, "TextCommand"
          break
        end
      end
    end
  end
  self:PerformReorders()
  return consumed, by
end

-- ---------------------------------------------------------------------------
-- status

function Handler:widgetList()
  local list = {}
  local names = {}
  for name in pairs(self.knownWidgets) do
    names[#names + 1] = name
  end
  table.sort(names)
  for _, name in ipairs(names) do
    list[#list + 1] = { name = name, loaded = self.knownWidgets[name].active == true }
  end
  return list
end

--- WG[api].getStatus() if the widget published it: value, error.
function Handler:widgetStatus(apiName)
  local api = rawget(self.WG, apiName)
  if type(api) ~= "table" then
    return nil
  end
  local getStatus = api.getStatus
  if type(getStatus) ~= "function" then
    return nil
  end
  local ok, result = pcall(getStatus)
  if not ok then
    self:reportError("status", "WG." .. apiName .. ".getStatus", errorText(result))
    return nil, errorText(result)
  end
  return result
end

return Handler
