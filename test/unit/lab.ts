/**
 * A Lua VM with the test library and the built widget loaded, driven by Lua
 * snippets whose results come back as JSON. The widget is the real transpiled
 * bundle from build/, never the TypeScript run as JavaScript.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LuaVm, luaStringLiteral } from "../support/lua-vm.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const BUNDLE_PATH = join(here, "..", "..", "build", "api_live_data_export.lua");
const TESTLIB = readFileSync(join(here, "lua", "testlib.lua"), "utf8");

function readBundle(): string {
  try {
    return readFileSync(BUNDLE_PATH, "utf8");
  } catch {
    throw new Error(`${BUNDLE_PATH} is missing: run "npm run build" first (npm test does)`);
  }
}

export class Lab {
  constructor(readonly vm: LuaVm) {
    vm.run(`T = (loadstring or load)(${luaStringLiteral(TESTLIB)}, "=testlib.lua")()`);
    vm.run(`BUNDLE = ${luaStringLiteral(readBundle())}`);
  }

  /** Runs a Lua function body in the test VM and returns its result decoded from JSON. */
  lua<T = unknown>(body: string): T {
    const json = this.vm.run(`return T.json((function() ${body}\nend)())`);
    return JSON.parse(json) as T;
  }

  /** Like `lua`, for snippets that return nothing. */
  exec(body: string): void {
    this.vm.run(`(function() ${body}\nend)()`);
  }

  /**
   * Loads the bundle as BAR does: its entry point fills in the call-ins on `env`.
   * `setup` runs first, with `engine` made (e.g. to give it a `Platform` table).
   */
  loadWidget(setup = ""): this {
    this.exec(`
      clock = T.newClock(0)
      engine = T.newEngine(clock)
      ${setup}
      env = T.newWidgetEnv(engine)
      T.loadWidget(BUNDLE, env)`);
    return this;
  }

  close(): void {
    this.vm.close();
  }
}
