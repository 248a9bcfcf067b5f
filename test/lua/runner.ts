/**
 * Entry point of the spec bundle (build/tests.lua). The JavaScript side loads the
 * bundle into a sandbox shaped like BAR's widget environment and calls `list` and
 * `run`; both answer in JSON so that results cross any Lua VM binding as a string.
 */
import { AssertionFailure, registeredTests, show } from "./framework";

declare function require(this: void, module: string): unknown;

function jsonString(this: void, s: string): string {
  const [escaped] = string.gsub(s, '[%c"\\]', (c: string) => {
    if (c === '"') return '\\"';
    if (c === "\\") return "\\\\";
    return string.format("\\u%04x", string.byte(c));
  });
  return `"${escaped}"`;
}

/** JSON for test results: tables with keys 1..n are arrays, other tables objects. */
function toJson(this: void, value: unknown, depth = 0): string {
  if (value === undefined) return "null";
  if (typeof value === "boolean") return tostring(value);
  if (typeof value === "number") {
    if (value !== value || value === math.huge || value === -math.huge) {
      return jsonString(tostring(value));
    }
    return math.floor(value) === value && math.abs(value) < 2 ** 53
      ? string.format("%d", value)
      : string.format("%.17g", value);
  }
  if (typeof value === "string") return jsonString(value);
  if (typeof value !== "object" || depth > 20) return jsonString(show(value));
  const t = value as LuaTable<AnyNotNil, unknown>;
  const n = (value as unknown[]).length;
  let count = 0;
  for (const [_key] of pairs(t)) count++;
  if (n > 0 && count === n) {
    const items: string[] = [];
    for (let i = 1; i <= n; i++) items.push(toJson(t.get(i), depth + 1));
    return `[${items.join(",")}]`;
  }
  const fields: string[] = [];
  for (const [k, v] of pairs(t)) fields.push(`${jsonString(tostring(k))}:${toJson(v, depth + 1)}`);
  table.sort(fields);
  return `{${fields.join(",")}}`;
}

/** Requires a spec module and returns the names of the tests it registered, as JSON. */
export function list(this: void, module: string): string {
  const before = registeredTests().length;
  require(module);
  return toJson(
    registeredTests()
      .slice(before)
      .map((t) => t.name),
  );
}

function isAssertion(this: void, err: unknown): err is AssertionFailure {
  return typeof err === "object" && err !== null && (err as AssertionFailure).assertion === true;
}

/**
 * Requires a spec module and runs its test number `index` (0-based) with its hooks.
 * Returns JSON: `{ok: true}` or `{ok: false, message, actual?, expected?, diff}`.
 */
export function run(this: void, module: string, index: number): string {
  const before = registeredTests().length;
  require(module);
  const test = registeredTests()[before + index];
  if (test === undefined) return toJson({ ok: false, message: `no test #${index} in ${module}` });
  let failure: unknown = undefined;
  const attempt = (fn: (this: void) => void): void => {
    if (failure !== undefined) return;
    const [ok, err] = xpcall(fn, (e: unknown) =>
      isAssertion(e) || typeof e !== "string" ? e : debug.traceback(e, 2),
    );
    if (!ok) failure = err ?? "error with no value";
  };
  for (const hook of test.before) attempt(hook);
  attempt(test.fn);
  // afterEach hooks run even after a failure, like vitest's.
  const failed = failure;
  failure = undefined;
  for (const hook of test.after) attempt(hook);
  const err = failed ?? failure;
  if (err === undefined) return toJson({ ok: true });
  if (isAssertion(err)) {
    return toJson({
      ok: false,
      message: err.message,
      actual: err.diff ? err.actual : undefined,
      expected: err.diff ? err.expected : undefined,
      diff: err.diff,
    });
  }
  return toJson({ ok: false, message: typeof err === "string" ? err : show(err) });
}
