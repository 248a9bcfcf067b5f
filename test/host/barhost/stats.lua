-- barhost/stats.lua -- call-in duration statistics in constant memory.
--
-- Samples are microseconds. A histogram keeps 0.1 us buckets below 1000 us and
-- 1 % wide logarithmic buckets above, so percentiles are exact to 0.1 us for
-- fast call-ins (a bucket reports its lower bound) and within 1 % for slow
-- ones. count, max and the second largest sample (`secondMax`: the worst but one,
-- which a single stall of the machine cannot raise) are exact. Every bucket index
-- stays a small integer, so it works under float numbers.

local Stats = {}
Stats.__index = Stats

local floor, log, ceil = math.floor, math.log, math.ceil
local LINEAR_LIMIT = 1000 -- us
local STEPS_PER_US = 10
local LINEAR_BUCKETS = LINEAR_LIMIT * STEPS_PER_US
local LOG_STEP = log(1.01)

local function bucketOf(us)
  if us < LINEAR_LIMIT then
    return floor(us * STEPS_PER_US)
  end
  return LINEAR_BUCKETS + floor(log(us / LINEAR_LIMIT) / LOG_STEP)
end

-- Representative value of a bucket: its lower bound below 1000 us, its
-- geometric middle above.
local function valueOf(bucket)
  if bucket < LINEAR_BUCKETS then
    return bucket / STEPS_PER_US
  end
  return floor(LINEAR_LIMIT * 1.01 ^ (bucket - LINEAR_BUCKETS + 0.5) + 0.5)
end

local function rounded(us)
  return floor(us * 10 + 0.5) / 10
end

function Stats.new()
  return setmetatable({ count = 0, max = 0, second = 0, buckets = {}, top = 0 }, Stats)
end

function Stats:add(us)
  if us < 0 or us ~= us then
    us = 0
  end
  self.count = self.count + 1
  if us > self.max then
    self.second = self.max
    self.max = us
  elseif us > self.second then
    self.second = us
  end
  local b = bucketOf(us)
  self.buckets[b] = (self.buckets[b] or 0) + 1
  if b > self.top then
    self.top = b
  end
end

--- Values at the given fractions (ascending), in one walk over the buckets.
function Stats:percentiles(ps)
  local out = {}
  if self.count == 0 then
    return out
  end
  local max = rounded(self.max)
  local i = 1
  local rank = math.max(1, ceil(ps[1] * self.count))
  local seen = 0
  for b = 0, self.top do
    local n = self.buckets[b]
    if n then
      seen = seen + n
      while i <= #ps and seen >= rank do
        local v = valueOf(b)
        out[i] = v > max and max or v
        i = i + 1
        if i <= #ps then
          rank = math.max(1, ceil(ps[i] * self.count))
        end
      end
      if i > #ps then
        break
      end
    end
  end
  for j = i, #ps do
    out[j] = max
  end
  return out
end

function Stats:percentile(p)
  return self:percentiles({ p })[1]
end

--- Mean from the buckets (each at its representative value: exact to 0.1 us
--- below 1000 us, within 1 % above).
function Stats:mean()
  if self.count == 0 then
    return nil
  end
  local sum = 0
  for b, n in pairs(self.buckets) do
    sum = sum + valueOf(b) * n
  end
  return floor(sum / self.count * 10 + 0.5) / 10
end

--- unit: the keys' suffix, "Us" unless the samples are something else
--- (frameAllocKb: kilobytes, the same resolution).
function Stats:summary(unit)
  unit = unit or "Us"
  local q = self:percentiles({ 0.5, 0.99, 0.999 })
  return {
    ["mean" .. unit] = self:mean(),
    count = self.count,
    ["median" .. unit] = q[1],
    ["p99" .. unit] = q[2],
    ["p999" .. unit] = q[3],
    ["max" .. unit] = self.count > 0 and rounded(self.max) or nil,
    ["secondMax" .. unit] = self.count > 1 and rounded(self.second) or nil,
  }
end

return Stats
