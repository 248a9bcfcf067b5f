-- barhost/world/los.lua -- the line-of-sight and radar model (deliberately
-- simple, deterministic and cheap; documented in test/host/README.md).
--
-- The map is cut into 1024-elmo squares. Once per game second the reading
-- ally team's coverage is rebuilt: a square holding one of its units is in
-- LOS, every square within 1 square of one (3x3) is in radar. A unit of another ally team is
-- INLOS / INRADAR when its square is. A blip stays typed (its def readable)
-- while it stays in radar after having been in LOS (the engine's PREVLOS and
-- CONTRADAR, bar-game-data.md §0), and loses its type when radar loses it.

local floor = math.floor

local Los = {}
Los.__index = Los

Los.CELL = 1024
Los.LOS_RANGE = 0
Los.RADAR_RANGE = 1

function Los.new(sizeX, sizeZ)
  local nx = math.ceil(sizeX / Los.CELL)
  local nz = math.ceil(sizeZ / Los.CELL)
  return setmetatable({ nx = nx, nz = nz, los = {}, radar = {} }, Los)
end

function Los:cellOf(x, z)
  local cx = floor(x / Los.CELL)
  local cz = floor(z / Los.CELL)
  if cx < 0 then cx = 0 elseif cx >= self.nx then cx = self.nx - 1 end
  if cz < 0 then cz = 0 elseif cz >= self.nz then cz = self.nz - 1 end
  return cz * self.nx + cx, cx, cz
end

-- Prefix sums of the occupancy: P[(z + 1) * (nx + 1) + x + 1] = occupied
-- squares in [0..x] x [0..z].
local function prefix(occ, nx, nz)
  local P = {}
  local w = nx + 1
  for x = 0, nx do
    P[x] = 0
  end
  for z = 0, nz - 1 do
    local row = 0
    local base, prev = (z + 1) * w, z * w
    P[base] = 0
    for x = 0, nx - 1 do
      if occ[z * nx + x] then
        row = row + 1
      end
      P[base + x + 1] = P[prev + x + 1] + row
    end
  end
  return P
end

-- Squares within r (Chebyshev distance) of an occupied square: O(squares)
-- whatever the number of units.
local function cover(P, nx, nz, r)
  local w = nx + 1
  local set = {}
  for z = 0, nz - 1 do
    local z0, z1 = z - r, z + r
    if z0 < 0 then z0 = 0 end
    if z1 > nz - 1 then z1 = nz - 1 end
    local top, bottom = z0 * w, (z1 + 1) * w
    for x = 0, nx - 1 do
      local x0, x1 = x - r, x + r
      if x0 < 0 then x0 = 0 end
      if x1 > nx - 1 then x1 = nx - 1 end
      if P[bottom + x1 + 1] - P[top + x1 + 1] - P[bottom + x0] + P[top + x0] > 0 then
        set[z * nx + x] = true
      end
    end
  end
  return set
end

--- Rebuilds coverage from the squares (cellOf) of the reader's n units.
function Los:rebuild(cells, n)
  local occupied = {}
  for i = 1, n do
    occupied[cells[i]] = true
  end
  local P = prefix(occupied, self.nx, self.nz)
  self.los = cover(P, self.nx, self.nz, Los.LOS_RANGE)
  self.radar = cover(P, self.nx, self.nz, Los.RADAR_RANGE)
end

--- inLos, inRadar for a position.
function Los:at(x, z)
  local c = self:cellOf(x, z)
  return self.los[c] == true, self.radar[c] == true
end

return Los
