/*
** lfloatfmt.c -- tostring() for the float Lua 5.1 test interpreter.
**
** Part of tools/setup-lua.sh (bar-live-data-export). Compiled into the
** float interpreter only; luaconf.h (patched by lua5.1-float.patch) maps
** lua_number2str onto bar_number2str, which luaV_tostring calls for every
** number-to-string conversion (tostring, print, "..", string.format's %s).
**
** Why not sprintf("%.14g")? Recoil does not print floats with printf: it
** has its own formatter (rts/lib/lua/include/LuaUser.cpp, spring_lua_ftoa)
** and a special case for non-finite numbers in luaV_tostring
** (rts/lib/lua/src/lvm.cpp). A widget that serialises numbers with
** tostring() must be tested against what the engine really prints, e.g.
** 1.6 -> "1.60000002", 0.1 -> "0.1", 1e16 -> "1.0e+16", 2^24+1 ->
** "16777216", math.huge -> "+inf".
**
** This is an independent implementation of the engine's rules as read from
** its sources and from the expected strings of its float-printing unit test
** (the Boost "Printf" test module that checks spring_lua_ftoa); the setup
** script's self-check repeats those expectations:
**
**  - NaN prints "nan", infinities "+inf" / "-inf" (lvm.cpp).
**  - A whole number that fits a C int prints as an integer ("%d").
**  - Otherwise at most 10 characters (sign, digits and point) are spent.
**    The decimal exponent decides the layout: plain notation if it fits in
**    those 10 characters, else d.dddde+XX with 4 characters reserved for
**    the exponent.
**  - The integer part is printed, then as many fraction digits as the
**    remaining room allows, rounded half up from the float's exact value,
**    trailing zeros removed (at least one digit kept). If the fraction would
**    round up to 1, it is dropped and the integer part is incremented.
**  - The arithmetic follows the engine's mix of float and double steps so
**    that borderline values round the same way.
*/

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define LUA_CORE
#include "lua.h"

/* characters available for sign, digits and decimal point */
#define NUMBER_WIDTH 10
/* characters reserved for the exponent suffix ("e+38") */
#define EXPONENT_WIDTH 4

void bar_number2str (char *out, lua_Number num);


/* floor(log10(x)) for a finite x > 0, as the engine computes it: exact digit
** counting for x >= 1 (in 64-bit integers), the float log10 below 1 and for
** huge values. */
static int decimal_exponent (float x) {
  if (x >= 1.0f && x < 4.6e18f) {
    int64_t whole = (int64_t)x;
    int64_t limit = 10;
    int e = 0;
    while (whole >= limit) {
      e++;
      if (limit > INT64_MAX / 10) break;
      limit *= 10;
    }
    return e;
  }
  return (int)floorf(log10f(x));
}


/* Writes `digits` fraction digits of `frac` (0 <= frac < 1) to `out`,
** rounded half up, without trailing zeros but with at least one digit.
** Returns the number of characters written. */
static int put_fraction (char *out, float frac, int digits) {
  char tmp[32];
  long long scaled = (long long)((double)frac * pow(10.0, digits) + 0.5);
  int len = sprintf(tmp, "%lld", scaled);
  int n = 0;
  while (n < digits - len) out[n++] = '0';  /* leading zeros: 0.00xx */
  memcpy(out + n, tmp, (size_t)len);
  n += len;
  while (n > 1 && out[n - 1] == '0') n--;
  out[n] = '\0';
  return n;
}


void bar_number2str (char *out, lua_Number num) {
  float f = (float)num;
  char *p = out;
  int room = NUMBER_WIDTH;
  int scientific = 0;
  int carry = 0;
  int e, plain_len, int_len, frac_room;
  float int_part, frac;

  if (f != f) { strcpy(out, "nan"); return; }
  if (isinf(f)) { strcpy(out, f > 0 ? "+inf" : "-inf"); return; }

  /* whole numbers within int range: plain integer (also turns -0 into 0) */
  if (f >= -2147483648.0f && f < 2147483648.0f && f == (float)(int)f) {
    sprintf(out, "%d", (int)f);
    return;
  }

  if (f < 0) {
    *p++ = '-';
    f = -f;
    room--;
  }

  e = decimal_exponent(f);
  /* length in plain notation: "123" (e = 2) or "0.00x" (e = -3) */
  plain_len = (e >= 0) ? e + 1 : 2 - e;
  if (plain_len > room) {
    scientific = 1;
    room -= EXPONENT_WIDTH;
    f = (float)((double)f * pow(10.0, -e));  /* mantissa in [1, 10) */
  }

  frac = modff(f, &int_part);

  /* Fraction digits that will fit; if the fraction rounds up to a whole
  ** unit at that precision, carry it into the integer part instead. */
  int_len = (!scientific && e >= 0) ? plain_len : 1;
  frac_room = room - (int_len + 1);
  if (frac_room < 0) frac_room = 0;
  if (frac >= (float)(1.0 - 0.5 * pow((double)0.1f, frac_room))) {
    frac = 0.0f;
    carry = 1;
  }

  if (int_part < 9.2233720e18f)
    int_len = sprintf(p, "%lld", (long long)int_part + carry);
  else
    int_len = sprintf(p, "%1.0f", (double)int_part + carry);

  if (scientific && int_len == 2) {  /* 9.9999 rounded up to "10" */
    e++;
    int_len = 1;
    p[1] = '\0';
  }
  p += int_len;
  room -= int_len;

  if (room > 1 && (scientific || frac != 0.0f)) {
    *p++ = '.';
    room--;
    p += put_fraction(p, frac, room);
  }

  if (scientific)
    sprintf(p, "e%+02d", e);
}
