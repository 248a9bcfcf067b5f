/**
 * Two Lua VMs to run the transpiled widget in from vitest: fengari (Lua 5.3 in
 * JavaScript) and a real Lua 5.1.5 compiled to WebAssembly (lua-wasm-bindings),
 * which is the engine's language version. The same tests run under both.
 */
import fengari from "fengari";
import { createRequire } from "node:module";

export interface LuaVm {
  readonly name: string;
  /** Runs a chunk in the VM's global environment; returns its first result as a string. */
  run(code: string, chunkName?: string): string;
  close(): void;
}

/** Thrown when a chunk fails to compile or raises an error. */
export class LuaError extends Error {}

function createFengariVm(): LuaVm {
  const { lua, lauxlib, lualib, to_luastring } = fengari;
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  return {
    name: "fengari (Lua 5.3)",
    run(code, chunkName = "=test") {
      const loaded = lauxlib.luaL_loadbuffer(L, to_luastring(code), null, to_luastring(chunkName));
      if (loaded !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
        const message = lua.lua_tojsstring(L, -1);
        lua.lua_settop(L, 0);
        throw new LuaError(message);
      }
      const result = lua.lua_tojsstring(L, -1);
      lua.lua_settop(L, 0);
      return result;
    },
    close: () => lua.lua_close(L),
  };
}

interface WasmLua {
  lua: {
    lua_pcall(L: number, nargs: number, nresults: number, msgh: number): number;
    lua_tostring(L: number, index: number): string;
    lua_settop(L: number, index: number): void;
    lua_close(L: number): void;
  };
  lauxlib: {
    luaL_newstate(): number;
    luaL_loadbuffer(L: number, code: string, size: number, name: string): number;
  };
  lualib: { luaL_openlibs(L: number): void };
}

function createLua51Vm(): LuaVm {
  const { lua, lauxlib, lualib } = createRequire(import.meta.url)(
    "lua-wasm-bindings/dist/lua.51.js",
  ) as WasmLua;
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  return {
    name: "Lua 5.1.5 (WebAssembly)",
    run(code, chunkName = "=test") {
      // The binding copies the string as UTF-8: its length must be given in bytes.
      const loaded = lauxlib.luaL_loadbuffer(L, code, Buffer.byteLength(code), chunkName);
      if (loaded !== 0 || lua.lua_pcall(L, 0, 1, 0) !== 0) {
        const message = lua.lua_tostring(L, -1);
        lua.lua_settop(L, 0);
        throw new LuaError(message);
      }
      const result = lua.lua_tostring(L, -1);
      lua.lua_settop(L, 0);
      return result;
    },
    close: () => lua.lua_close(L),
  };
}

export const LUA_VMS: ReadonlyArray<{ name: string; create: () => LuaVm }> = [
  { name: "fengari (Lua 5.3)", create: createFengariVm },
  { name: "Lua 5.1.5 (WebAssembly)", create: createLua51Vm },
];

/** A Lua string literal for any text: every byte outside printable ASCII is escaped. */
export function luaStringLiteral(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, "utf8")) {
    if (byte === 0x5c) out += "\\\\";
    else if (byte === 0x22) out += '\\"';
    else if (byte === 0x0a) out += "\\n";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString().padStart(3, "0")}`;
  }
  return out + '"';
}
