-- barhost/world/num.lua -- numbers as the engine stores them.
--
-- The engine keeps team statistics and resources in C++ floats
-- (Recoil: rts/Sim/Misc/TeamStatistics.h, Team.h) and Lua numbers are floats
-- too (luaconf.h LUA_NUMBER float). fround rounds a number to the nearest
-- single-precision value (ties to even, like Math.fround), so the double
-- interpreter serves the same values as the float one.

local num = {}

local floor, frexp, ldexp = math.floor, math.frexp, math.ldexp
local TWO24 = 2 ^ 24

function num.fround(x)
  if x == 0 or x ~= x or x == math.huge or x == -math.huge then
    return x
  end
  local m, e = frexp(x) -- x = m * 2^e, 0.5 <= |m| < 1
  local r = m * TWO24
  local f = floor(r)
  local d = r - f
  if d > 0.5 or (d == 0.5 and f % 2 == 1) then
    f = f + 1
  end
  return ldexp(f / TWO24, e)
end

return num
