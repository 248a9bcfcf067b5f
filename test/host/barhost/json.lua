-- barhost/json.lua -- a small JSON encoder for the host's event lines.
--
-- Every string is escaped so that the output is valid JSON on one line:
-- quote, backslash and all control characters (0x00-0x1f, 0x7f) are escaped,
-- valid UTF-8 passes through unchanged, and a byte that is not part of a
-- valid UTF-8 sequence is written as \u00XX (its Latin-1 reading), so binary
-- data stays visible instead of being replaced by U+FFFD on the Node side.
--
-- Numbers: integers as integers, other finite numbers in the shortest of
-- %.7g/%.9g/%.15g/%.17g that reads back as the same number (so 0.1 is "0.1"
-- under both double and float interpreters). NaN and the infinities are not JSON: they become the
-- strings "NaN", "Infinity" and "-Infinity".
--
-- Tables: a table whose keys are exactly 1..n is an array; any other
-- non-empty table is an object (non-string keys go through tostring); an
-- empty table is written as {}. A table met again on the current path is
-- written as the string "<cycle>", and nesting deeper than 40 levels as
-- "<too deep>". Functions, userdata and threads become "<function>",
-- "<userdata>" and "<thread>"; the encoder never raises.

local json = {}

local byte, char, format, gsub = string.byte, string.char, string.format, string.gsub
local concat = table.concat
local floor, huge = math.floor, math.huge

local CONTROL = {
  ["\b"] = "\\b",
  ["\f"] = "\\f",
  ["\n"] = "\\n",
  ["\r"] = "\\r",
  ["\t"] = "\\t",
  ['"'] = '\\"',
  ["\\"] = "\\\\",
}

local function escapeControl(c)
  return CONTROL[c] or format("\\u%04x", byte(c))
end

-- Length of the valid UTF-8 sequence starting at i, or nil.
local function utf8Length(s, i, n)
  local c = byte(s, i)
  local len, min
  if c >= 0xc2 and c <= 0xdf then
    len, min = 2, 0x80
  elseif c >= 0xe0 and c <= 0xef then
    len, min = 3, 0x800
  elseif c >= 0xf0 and c <= 0xf4 then
    len, min = 4, 0x10000
  else
    return nil
  end
  if i + len - 1 > n then
    return nil
  end
  local cp = c % (2 ^ (7 - len))
  for k = 1, len - 1 do
    local cc = byte(s, i + k)
    if cc < 0x80 or cc > 0xbf then
      return nil
    end
    cp = cp * 64 + (cc - 0x80)
  end
  if cp < min or cp > 0x10ffff or (cp >= 0xd800 and cp <= 0xdfff) then
    return nil
  end
  return len
end

local function escapeHighBytes(s)
  if not s:find("[\128-\255]") then
    return s
  end
  local out, n, i = {}, #s, 1
  while i <= n do
    local c = byte(s, i)
    if c < 0x80 then
      local j = s:find("[\128-\255]", i) or (n + 1)
      out[#out + 1] = s:sub(i, j - 1)
      i = j
    else
      local len = utf8Length(s, i, n)
      if len then
        out[#out + 1] = s:sub(i, i + len - 1)
        i = i + len
      else
        out[#out + 1] = format("\\u%04x", c)
        i = i + 1
      end
    end
  end
  return concat(out)
end

local function encodeString(s)
  s = gsub(s, '[%c"\\]', escapeControl)
  return '"' .. escapeHighBytes(s) .. '"'
end
json.encodeString = encodeString

local NUMBER_FORMATS = { "%.7g", "%.9g", "%.15g" }

local function encodeNumber(x)
  if x ~= x then
    return '"NaN"'
  elseif x == huge then
    return '"Infinity"'
  elseif x == -huge then
    return '"-Infinity"'
  elseif x == floor(x) and x > -1e15 and x < 1e15 then
    return format("%.0f", x)
  end
  -- the shortest of these that reads back as the same number
  for _, fmt in ipairs(NUMBER_FORMATS) do
    local s = format(fmt, x)
    if tonumber(s) == x then
      return s
    end
  end
  return format("%.17g", x)
end

local encodeValue

local function isArray(t)
  local n = 0
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or k ~= floor(k) then
      return false
    end
    n = n + 1
  end
  for i = 1, n do
    if t[i] == nil then
      return false
    end
  end
  return n > 0, n
end

local function encodeTable(t, path, depth)
  if path[t] then
    return '"<cycle>"'
  end
  if depth > 40 then
    return '"<too deep>"'
  end
  path[t] = true
  local out = {}
  local array, n = isArray(t)
  if array then
    for i = 1, n do
      out[i] = encodeValue(t[i], path, depth + 1)
    end
    path[t] = nil
    return "[" .. concat(out, ",") .. "]"
  end
  local keys = {}
  for k in pairs(t) do
    keys[#keys + 1] = k
  end
  -- Stable output: string keys sorted, other keys after them by tostring.
  table.sort(keys, function(a, b)
    local ta, tb = type(a) == "string", type(b) == "string"
    if ta ~= tb then
      return ta
    end
    return tostring(a) < tostring(b)
  end)
  for i, k in ipairs(keys) do
    out[i] = encodeString(tostring(k)) .. ":" .. encodeValue(t[k], path, depth + 1)
  end
  path[t] = nil
  return "{" .. concat(out, ",") .. "}"
end

function encodeValue(v, path, depth)
  local tv = type(v)
  if tv == "string" then
    return encodeString(v)
  elseif tv == "number" then
    return encodeNumber(v)
  elseif tv == "boolean" then
    return v and "true" or "false"
  elseif tv == "nil" then
    return "null"
  elseif tv == "table" then
    -- A field named like a JSON sentinel is not special: only json.null is.
    if v == json.null then
      return "null"
    end
    return encodeTable(v, path, depth)
  end
  return '"<' .. tv .. '>"'
end

-- A value that encodes as null inside tables (a Lua table cannot hold nil).
json.null = setmetatable({}, { __tostring = function() return "json.null" end })

function json.encode(v)
  local ok, result = pcall(encodeValue, v, {}, 0)
  if ok then
    return result
  end
  return encodeString("<json encode error: " .. tostring(result) .. ">")
end

return json
