// The few fengari entry points the tests use (the package ships no types).
declare module "fengari" {
  type LuaState = { readonly __brand: "fengari.lua_State" };
  const fengari: {
    lua: {
      LUA_OK: number;
      lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
      lua_tojsstring(L: LuaState, index: number): string;
      lua_settop(L: LuaState, index: number): void;
      lua_close(L: LuaState): void;
    };
    lauxlib: {
      luaL_newstate(): LuaState;
      luaL_loadbuffer(L: LuaState, code: Uint8Array, size: null, name: Uint8Array): number;
    };
    lualib: { luaL_openlibs(L: LuaState): void };
    to_luastring(text: string): Uint8Array;
  };
  export default fengari;
}
