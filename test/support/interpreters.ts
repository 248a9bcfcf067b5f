/**
 * The Lua 5.1 interpreters the end-to-end tests run the widget under.
 *
 * - "lua5.1 (double)": `.cache/lua/double/bin/lua5.1` (Debian's lua5.1 plus the
 *   hostclock module, made by `npm run setup:lua`), else `lua5.1` on PATH with
 *   LuaSocket (`require("socket")` must work).
 * - "lua5.1 (float, engine-like)": `.cache/lua/float/bin/lua5.1`, Lua 5.1 with
 *   single-precision numbers as in the engine, with its own LuaSocket and
 *   hostclock.
 *
 * The cache directory can be moved with the environment variable
 * `BAR_LUA_CACHE` (default `<repo>/.cache/lua`).
 *
 * Each candidate is probed once (it must run, load LuaSocket, and compute with
 * the expected number type). A missing interpreter never passes silently: call
 * {@link registerMissingInterpreterTests} in a test file; it adds a skipped test
 * whose name says how to install it, and a failing test when `CI=true`.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "vitest";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type NumberType = "double" | "float";

export interface LuaInterpreter {
  /** "lua5.1 (double)" or "lua5.1 (float, engine-like)". */
  name: string;
  /** Absolute path, or a bare command name found on PATH. */
  path: string;
  numbers: NumberType;
  /** Whether `require("hostclock")` works (precise timing; required under float). */
  hostclock: boolean;
  /** LuaSocket version the interpreter loads. */
  socket: string;
}

export interface MissingInterpreter {
  name: string;
  /** Why it is not usable (what was tried). */
  reason: string;
  /** How to get it. */
  install: string;
}

export interface InterpreterSurvey {
  available: LuaInterpreter[];
  missing: MissingInterpreter[];
}

/** Where `npm run setup:lua` puts the interpreters. */
export function luaCacheDir(): string {
  return process.env.BAR_LUA_CACHE ?? path.join(REPO_ROOT, ".cache/lua");
}

export const DOUBLE_NAME = "lua5.1 (double)";
export const FLOAT_NAME = "lua5.1 (float, engine-like)";
export const INSTALL_HINT =
  "run `sudo npm run setup:lua` once (Debian, Ubuntu or WSL: it installs lua5.1, lua-socket, liblua5.1-0-dev and the build tools, then builds the float interpreter)";

const PROBE =
  'local s = require("socket"); local ok = pcall(require, "hostclock"); ' +
  'io.write((2^24 + 1 == 2^24) and "float" or "double", " ", tostring(ok), " ", s._VERSION)';

interface ProbeResult {
  ok: boolean;
  numbers?: NumberType;
  hostclock?: boolean;
  socket?: string;
  error?: string;
}

function probe(command: string): ProbeResult {
  const r = spawnSync(command, ["-e", PROBE], { encoding: "utf8", timeout: 15_000 });
  if (r.error) {
    return { ok: false, error: r.error.message };
  }
  if (r.status !== 0) {
    return { ok: false, error: `exit ${r.status}: ${(r.stderr || r.stdout).trim()}` };
  }
  const m = /^(float|double) (true|false) (.+)$/.exec(r.stdout.trim());
  if (!m) {
    return { ok: false, error: `unexpected probe output: ${JSON.stringify(r.stdout)}` };
  }
  return { ok: true, numbers: m[1] as NumberType, hostclock: m[2] === "true", socket: m[3] };
}

function tryCandidate(
  name: string,
  command: string,
  want: NumberType,
): { interpreter?: LuaInterpreter; problem?: string } {
  const p = probe(command);
  if (!p.ok) {
    return { problem: `${command}: ${p.error}` };
  }
  if (p.numbers !== want) {
    return { problem: `${command} computes with ${p.numbers} numbers, expected ${want}` };
  }
  if (want === "float" && !p.hostclock) {
    return { problem: `${command} has no hostclock module (needed under float numbers)` };
  }
  return {
    interpreter: {
      name,
      path: command,
      numbers: want,
      hostclock: p.hostclock === true,
      socket: p.socket ?? "?",
    },
  };
}

let cached: InterpreterSurvey | undefined;

/** Probe the interpreters once per process. */
export function surveyInterpreters(): InterpreterSurvey {
  if (cached) {
    return cached;
  }
  const available: LuaInterpreter[] = [];
  const missing: MissingInterpreter[] = [];

  const doubleProblems: string[] = [];
  const cachedDouble = path.join(luaCacheDir(), "double/bin/lua5.1");
  let double: LuaInterpreter | undefined;
  if (existsSync(cachedDouble)) {
    const r = tryCandidate(DOUBLE_NAME, cachedDouble, "double");
    double = r.interpreter;
    if (r.problem) doubleProblems.push(r.problem);
  } else {
    doubleProblems.push(`${cachedDouble} does not exist`);
  }
  if (!double) {
    const r = tryCandidate(DOUBLE_NAME, "lua5.1", "double");
    double = r.interpreter;
    if (r.problem) doubleProblems.push(r.problem);
  }
  if (double) {
    available.push(double);
  } else {
    missing.push({ name: DOUBLE_NAME, reason: doubleProblems.join("; "), install: INSTALL_HINT });
  }

  const cachedFloat = path.join(luaCacheDir(), "float/bin/lua5.1");
  if (existsSync(cachedFloat)) {
    const r = tryCandidate(FLOAT_NAME, cachedFloat, "float");
    if (r.interpreter) {
      available.push(r.interpreter);
    } else {
      missing.push({ name: FLOAT_NAME, reason: r.problem ?? "unusable", install: INSTALL_HINT });
    }
  } else {
    missing.push({
      name: FLOAT_NAME,
      reason: `${cachedFloat} does not exist`,
      install: INSTALL_HINT,
    });
  }

  cached = { available, missing };
  return cached;
}

/** The interpreters that are present and usable. */
export function luaInterpreters(): LuaInterpreter[] {
  return surveyInterpreters().available;
}

export function isCI(): boolean {
  return process.env.CI === "true";
}

/**
 * Make missing interpreters visible in the test report: a skipped test named
 * after the interpreter and the install command (and a console warning), or,
 * when `CI=true`, a failing test.
 */
export function registerMissingInterpreterTests(): void {
  for (const m of surveyInterpreters().missing) {
    const message = `${m.name} is missing (${m.reason}): ${m.install}`;
    if (isCI()) {
      test(`${m.name} is available (required when CI=true)`, () => {
        throw new Error(message);
      });
    } else {
      console.warn(`[interpreters] ${message}`);
      test.skip(`${m.name} MISSING: ${m.install}`, () => {});
    }
  }
}
