-- barhost/options.lua -- BAR's options window as other widgets reach it:
-- WG['options'].addOptions(list) and WG['options'].removeOptions(ids) (BAR's
-- luaui/Widgets/gui_options.lua; entries as BAR's widgets pass them: id,
-- widgetname, name, description, type "bool"|"slider"|"select", value, min,
-- max, step, options, onchange(i, value, force); a select's value is the
-- 1-based index into options). It records what is registered, checks each entry
-- as the window needs it, and plays the player's click: `set` stores the new
-- value in the entry, as the window does, and calls onchange. An onchange that
-- raises is an error (in BAR it would break the options widget).

local OptionsWindow = {}
OptionsWindow.__index = OptionsWindow

--- ctx: emit(event), reportError(where, message).
function OptionsWindow.new(ctx)
  local self = setmetatable({ ctx = ctx, entries = {}, order = {} }, OptionsWindow)
  local window = self
  -- What widgets see as WG['options'] (called with a dot, as BAR's widgets do).
  self.api = {
    addOptions = function(list)
      window:add(list)
    end,
    removeOptions = function(ids)
      window:remove(ids)
    end,
  }
  return self
end

local TYPES = { bool = true, slider = true, select = true }

--- Why the window could not show `o`, or nil.
local function problem(o)
  if type(o) ~= "table" then
    return "an entry is a " .. type(o)
  end
  if type(o.id) ~= "string" or type(o.name) ~= "string" then
    return "id and name must be strings"
  end
  if not TYPES[o.type] then
    return "unknown type " .. tostring(o.type)
  end
  if type(o.onchange) ~= "function" then
    return "no onchange"
  end
  if o.type == "bool" and type(o.value) ~= "boolean" then
    return "a bool's value must be true or false"
  end
  if o.type == "slider" then
    if type(o.min) ~= "number" or type(o.max) ~= "number" or type(o.step) ~= "number" then
      return "a slider needs min, max and step"
    end
    if type(o.value) ~= "number" then
      return "a slider's value must be a number"
    end
  end
  if o.type == "select" then
    if type(o.options) ~= "table" or #o.options == 0 then
      return "a select needs options"
    end
    if type(o.value) ~= "number" or o.value < 1 or o.value > #o.options or o.value % 1 ~= 0 then
      return "a select's value must be an index into its options"
    end
  end
  return nil
end

function OptionsWindow:add(list)
  local ids = {}
  for _, o in ipairs(list) do
    local why = problem(o)
    if why then
      self.ctx.reportError("options", "addOptions " .. tostring(type(o) == "table" and o.id), why)
    else
      if not self.entries[o.id] then
        self.order[#self.order + 1] = o.id
      end
      self.entries[o.id] = o
      ids[#ids + 1] = o.id
    end
  end
  self.ctx.emit({ type = "options_added", ids = ids })
end

function OptionsWindow:remove(ids)
  local removed = {}
  for _, id in ipairs(ids) do
    if self.entries[id] then
      self.entries[id] = nil
      removed[#removed + 1] = id
    end
  end
  local kept = {}
  for _, id in ipairs(self.order) do
    if self.entries[id] then
      kept[#kept + 1] = id
    end
  end
  self.order = kept
  self.ctx.emit({ type = "options_removed", ids = removed })
end

--- The entries as the window shows them, without their functions.
function OptionsWindow:list()
  local out = {}
  for _, id in ipairs(self.order) do
    local o = self.entries[id]
    out[#out + 1] = {
      id = o.id,
      widgetname = o.widgetname,
      name = o.name,
      description = o.description,
      type = o.type,
      value = o.value,
      min = o.min,
      max = o.max,
      step = o.step,
      options = o.options,
    }
  end
  return out
end

--- The player sets entry `id` to `value`: stored, then onchange(i, value).
function OptionsWindow:set(id, value)
  local o = self.entries[id]
  if not o then
    return false, "no option " .. tostring(id)
  end
  local index
  for i, known in ipairs(self.order) do
    if known == id then
      index = i
    end
  end
  o.value = value
  local ok, err = pcall(o.onchange, index, value, nil)
  if not ok then
    self.ctx.reportError("options", "onchange " .. id, tostring(err))
    return false, tostring(err)
  end
  return true
end

return OptionsWindow
