-- selfcheck.lua -- run by tools/setup-lua.sh under each interpreter wrapper:
--   .cache/lua/float/bin/lua5.1  tools/lua/selfcheck.lua float
--   .cache/lua/double/bin/lua5.1 tools/lua/selfcheck.lua double
-- Prints what it finds and exits non-zero on the first failure.
-- Lua 5.1 only; written for both number types (no integer assumptions).

local expected = arg and arg[1]
if expected ~= "float" and expected ~= "double" then
  io.stderr:write("usage: lua5.1 selfcheck.lua float|double\n")
  os.exit(2)
end

local tag = "[" .. expected .. "] "
local function say(fmt, ...)
  io.write(tag, string.format(fmt, ...), "\n")
end
local function fail(fmt, ...)
  io.stderr:write(tag, "SELF-CHECK FAILED: ", string.format(fmt, ...), "\n")
  os.exit(1)
end
local function check(cond, fmt, ...)
  if not cond then fail(fmt, ...) end
end

-- 1. interpreter and number type --------------------------------------------
say("_VERSION = %s", tostring(_VERSION))
check(_VERSION == "Lua 5.1", "expected Lua 5.1, got %s", tostring(_VERSION))
local is_float = (2^24 + 1 == 2^24)
say("numbers are %s (2^24+1 == 2^24 -> %s)", is_float and "float" or "double",
    tostring(is_float))
check(is_float == (expected == "float"), "numbers are not %s", expected)

-- C modules must come from the cache only; double-built system modules in the
-- float interpreter would exchange numbers in the wrong format.
if expected == "float" then
  check(not package.cpath:find("/usr/", 1, true),
        "package.cpath reaches system modules: %s", package.cpath)
  check(not package.path:find("/usr/", 1, true),
        "package.path reaches system modules: %s", package.path)
end

-- 2. float behaviour that must match Recoil (float build only) --------------
if expected == "float" then
  -- Expected strings from the engine's own float-printing unit test, plus
  -- luaV_tostring's special cases for non-finite numbers.
  local cases = {
    { 1200.12345, "1200.12341" }, { 4266.38345015625, "4266.3833" },
    { 1.6, "1.60000002" }, { 0.016, "0.016" }, { -2, "-2" },
    { -1.0000003, "-1.0000004" }, { math.pi, "3.14159274" },
    { 7.5e-08, "0.00000008" }, { 7e-16, "7.0e-16" }, { 1e-16, "1.0e-16" },
    { 1e16, "1.0e+16" }, { 1000000000, "1000000000" },
    { 10000000000, "1.0e+10" }, { 1e22, "1.0e+22" }, { 2^24, "16777216" },
    { 2147483647, "2147483648" }, { 3.4028234663852886e38, "3.4028e+38" },
    { 1.1754943508222875e-38, "1.1755e-38" },
    { math.huge, "+inf" }, { -math.huge, "-inf" }, { 0/0, "nan" },
    { 0.1, "0.1" }, { 16777217, "16777216" },
  }
  for _, c in ipairs(cases) do
    local got = tostring(c[1])
    check(got == c[2], "tostring(%s) = %q, engine prints %q",
          string.format("%.17g", c[1]), got, c[2])
  end
  say("tostring matches the engine on %d reference values; print(16777217) -> %s",
      #cases, tostring(16777217))
  -- Recoil turns the 5.0 compat switches off: no math.mod, string.gfind
  -- only raises "was renamed to string.gmatch", no implicit `arg` in varargs
  check(math.mod == nil and not pcall(string.gfind, "a", "a"),
        "compat functions math.mod/string.gfind should be off (as in Recoil)")
  local vararg_probe = loadstring("return (function(...) return arg end)(1)")
  setfenv(vararg_probe, {})  -- so a global `arg` cannot answer instead
  check(vararg_probe() == nil,
        "vararg functions should not get an implicit 'arg' table")
  check(7 % 3 == 1 and -7 % 3 == 2 and 2^10 == 1024, "float %% or ^ is wrong")
end

-- 3. LuaSocket ----------------------------------------------------------------
local ok, socket = pcall(require, "socket")
check(ok, "require('socket') failed: %s", tostring(socket))
say("require('socket')._VERSION = %s", tostring(socket._VERSION))
check(type(socket.gettime) == "function" and type(socket.tcp) == "function",
      "socket module lacks gettime/tcp")
local mime_ok, mime = pcall(require, "mime")
check(mime_ok and type(mime.b64) == "function", "require('mime') failed: %s",
      tostring(mime))

-- 4. hostclock ----------------------------------------------------------------
local hc_ok, hostclock = pcall(require, "hostclock")
check(hc_ok, "require('hostclock') failed: %s", tostring(hostclock))
check(hostclock.number_type == expected, "hostclock built for %s, expected %s",
      tostring(hostclock.number_type), expected)
hostclock.mark(1)
hostclock.sleep(0.01)
local us = hostclock.elapsed_us(1)
say("hostclock: mark(1); sleep(0.01); elapsed_us(1) = %.1f (expect ~10000)", us)
check(us >= 9900 and us < 500000, "elapsed_us after sleep(0.01) = %s", tostring(us))
hostclock.mark(2)
local tiny = hostclock.elapsed_us(2)
check(tiny >= 0 and tiny < 100000, "back-to-back elapsed_us = %s", tostring(tiny))
say("hostclock: back-to-back mark/elapsed_us = %.3f us; now() = %.6f s",
    tiny, hostclock.now())
check(not pcall(hostclock.mark, 17), "hostclock.mark(17) should be rejected")
-- Thread CPU time: a sleep costs (almost) none, a busy loop costs about its
-- wall time.
hostclock.mark(3)
hostclock.sleep(0.02)
local idleCpu = hostclock.cpu_elapsed_us(3)
hostclock.mark(3)
local spin = 0
while hostclock.elapsed_us(3) < 20000 do
  spin = spin + 1
end
local busyCpu = hostclock.cpu_elapsed_us(3)
say("hostclock: cpu_elapsed_us across sleep(0.02) = %.1f, across a 20 ms busy loop = %.1f",
    idleCpu, busyCpu)
check(idleCpu >= 0 and idleCpu < 5000, "cpu_elapsed_us across a sleep = %s", tostring(idleCpu))
check(busyCpu > 5000 and busyCpu < 500000, "cpu_elapsed_us across a busy loop = %s",
      tostring(busyCpu))

-- 5. os.clock: wall clock since start in the float build (like Recoil) -------
local c0 = os.clock()
hostclock.sleep(0.05)
local c1 = os.clock()
if expected == "float" then
  say("os.clock() advanced %.4f s across a 0.05 s sleep (wall clock)", c1 - c0)
  check(c1 - c0 >= 0.04 and c1 - c0 < 1, "os.clock() is not wall-clock time")
else
  say("os.clock() advanced %.4f s across a 0.05 s sleep (stock: CPU time)", c1 - c0)
end

-- 6. loopback TCP connect/accept ------------------------------------------------
local server, err = socket.bind("127.0.0.1", 0)
check(server, "bind 127.0.0.1:0 failed: %s", tostring(err))
local _, port = server:getsockname()
port = tonumber(port)
check(port and port > 0, "no port from getsockname")
server:settimeout(5)
local client = socket.tcp()
client:settimeout(5)
local cok, cerr = client:connect("127.0.0.1", port)
check(cok, "connect to 127.0.0.1:%d failed: %s", port, tostring(cerr))
local conn, aerr = server:accept()
check(conn, "accept failed: %s", tostring(aerr))
conn:settimeout(5)
check(client:send("ping\n") == 5, "client send failed")
local line, rerr = conn:receive("*l")
check(line == "ping", "server received %s (%s)", tostring(line), tostring(rerr))
check(conn:send("pong\n") == 5, "server send failed")
line, rerr = client:receive("*l")
check(line == "pong", "client received %s (%s)", tostring(line), tostring(rerr))
conn:close()
client:close()
server:close()
say("loopback TCP on 127.0.0.1:%d: connect, accept, ping/pong OK", port)

say("self-check passed")
