/**
 * Runs the TRANSPILED protocol encoder (src/protocol → build/protocol-test/protocol.lua) under
 * every Lua we have: fengari (5.3), Lua 5.1.5 in WebAssembly, and the native double and
 * engine-like float lua5.1 interpreters. A program gets the module as the local `J`, loaded
 * in a sandbox without `_G`, `require`, `load` or `loadstring` (BAR's widget environment has
 * none), and returns a list of byte strings, which come back hex-encoded so that no byte is
 * lost or repaired on the way.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LUA_VMS } from "../support/lua-vm.ts";
import { luaInterpreters } from "../support/interpreters.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const PROTOCOL_LUA = path.join(ROOT, "build/protocol-test/protocol.lua");
const TSTL_CONFIG = path.join(ROOT, "test/protocol/tstl.json");

/** Transpiles src/protocol with TSTL into PROTOCOL_LUA; throws with tstl's output on failure. */
export function buildProtocolLua(): string {
  rmSync(PROTOCOL_LUA, { force: true });
  const tstl = path.join(ROOT, "node_modules/typescript-to-lua/dist/tstl.js");
  const r = spawnSync(process.execPath, [tstl, "-p", TSTL_CONFIG], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tstl failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const source = readFileSync(PROTOCOL_LUA, "utf8");
  if (/\b_G\b/.test(source)) throw new Error("the protocol bundle refers to _G");
  return PROTOCOL_LUA;
}

export interface LuaRunner {
  name: string;
  /** "double" or "float" numbers (fengari and WebAssembly compute with doubles). */
  numbers: "double" | "float";
  /** Runs `body` (Lua statements with `J` in scope, returning a table of strings). */
  strings(body: string): Buffer[];
  close(): void;
}

/** A Lua long-bracket literal holding `text` verbatim. */
function longString(text: string): string {
  let level = "=";
  while (text.includes(`]${level}]`)) level += "=";
  return `[${level}[\n${text}]${level}]`;
}

// The sandbox the module is loaded in: only what BAR gives a widget and the module needs.
const PRELUDE = `
local SANDBOX = { string = string, math = math, table = table, tostring = tostring,
  tonumber = tonumber, type = type, pairs = pairs, ipairs = ipairs, next = next,
  select = select, error = error, pcall = pcall, setmetatable = setmetatable,
  getmetatable = getmetatable, rawget = rawget, rawset = rawset, unpack = unpack }
local function loadModule(chunk, name)
  local f, err
  if setfenv then
    f, err = loadstring(chunk, name)
    if f then setfenv(f, SANDBOX) end
  else
    f, err = load(chunk, name, "t", SANDBOX)
  end
  if not f then error(err) end
  return f()
end
local function hex(s)
  return (string.gsub(s, ".", function(c) return string.format("%02x", string.byte(c)) end))
end
`;

/** The chunk to run: returns the hex lines (VMs) or writes them to stdout (`write`). */
function program(bundle: string, body: string, write: boolean): string {
  return `${PRELUDE}
local J = loadModule(${longString(bundle)}, "=protocol.lua")
local results = (function() ${body}
end)()
local out = {}
for i = 1, #results do out[i] = hex(results[i]) end
${write ? "io.write" : "return "}(table.concat(out, "\\n"))`;
}

function decode(text: string): Buffer[] {
  return text.length === 0 ? [] : text.split("\n").map((h) => Buffer.from(h, "hex"));
}

/** Every runner that is available here (the native ones need `npm run setup:lua`). */
export function luaRunners(): LuaRunner[] {
  const bundle = readFileSync(PROTOCOL_LUA, "utf8");
  const runners: LuaRunner[] = LUA_VMS.map(({ name, create }) => {
    const vm = create();
    return {
      name,
      numbers: "double" as const,
      strings: (body: string) => decode(vm.run(program(bundle, body, false))),
      close: () => vm.close(),
    };
  });
  for (const interpreter of luaInterpreters()) {
    const dir = mkdtempSync(path.join(tmpdir(), "protocol-lua-"));
    runners.push({
      name: interpreter.name,
      numbers: interpreter.numbers,
      strings(body: string) {
        const file = path.join(dir, "program.lua");
        writeFileSync(file, program(bundle, body, true));
        const r = spawnSync(interpreter.path, [file], {
          encoding: "utf8",
          maxBuffer: 256 * 1024 * 1024,
          timeout: 60_000,
        });
        if (r.status !== 0) throw new Error(`${interpreter.name}: ${r.stderr || r.error}`);
        return decode(r.stdout);
      },
      close: () => rmSync(dir, { recursive: true, force: true }),
    });
  }
  return runners;
}

/** A Lua string literal of arbitrary bytes (every byte as a decimal escape). */
export function luaBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) out += `\\${b}`;
  return out + '"';
}

/** A Lua number expression for any double (NaN and infinities included). */
export function luaNumber(x: number): string {
  if (Number.isNaN(x)) return "(0/0)";
  if (x === Infinity) return "(1/0)";
  if (x === -Infinity) return "(-1/0)";
  if (Object.is(x, -0)) return "(-0.0)";
  // 17 significant digits read back as the same double (and then as Math.fround(x) in float).
  return `(${x.toPrecision(17)})`;
}

/** A Lua constructor for parsed JSON: objects keyed by name, arrays 1-based, null as nil. */
export function luaValue(value: unknown): string {
  if (value === null) return "nil";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return luaNumber(value);
  if (typeof value === "string") return luaBytes(Buffer.from(value, "utf8"));
  if (Array.isArray(value)) return `{${value.map(luaValue).join(",")}}`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `[${luaBytes(Buffer.from(k, "utf8"))}]=${luaValue(v)}`)
    .join(",")}}`;
}
