-- barhost/stats.lua -- call-in duration statistics in constant memory.
--
-- Samples are microseconds. A histogram keeps 1 us buckets below 1000 us and
-- 1 % wide logarithmic buckets above, so median/p99 are exact to 1 us for
-- fast call-ins and within 1 % for slow ones. count and max are exact.
-- Every number stays a small integer, so it works under float numbers.

local Stats = {}
Stats.__index = Stats

local floor, log = math.floor, math.log
local LINEAR_LIMIT = 1000
local LOG_STEP = log(1.01)

local function bucketOf(us)
  if us < LINEAR_LIMIT then
    return floor(us)
  end
  return LINEAR_LIMIT + floor(log(us / LINEAR_LIMIT) / LOG_STEP)
end

-- Representative value of a bucket: its lower bound below 1000 us, its
-- geometric middle above.
local function valueOf(bucket)
  if bucket < LINEAR_LIMIT then
    return bucket
  end
  return floor(LINEAR_LIMIT * 1.01 ^ (bucket - LINEAR_LIMIT + 0.5) + 0.5)
end

function Stats.new()
  return setmetatable({ count = 0, max = 0, buckets = {}, top = 0 }, Stats)
end

function Stats:add(us)
  if us < 0 or us ~= us then
    us = 0
  end
  self.count = self.count + 1
  if us > self.max then
    self.max = us
  end
  local b = bucketOf(us)
  self.buckets[b] = (self.buckets[b] or 0) + 1
  if b > self.top then
    self.top = b
  end
end

function Stats:percentile(p)
  if self.count == 0 then
    return nil
  end
  local rank = math.ceil(p * self.count)
  if rank < 1 then
    rank = 1
  end
  local seen = 0
  for b = 0, self.top do
    local n = self.buckets[b]
    if n then
      seen = seen + n
      if seen >= rank then
        local v = valueOf(b)
        if v > self.max then
          v = self.max
        end
        return v
      end
    end
  end
  return self.max
end

function Stats:summary()
  return {
    count = self.count,
    medianUs = self:percentile(0.5),
    p99Us = self:percentile(0.99),
    maxUs = self.count > 0 and floor(self.max * 10 + 0.5) / 10 or nil,
  }
end

return Stats
