-- tools/bench/loop.lua -- what the hot-loop scripts (floor.lua, widget_loop.lua)
-- share: their command-line options and the summary of timed samples.

local M = {}

--- Reads `--name value` and `--flag` options from `args` into a copy of
--- `defaults`; `kinds[name]` is "number", "string" or "flag". Raises on an
--- unknown option or a missing or non-numeric value.
function M.options(args, defaults, kinds)
  local out = {}
  for k, v in pairs(defaults) do
    out[k] = v
  end
  local i = 1
  while i <= #args do
    local name = tostring(args[i]):match("^%-%-(.+)$")
    local kind = name and kinds[name]
    if not kind then
      error("unknown option: " .. tostring(args[i]))
    end
    if kind == "flag" then
      out[name] = true
    else
      i = i + 1
      local value = args[i]
      if kind == "number" then
        value = tonumber(value)
      end
      out[name] = assert(value, "--" .. name .. " needs a " .. kind)
    end
    i = i + 1
  end
  return out
end

--- Median, p99, p99.9 and max by nearest rank (microseconds, to 0.01), and
--- the count. Sorts `samples` in place.
function M.summarise(samples)
  table.sort(samples)
  local n = #samples
  if n == 0 then
    return { count = 0 }
  end
  local function at(p)
    local rank = math.max(1, math.ceil(p * n))
    return math.floor(samples[rank] * 100 + 0.5) / 100
  end
  return { count = n, medianUs = at(0.5), p99Us = at(0.99), p999Us = at(0.999), maxUs = at(1) }
end

return M
