-- barhost/world/jsondecode.lua -- a JSON decoder for the world's data files
-- (../shared/data). Objects become tables with string keys, arrays 1-based
-- tables, null becomes json.null-free nil (a missing key). Numbers go through
-- tonumber, so under the float interpreter they are single precision, as in
-- the engine. Raises on malformed input (the data files are trusted).

local byte, sub, find, char = string.byte, string.sub, string.find, string.char
local tonumber, concat = tonumber, table.concat

local decode = {}

local ESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

local function utf8(cp)
  if cp < 0x80 then
    return char(cp)
  elseif cp < 0x800 then
    return char(0xc0 + math.floor(cp / 64), 0x80 + cp % 64)
  end
  return char(0xe0 + math.floor(cp / 4096), 0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
end

local parseValue

local function skip(s, i)
  local _, e = find(s, "^[ \t\r\n]*", i)
  return e + 1
end

local function parseString(s, i)
  -- s:sub(i, i) is the opening quote
  local out = {}
  local j = i + 1
  while true do
    local a, b = find(s, '["\\]', j)
    if not a then
      error("unterminated string at " .. i)
    end
    out[#out + 1] = sub(s, j, a - 1)
    if sub(s, a, a) == '"' then
      return concat(out), a + 1
    end
    local c = sub(s, a + 1, a + 1)
    if c == "u" then
      out[#out + 1] = utf8(tonumber(sub(s, a + 2, a + 5), 16))
      j = a + 6
    else
      out[#out + 1] = ESCAPES[c] or c
      j = a + 2
    end
    local _ = b
  end
end

function parseValue(s, i)
  i = skip(s, i)
  local c = byte(s, i)
  if c == 123 then -- {
    local obj = {}
    i = skip(s, i + 1)
    if byte(s, i) == 125 then
      return obj, i + 1
    end
    while true do
      local key
      key, i = parseString(s, skip(s, i))
      i = skip(s, i)
      if byte(s, i) ~= 58 then
        error("':' expected at " .. i)
      end
      obj[key], i = parseValue(s, i + 1)
      i = skip(s, i)
      local d = byte(s, i)
      if d == 125 then
        return obj, i + 1
      elseif d ~= 44 then
        error("',' or '}' expected at " .. i)
      end
      i = i + 1
    end
  elseif c == 91 then -- [
    local arr, n = {}, 0
    i = skip(s, i + 1)
    if byte(s, i) == 93 then
      return arr, i + 1
    end
    while true do
      n = n + 1
      arr[n], i = parseValue(s, i)
      i = skip(s, i)
      local d = byte(s, i)
      if d == 93 then
        return arr, i + 1
      elseif d ~= 44 then
        error("',' or ']' expected at " .. i)
      end
      i = i + 1
    end
  elseif c == 34 then
    return parseString(s, i)
  elseif find(s, "^true", i) then
    return true, i + 4
  elseif find(s, "^false", i) then
    return false, i + 5
  elseif find(s, "^null", i) then
    return nil, i + 4
  end
  local a, b = find(s, "^-?%d+%.?%d*[eE]?[-+]?%d*", i)
  if not a then
    error("unexpected character at " .. i)
  end
  return tonumber(sub(s, a, b)), b + 1
end

function decode.decode(s)
  local v = parseValue(s, 1)
  return v
end

function decode.file(path)
  local f, err = io.open(path, "rb")
  if not f then
    error("cannot read " .. tostring(path) .. ": " .. tostring(err))
  end
  local s = f:read("*a")
  f:close()
  return decode.decode(s)
end

return decode
