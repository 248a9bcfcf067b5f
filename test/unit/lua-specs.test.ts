/**
 * Runs the specs written in TypeScript under test/lua (see test/lua/framework.ts):
 * transpiled with src/ into build/tests.lua, loaded into a sandbox shaped like BAR's
 * widget environment, under fengari and Lua 5.1. Every test runs in a fresh copy of the
 * bundle and sandbox (one VM per spec file, where the bundle is parsed once).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LUA_VMS, LuaVm, luaStringLiteral } from "../support/lua-vm.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SPEC_ROOT = join(root, "test", "lua");
const BUNDLE = join(root, "build", "tests.lua");
const TESTLIB = readFileSync(join(root, "test", "unit", "lua", "testlib.lua"), "utf8");

function specFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return specFiles(path);
    return entry.name.endsWith(".spec.ts") ? [path] : [];
  });
}

function readBundle(): string {
  try {
    return readFileSync(BUNDLE, "utf8");
  } catch {
    throw new Error(`${BUNDLE} is missing: run "npm run build:tests" (vitest's setup does)`);
  }
}

/** TSTL names a module by its path from the project root, joined by dots (a dot in a name becomes "_"). */
const moduleOf = (file: string) =>
  relative(root, file)
    .replace(/\.ts$/, "")
    .split(sep)
    .map((part) => part.replaceAll(".", "_"))
    .join(".");

const bundleLiteral = luaStringLiteral(readBundle());

/** Repository files a spec may read with `repoFile` (docs checked against the code). */
const REPO_FILES = ["README.md"];
const repoFilesLiteral = `{ ${REPO_FILES.map(
  (path) =>
    `[${luaStringLiteral(path)}] = ${luaStringLiteral(readFileSync(join(root, path), "utf8"))}`,
).join(", ")} }`;

/** A VM with the spec bundle compiled once (FRESH_RUNNER() runs it afresh for each test). */
function open(create: () => LuaVm): LuaVm {
  const vm = create();
  vm.run(`T = (loadstring or load)(${luaStringLiteral(TESTLIB)}, "=testlib.lua")()`);
  vm.run(`FRESH_RUNNER = T.compileSpecs(${bundleLiteral}, ${repoFilesLiteral})`);
  return vm;
}

interface Result {
  ok: boolean;
  message?: string;
  actual?: unknown;
  expected?: unknown;
  diff?: boolean;
}

// Listing needs one VM; the module registers its tests as it is required.
const lister = open(LUA_VMS[LUA_VMS.length - 1].create);
lister.run("RUNNER = FRESH_RUNNER()");
const specs = specFiles(SPEC_ROOT).map((file) => {
  const module = moduleOf(file);
  const names = JSON.parse(lister.run(`return RUNNER.list(${luaStringLiteral(module)})`));
  return { file: relative(SPEC_ROOT, file).split(sep).join("/"), module, names: names as string[] };
});
lister.close();

// One VM per interpreter and spec file, so that the bundle is parsed once per file; each
// test runs in a fresh copy of the bundle (its modules' state starts over) and a fresh
// sandbox and engine, after a full garbage collection where the VM has one.
describe.each(LUA_VMS)("specs under $name", ({ create }) => {
  for (const spec of specs) {
    describe(spec.file, () => {
      let vm: LuaVm | undefined;
      beforeAll(() => {
        vm = open(create);
      });
      afterAll(() => {
        vm?.close();
        vm = undefined;
      });
      spec.names.forEach((name, index) => {
        it(name, () => {
          if (vm === undefined) throw new Error("the spec VM did not open");
          const result = JSON.parse(
            vm.run(
              `pcall(collectgarbage, "collect") -- fengari has no collector of its own
               return FRESH_RUNNER().run(${luaStringLiteral(spec.module)}, ${index})`,
            ),
          ) as Result;
          if (!result.ok) {
            // A structural failure is shown by vitest's own diff.
            if (result.diff) expect(result.actual, result.message).toEqual(result.expected);
            throw new Error(result.message);
          }
        });
      });
    });
  }
});
