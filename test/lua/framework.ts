/**
 * A small test framework for specs written in TypeScript, transpiled by TSTL together
 * with the modules under test and run in Lua (fengari and Lua 5.1), so the code is
 * tested as the engine runs it. Specs register with `describe`/`it` when their module
 * is required; `test/unit/lua-specs.test.ts` lists them and runs each in a fresh VM
 * through `test/lua/runner.ts`.
 */

type Body = (this: void) => void;

/** A registered test: its full name and what runs before, during and after it. */
export interface TestCase {
  name: string;
  fn: Body;
  before: Body[];
  after: Body[];
}

interface Scope {
  prefix: string;
  before: Body[];
  after: Body[];
}

const registered: TestCase[] = [];
let scope: Scope = { prefix: "", before: [], after: [] };

/** Groups tests; names join with " > ". Hooks registered inside apply to the group only. */
export function describe(this: void, name: string, body: Body): void {
  const outer = scope;
  scope = {
    prefix: outer.prefix === "" ? name : `${outer.prefix} > ${name}`,
    before: [...outer.before],
    after: [...outer.after],
  };
  body();
  scope = outer;
}

export function it(this: void, name: string, fn: Body): void {
  registered.push({
    name: scope.prefix === "" ? name : `${scope.prefix} > ${name}`,
    fn,
    before: [...scope.before],
    after: [...scope.after],
  });
}

export function beforeEach(this: void, fn: Body): void {
  scope.before.push(fn);
}

export function afterEach(this: void, fn: Body): void {
  scope.after.unshift(fn);
}

/** The tests registered so far, in order. */
export function registeredTests(this: void): readonly TestCase[] {
  return registered;
}

/** Raised by a failed expectation; the runner reports actual and expected apart. */
export interface AssertionFailure {
  assertion: true;
  message: string;
  actual?: unknown;
  expected?: unknown;
  /** Whether actual and expected are worth a structural diff (toEqual). */
  diff: boolean;
}

function fail(
  this: void,
  message: string,
  actual?: unknown,
  expected?: unknown,
  diff = false,
): never {
  const failure: AssertionFailure = { assertion: true, message, actual, expected, diff };
  throw failure;
}

/** A readable one-line form of any Lua value, for failure messages. */
export function show(this: void, value: unknown, depth = 0): string {
  if (typeof value === "string") return string.format("%q", value);
  if (typeof value !== "object" || value === null) return tostring(value);
  if (depth > 3) return "{...}";
  const t = value as LuaTable<AnyNotNil, unknown>;
  const parts: string[] = [];
  const n = (value as unknown[]).length;
  for (let i = 1; i <= n; i++) parts.push(show(t.get(i), depth + 1));
  const keys: string[] = [];
  const byKey = new LuaTable<string, unknown>();
  for (const [k, v] of pairs(t)) {
    if (typeof k === "number" && k >= 1 && k <= n && math.floor(k) === k) continue;
    const key = tostring(k);
    keys.push(key);
    byKey.set(key, v);
  }
  table.sort(keys);
  for (const key of keys) parts.push(`${key} = ${show(byKey.get(key), depth + 1)}`);
  return `{ ${parts.join(", ")} }`;
}

/** Deep equality: tables by their keys and values (both ways), everything else by `==`. */
export function deepEqual(this: void, a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    // nan is not equal to itself in Lua either; treat two nans as equal for tests.
    return typeof a === "number" && typeof b === "number" && a !== a && b !== b;
  }
  const ta = a as LuaTable<AnyNotNil, unknown>;
  const tb = b as LuaTable<AnyNotNil, unknown>;
  for (const [k, v] of pairs(ta)) {
    if (!deepEqual(v, tb.get(k))) return false;
  }
  for (const [k] of pairs(tb)) {
    if (ta.get(k) === undefined) return false;
  }
  return true;
}

function lengthOf(this: void, value: unknown): number | undefined {
  if (typeof value === "string") return value.length;
  if (typeof value === "object" && value !== null) return (value as unknown[]).length;
  return undefined;
}

function contains(this: void, haystack: unknown, needle: unknown): boolean {
  if (typeof haystack === "string" && typeof needle === "string") {
    return string.find(haystack, needle, 1, true)[0] !== undefined;
  }
  if (typeof haystack === "object" && haystack !== null) {
    for (const [, v] of pairs(haystack as LuaTable<AnyNotNil, unknown>)) {
      if (deepEqual(v, needle)) return true;
    }
  }
  return false;
}

export interface Matchers {
  /** The same matchers, negated. */
  readonly not: Matchers;
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeUndefined(): void;
  toBeDefined(): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toBeGreaterThan(n: number): void;
  toBeGreaterThanOrEqual(n: number): void;
  toBeLessThan(n: number): void;
  toBeLessThanOrEqual(n: number): void;
  /** |actual - expected| < 10^-digits / 2, as in vitest (default 2 digits). */
  toBeCloseTo(expected: number, digits?: number): void;
  /** A substring (plain, not a pattern) or an element (deep equality) of an array. */
  toContain(item: unknown): void;
  /** A Lua pattern. */
  toMatch(pattern: string): void;
  toHaveLength(n: number): void;
  /** The function raises an error, whose text contains `substring` when given. */
  toThrow(substring?: string): void;
}

function makeMatchers(this: void, actual: unknown, negated: boolean, withNot = true): Matchers {
  const check = (pass: boolean, what: string, expected?: unknown, diff = false): void => {
    if (pass === negated) {
      const message = `expected ${show(actual)} ${negated ? "not " : ""}${what}`;
      fail(message, actual, expected, diff && !negated);
    }
  };
  const num = (): number => {
    if (typeof actual !== "number") fail(`expected a number, got ${show(actual)}`);
    return actual as number;
  };
  return {
    // Built eagerly one level deep (TSTL has no accessors in object literals).
    not: (withNot ? makeMatchers(actual, !negated, false) : undefined) as Matchers,
    toBe: (expected) => check(actual === expected, `to be ${show(expected)}`, expected),
    toEqual: (expected) =>
      check(deepEqual(actual, expected), `to equal ${show(expected)}`, expected, true),
    toBeUndefined: () => check(actual === undefined, "to be nil"),
    toBeDefined: () => check(actual !== undefined, "to be defined"),
    toBeTruthy: () => check(actual !== undefined && actual !== false, "to be truthy"),
    toBeFalsy: () => check(actual === undefined || actual === false, "to be falsy"),
    toBeGreaterThan: (n) => check(num() > n, `to be > ${n}`),
    toBeGreaterThanOrEqual: (n) => check(num() >= n, `to be >= ${n}`),
    toBeLessThan: (n) => check(num() < n, `to be < ${n}`),
    toBeLessThanOrEqual: (n) => check(num() <= n, `to be <= ${n}`),
    toBeCloseTo: (expected, digits = 2) =>
      check(
        math.abs(num() - expected) < 10 ** -digits / 2,
        `to be close to ${expected} (${digits} digits)`,
      ),
    toContain: (item) => check(contains(actual, item), `to contain ${show(item)}`),
    toMatch: (pattern) =>
      check(
        typeof actual === "string" && string.find(actual, pattern)[0] !== undefined,
        `to match ${show(pattern)}`,
      ),
    toHaveLength: (n) => check(lengthOf(actual) === n, `to have length ${n}`),
    toThrow: (substring) => {
      if (typeof actual !== "function") fail(`expected a function, got ${show(actual)}`);
      const [ok, err] = pcall(actual as (this: void) => void);
      const text = ok ? "" : typeof err === "string" ? err : show(err);
      const pass =
        !ok && (substring === undefined || string.find(text, substring, 1, true)[0] !== undefined);
      check(
        pass,
        substring === undefined
          ? "to throw"
          : `to throw an error containing ${show(substring)}${ok ? " (it did not throw)" : `, got ${show(text)}`}`,
      );
    },
  };
}

export function expect(this: void, actual: unknown): Matchers {
  return makeMatchers(actual, false);
}

declare const REPO_FILES: LuaTable<string, string>;

/**
 * The text of a repository file that `test/unit/lua-specs.test.ts` hands to the specs
 * (listed in its REPO_FILES), so that docs can be checked against the code. Throws for
 * a file not handed over.
 */
export function repoFile(this: void, path: string): string {
  const text = REPO_FILES.get(path);
  if (text === undefined) {
    throw `repoFile: ${path} is not in REPO_FILES of test/unit/lua-specs.test.ts`;
  }
  return text;
}
