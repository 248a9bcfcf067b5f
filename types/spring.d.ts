/** @noSelfInFile */

/**
 * The subset of Recoil's `Spring` table this widget calls. Every function here is
 * provided to unsynced LuaUI code (BAR: luaui/system.lua exposes `Spring`).
 * Numbers are single-precision floats inside the engine: whole numbers are exact
 * only up to 2^24.
 */

/** Opaque timestamp from {@link Spring.GetTimer} (a lightuserdata in the engine). */
declare interface SpringTimer {
  readonly __springTimerBrand: unique symbol;
}

declare namespace Spring {
  /**
   * Prints to the in-game console and infolog. Several arguments are joined with ", ".
   * Recoil: rts/Lua/LuaUnsyncedCtrl.cpp (Echo).
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaUnsyncedCtrl.cpp
   */
  function Echo(...args: unknown[]): void;

  /**
   * Current time in whole **milliseconds** since the engine's epoch (so a difference of
   * two has 1 ms resolution). Only useful as an argument to {@link DiffTimers}.
   * Recoil: rts/Lua/LuaUnsyncedRead.cpp (GetTimer, PushTimer with microseconds=false).
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/8bf694a/rts/Lua/LuaUnsyncedRead.cpp
   */
  function GetTimer(): SpringTimer;

  /**
   * Current time in whole **microseconds** since the engine's epoch; diff it with
   * `DiffTimers(later, earlier, inMilliseconds, true)`. Missing in engines before it
   * was added, so check `typeof Spring.GetTimerMicros === "function"` first.
   * Recoil: rts/Lua/LuaUnsyncedRead.cpp (GetTimerMicros, PushTimer with microseconds=true).
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/8bf694a/rts/Lua/LuaUnsyncedRead.cpp
   */
  function GetTimerMicros(): SpringTimer;

  /**
   * `later - earlier`, in seconds (or milliseconds when `inMilliseconds` is true). Both
   * timers must come from the same function: `fromMicros` true for
   * {@link GetTimerMicros}, false or absent for {@link GetTimer}. The difference is
   * taken in 64-bit integers in C before it becomes a float, so it stays precise for a
   * short interval however long the engine has been running, unlike
   * `socket.gettime()`/`os.time()`/`os.clock()` at float precision. `later` must not be
   * earlier than `earlier` (unsigned subtraction).
   * Recoil: rts/Lua/LuaUnsyncedRead.cpp (DiffTimers).
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/8bf694a/rts/Lua/LuaUnsyncedRead.cpp
   */
  function DiffTimers(
    later: SpringTimer,
    earlier: SpringTimer,
    inMilliseconds?: boolean,
    fromMicros?: boolean,
  ): number;

  /**

   * Size and position of the game window: `vsx, vsy, posX, posY` (y grows upward on screen).

   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaUnsyncedRead.cpp

   */
  function GetViewGeometry(): LuaMultiReturn<
    [vsx: number, vsy: number, posX: number, posY: number]
  >;
}

/**
 * Facts about the player's machine (Recoil: rts/Lua/LuaConstPlatform.cpp), offered to
 * widgets through BAR's `System` table. Only the field we read is declared. May be
 * missing in other hosts, so code must tolerate `undefined`.
 * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaConstPlatform.cpp
 */
declare const Platform:
  | {
      /** One of "Windows", "Linux", "MacOSX", "FreeBSD", "Unknown". */
      readonly osFamily?: string;
    }
  | undefined;
