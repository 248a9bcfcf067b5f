-- barhost/world/rng.lua -- a seeded random generator that gives the same
-- sequence under the double and the float (engine-like) interpreter.
--
-- Wichmann-Hill's three small generators: every product stays below 2^24, so
-- all arithmetic is exact in single precision. Each draw combines two steps
-- into a 24-bit integer (exact in a float too).

local floor = math.floor

local Rng = {}
Rng.__index = Rng

function Rng.new(seed)
  seed = floor(tonumber(seed) or 1) % 30000
  local r = setmetatable({ s1 = 1 + seed, s2 = 1 + (seed * 7 + 13) % 30000, s3 = 1 + (seed * 13 + 7) % 30000 }, Rng)
  for _ = 1, 10 do
    r:bits12()
  end
  return r
end

-- 12 random bits.
function Rng:bits12()
  self.s1 = (171 * self.s1) % 30269
  self.s2 = (172 * self.s2) % 30307
  self.s3 = (170 * self.s3) % 30323
  return (self.s1 + self.s2 + self.s3) % 4096
end

-- An integer in [0, n) for n <= 2^24.
function Rng:below(n)
  return (self:bits12() * 4096 + self:bits12()) % n
end

-- An integer in [a, b].
function Rng:int(a, b)
  return a + self:below(b - a + 1)
end

-- A number in [0, 1) with 24 bits.
function Rng:unit()
  return (self:bits12() * 4096 + self:bits12()) / 16777216
end

function Rng:pick(list)
  return list[self:below(#list) + 1]
end

function Rng:shuffle(list)
  for i = #list, 2, -1 do
    local j = self:below(i) + 1
    list[i], list[j] = list[j], list[i]
  end
  return list
end

-- 32 lowercase hex characters (the engine's GameID format).
function Rng:hex32()
  local parts = {}
  for i = 1, 8 do
    parts[i] = string.format("%04x", self:below(65536))
  end
  return table.concat(parts)
end

return Rng
