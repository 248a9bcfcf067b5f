-- barhost/savetable.lua -- LuaUI's config file format, written and read back
-- with the rules of BAR's luaui/savetable.lua and widgetHandler:LoadConfigData
-- (re-implemented here, not copied):
--
-- * Written as "<header>\nreturn {...}\n", one "key = value," per line,
--   tab-indented. Entries are sorted: string keys, then number keys, then
--   boolean keys; within a key type plain values before tables; then by key.
-- * Keys kept: strings, numbers, booleans. Values kept: strings, numbers,
--   booleans, tables. Everything else (functions, userdata, threads) is
--   dropped silently; nil cannot be stored in a table anyway.
-- * Strings are written with %q. Identifier-like string keys that are not
--   Lua keywords are written bare (a leading underscore counts as not
--   identifier-like, as in BAR), others as ["..."]; number keys as
--   [tostring(k)].
-- * Numbers are written with tostring(), so a float interpreter stores 7
--   significant digits; math.huge and -math.huge are written as those
--   expressions (which then fail to load in the empty environment, exactly as
--   in BAR), NaN is written as "nan"/"-nan" (which loads as nil: dropped).
-- * A table that contains itself (directly or further down) raises
--   "table.save() does not support recursive tables". Like BAR, the file is
--   left with what had been written before the error.
-- * Empty tables are written as {}.
--
-- Reading: the file is compiled; a syntax error is logged (INFO) and the
-- config is empty; the chunk runs in an empty environment; a nil result logs
-- "Luaui config file was blank".

local savetable = {}

local KEYWORDS = {}
for w in (
  "and break do else elseif end false for function if in local nil not or "
  .. "repeat return then true until while"
):gmatch("%a+") do
  KEYWORDS[w] = true
end

local KEY_TYPES = { string = true, number = true, boolean = true }
local VALUE_TYPES = { string = true, number = true, boolean = true, table = true }

local function keyText(k)
  if type(k) == "string" then
    if k:find("^%a[_%w]*$") and not KEYWORDS[k] then
      return k
    end
    return string.format("[%q]", k)
  end
  return "[" .. tostring(k) .. "]"
end

local function valueText(v)
  local tv = type(v)
  if tv == "string" then
    return string.format("%q", v)
  elseif tv == "number" then
    if v == math.huge then
      return "math.huge"
    elseif v == -math.huge then
      return "-math.huge"
    end
    return tostring(v)
  end
  return tostring(v)
end

-- Order of key types: "string" > "number" > "boolean" (as BAR compares the
-- type names with >).
local function compareEntries(a, b)
  local ka, kb = a[1], b[1]
  local ta, tb = type(ka), type(kb)
  if ta ~= tb then
    return ta > tb
  end
  local aTable, bTable = type(a[2]) == "table", type(b[2]) == "table"
  if aTable ~= bTable then
    return bTable
  end
  return ka < kb -- two boolean keys raise here, as in BAR
end

local function writeTable(t, out, indent, ancestors)
  out[#out + 1] = "{\n"
  local inner = indent .. "\t"
  local entries = {}
  for k, v in pairs(t) do
    if KEY_TYPES[type(k)] and VALUE_TYPES[type(v)] then
      entries[#entries + 1] = { k, v }
    end
  end
  table.sort(entries, compareEntries)
  ancestors[t] = true
  for _, kv in ipairs(entries) do
    local k, v = kv[1], kv[2]
    out[#out + 1] = inner .. keyText(k) .. " = "
    if type(v) == "table" then
      if ancestors[v] then
        error("table.save() does not support recursive tables", 0)
      end
      if next(v) == nil then
        out[#out + 1] = "{},\n"
      else
        writeTable(v, out, inner, ancestors)
        out[#out + 1] = inner .. "},\n"
      end
    else
      out[#out + 1] = valueText(v) .. ",\n"
    end
  end
  ancestors[t] = nil
end

--- Serialise t. Returns text, or nil, error, partialText.
function savetable.serialise(t, header)
  local out = {}
  if header then
    out[1] = header .. "\n"
  end
  out[#out + 1] = "return "
  local ok, err = pcall(writeTable, t, out, "", {})
  if not ok then
    return nil, tostring(err), table.concat(out)
  end
  out[#out + 1] = "}\n"
  return table.concat(out)
end

--- Write t to path. Returns true, or nil, error (the file then holds the
--- partial text, as BAR's table.save leaves it).
function savetable.save(t, path, header)
  local text, err, partial = savetable.serialise(t, header)
  local f, openErr = io.open(path, "w")
  if not f then
    return nil, "cannot write " .. path .. ": " .. tostring(openErr)
  end
  f:write(text or partial)
  f:close()
  if not text then
    return nil, err
  end
  return true
end

--- Read a config file back. Returns:
---   table            the value the file returns (run in an empty environment)
---   nil, "missing"   no such file
---   nil, "syntax", message
---   nil, "blank"     the chunk returned nil
---   nil, "runtime", message  (e.g. math.huge in the empty environment)
function savetable.load(path)
  local f = io.open(path, "r")
  if not f then
    return nil, "missing"
  end
  local text = f:read("*a")
  f:close()
  local chunk, err = loadstring(text, "@" .. path)
  if not chunk then
    return nil, "syntax", err
  end
  setfenv(chunk, {})
  local ok, result = pcall(chunk)
  if not ok then
    return nil, "runtime", tostring(result)
  end
  if result == nil then
    return nil, "blank"
  end
  return result
end

return savetable
