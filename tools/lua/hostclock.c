/*
** hostclock.c -- a monotonic stopwatch for the Lua test host.
**
** Why this exists: Recoil runs Lua with single-precision float numbers.
** socket.gettime() and os.time() return about 1.7e9 seconds, which a float
** can only hold to the nearest 128 seconds (about two minutes), so they are
** useless for timing under the float interpreter. os.clock() counts from
** interpreter start and also loses precision as the run gets longer. The
** host that drives a widget needs precise intervals (frame pacing, latency
** of a few tens of microseconds), so this module keeps all time arithmetic
** in C, in 64-bit integers and doubles, and hands Lua only small numbers.
**
** API (module "hostclock": local hostclock = require("hostclock")):
**   hostclock.now()              seconds since the module was loaded, as a
**                                lua_Number; under float it gets coarse after
**                                long runs (~1 ms after 4 hours): use it for
**                                scheduling, not for measuring.
**   hostclock.mark(slot)         remembers the current time in slot 1..16.
**   hostclock.elapsed_us(slot)   microseconds since that slot's mark; the
**                                difference is taken in C, so a 50 us
**                                interval is exact to well under 0.01 us
**                                even as a float. Error if never marked.
**   hostclock.cpu_elapsed_us(slot)
**                                CPU time this thread used since the slot's
**                                mark, in microseconds (user + kernel). Unlike
**                                elapsed_us it does not grow while the thread
**                                waits for a core, so on a busy machine it
**                                still says what the measured code costs.
**   hostclock.sleep(seconds)     sleeps (nanosleep, resumed after signals);
**                                negative or zero returns at once.
**   hostclock.number_type        "float" or "double": the lua_Number this
**                                copy was compiled for.
**
** The engine's timers, for the host's Spring table (Recoil
** rts/Lua/LuaUnsyncedRead.cpp: PushTimer, GetTimerMicros, DiffTimers):
**   hostclock.timer_ms()         light userdata holding whole milliseconds
**                                since the engine's epoch (Spring.GetTimer).
**   hostclock.timer_us()         the same in microseconds (GetTimerMicros).
**   hostclock.diff_timers(a, b [, inMs [, fromMicros]])
**                                (a - b) as unsigned 64-bit integers, read as
**                                milliseconds (microseconds when fromMicros),
**                                returned in seconds (milliseconds when inMs);
**                                "Incorrect arguments to DiffTimers()" unless
**                                both are light userdata.
**   hostclock.set_timer_uptime(seconds)
**                                the engine's epoch lies this long before now
**                                (a game already this old: --engine-uptime).
** Like the engine's, these allocate nothing: a widget that asks the time
** every frame makes no garbage, so the host's collector runs only where the
** engine's would.
**
** The same source is compiled twice by tools/setup-lua.sh: against Debian's
** stock (double) Lua 5.1 headers and against the float build's headers. A
** copy loaded into the wrong interpreter would exchange numbers in the
** wrong format, so luaopen_hostclock checks the interpreter's arithmetic
** and refuses to load on a mismatch.
*/

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "lua.h"
#include "lauxlib.h"

#define HOSTCLOCK_SLOTS 16

static int64_t origin_ns = -1;                  /* time of first load */
static int64_t marks_ns[HOSTCLOCK_SLOTS + 1];   /* index 1..16 */
static int64_t cpu_marks_ns[HOSTCLOCK_SLOTS + 1];
static int marked[HOSTCLOCK_SLOTS + 1];


static int64_t monotonic_ns (void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + (int64_t)ts.tv_nsec;
}


static int64_t thread_cpu_ns (void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + (int64_t)ts.tv_nsec;
}


static int check_slot (lua_State *L, int arg) {
  int slot = luaL_checkint(L, arg);
  luaL_argcheck(L, slot >= 1 && slot <= HOSTCLOCK_SLOTS, arg,
                "slot must be 1..16");
  return slot;
}


static int hc_now (lua_State *L) {
  double seconds = (double)(monotonic_ns() - origin_ns) / 1e9;
  lua_pushnumber(L, (lua_Number)seconds);
  return 1;
}


static int hc_mark (lua_State *L) {
  int slot = check_slot(L, 1);
  /* CPU clock first (a system call), wall clock last (vDSO): the wall
  ** interval then excludes the slower read. */
  cpu_marks_ns[slot] = thread_cpu_ns();
  marks_ns[slot] = monotonic_ns();
  marked[slot] = 1;
  return 0;
}


/* Pushes the microseconds from the mark of slot (argument 1) in `marks` to
** now() on the same clock. */
static int push_elapsed_us (lua_State *L, int64_t (*now)(void),
                            const int64_t *marks) {
  int slot = check_slot(L, 1);
  double us;
  if (!marked[slot])
    return luaL_error(L, "hostclock slot %d was never marked", slot);
  us = (double)(now() - marks[slot]) / 1e3;
  lua_pushnumber(L, (lua_Number)us);
  return 1;
}


static int hc_elapsed_us (lua_State *L) {
  return push_elapsed_us(L, monotonic_ns, marks_ns);
}


static int hc_cpu_elapsed_us (lua_State *L) {
  return push_elapsed_us(L, thread_cpu_ns, cpu_marks_ns);
}


static int hc_sleep (lua_State *L) {
  double seconds = (double)luaL_checknumber(L, 1);
  struct timespec req, rem;
  if (!(seconds > 0.0))  /* also catches NaN */
    return 0;
  req.tv_sec = (time_t)seconds;
  req.tv_nsec = (long)((seconds - (double)req.tv_sec) * 1e9);
  if (req.tv_nsec > 999999999) req.tv_nsec = 999999999;
  while (nanosleep(&req, &rem) != 0 && errno == EINTR)
    req = rem;
  return 0;
}


/* Does the running interpreter compute with float? (2^24 + 1 rounds back
** to 2^24 only in single precision.) Only a boolean crosses the API, so
** the answer is right even if this copy was built for the other type. */
/* Microseconds between the engine's epoch and this module's origin. */
static int64_t timer_uptime_us = 0;


static int hc_set_timer_uptime (lua_State *L) {
  double seconds = (double)luaL_checknumber(L, 1);
  timer_uptime_us = (int64_t)(seconds * 1e6);
  return 0;
}


static int push_timer (lua_State *L, int64_t us_per_unit) {
  uint64_t us = (uint64_t)((monotonic_ns() - origin_ns) / 1000 + timer_uptime_us);
  lua_pushlightuserdata(L, (void *)(uintptr_t)(us / (uint64_t)us_per_unit));
  return 1;
}


static int hc_timer_ms (lua_State *L) {
  return push_timer(L, 1000);
}


static int hc_timer_us (lua_State *L) {
  return push_timer(L, 1);
}


static int hc_diff_timers (lua_State *L) {
  uint64_t diff;
  double seconds;
  if (!lua_islightuserdata(L, 1) || !lua_islightuserdata(L, 2))
    return luaL_error(L, "Incorrect arguments to DiffTimers()");
  diff = (uint64_t)(uintptr_t)lua_touserdata(L, 1) -
         (uint64_t)(uintptr_t)lua_touserdata(L, 2);
  seconds = lua_toboolean(L, 4) ? (double)diff / 1e6 : (double)diff / 1e3;
  lua_pushnumber(L, (lua_Number)(lua_toboolean(L, 3) ? seconds * 1e3 : seconds));
  return 1;
}


static int interpreter_is_float (lua_State *L) {
  int is_float;
  if (luaL_loadstring(L, "return 2^24 + 1 == 2^24") != 0)
    return lua_error(L);
  lua_call(L, 0, 1);
  is_float = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return is_float;
}


static const luaL_Reg hostclock_funcs[] = {
  {"now", hc_now},
  {"mark", hc_mark},
  {"elapsed_us", hc_elapsed_us},
  {"cpu_elapsed_us", hc_cpu_elapsed_us},
  {"sleep", hc_sleep},
  {"timer_ms", hc_timer_ms},
  {"timer_us", hc_timer_us},
  {"diff_timers", hc_diff_timers},
  {"set_timer_uptime", hc_set_timer_uptime},
  {NULL, NULL}
};


int luaopen_hostclock (lua_State *L) {
  int built_for_float = (sizeof(lua_Number) == sizeof(float));
  if (interpreter_is_float(L) != built_for_float)
    return luaL_error(L, "hostclock.so was built for %s numbers but this "
                      "interpreter uses %s: check LUA_CPATH",
                      built_for_float ? "float" : "double",
                      built_for_float ? "double" : "float");
  if (origin_ns < 0)
    origin_ns = monotonic_ns();
  lua_newtable(L);  /* no global: callers use require's return value */
  luaL_register(L, NULL, hostclock_funcs);
  lua_pushstring(L, built_for_float ? "float" : "double");
  lua_setfield(L, -2, "number_type");
  return 1;
}
