/**
 * The README's settings and commands tables against the declarations they describe,
 * so the docs cannot drift: every setting's row (key, default, range, commands) and
 * every command's usage.
 */
import { describe, expect, it, repoFile } from "../framework";
import { COMMANDS } from "../../../src/app/commands";
import { formatNumber } from "../../../src/app/format";
import { SETTING_LIST, SETTING_RULES, SomeSetting } from "../../../src/app/settings";

/** The table rows (cells trimmed) of the README section headed `heading`. */
function tableRows(this: void, heading: string): string[][] {
  const text = repoFile("README.md");
  const [start] = string.find(text, `\n## ${heading}\n`, 1, true);
  expect(start).toBeDefined();
  const [stop] = string.find(text, "\n## ", start! + 1, true);
  const section = string.sub(text, start!, stop ?? -1);
  const rows: string[][] = [];
  for (const [line] of string.gmatch(section, "\n(|[^\n]*)")) {
    if (string.find(line, "^|%s*%-%-")[0] !== undefined) continue; // the separator row
    const cells: string[] = [];
    // Cells split on "|" not escaped as "\|".
    const [marked] = string.gsub(line, "\\|", "\0");
    for (const [cell] of string.gmatch(marked, "|([^|]*)")) {
      const [restored] = string.gsub(cell, "%z", "|");
      const [trimmed] = string.gsub(restored, "^%s*(.-)%s*$", "%1");
      cells.push(trimmed);
    }
    if (cells[cells.length - 1] === "") cells.pop();
    rows.push(cells);
  }
  return rows.slice(1); // without the header
}

function savedForm(this: void, value: unknown): string {
  return typeof value === "number" ? formatNumber(value) : tostring(value);
}

/** The row the README must have for a setting. */
function expectedRow(this: void, entry: SomeSetting): string[] {
  const unit = entry.kind.unit !== undefined ? ` ${entry.kind.unit}` : "";
  let range = entry.kind.range;
  for (const rule of SETTING_RULES) {
    if (rule.key === entry.key) range += `, ${rule.doc}`;
  }
  const commands = COMMANDS.filter((spec) => spec.changes.includes(entry.key)).map(
    (spec) => `\`${spec.name}\``,
  );
  return [`\`${entry.key}\``, `\`${savedForm(entry.default)}\`${unit}`, range, commands.join(", ")];
}

describe("README settings table", () => {
  it("has one row per setting, in the declaration's order", () => {
    const keys = tableRows("Settings").map((row) => row[0]);
    expect(keys).toEqual(SETTING_LIST.map((entry) => `\`${entry.key}\``));
  });

  it("gives each setting's default, range and commands as declared", () => {
    const rows = tableRows("Settings");
    SETTING_LIST.forEach((entry, i) => {
      expect(rows[i]).toEqual(expectedRow(entry));
    });
  });

  it("names a command for every setting besides set", () => {
    for (const entry of SETTING_LIST) {
      expect(expectedRow(entry)[3]).not.toBe("");
    }
  });
});

describe("README commands table", () => {
  const usages = (): string[] =>
    tableRows("Commands").map((row) => {
      const [usage] = string.match(row[0]!, "^`/livedata (.*)`$");
      return usage ?? row[0]!;
    });

  it("lists every command's usage as help gives it", () => {
    const documented = usages();
    for (const spec of COMMANDS) {
      for (const line of spec.help) expect(documented).toContain(line.usage);
    }
  });

  it("lists nothing that is not a command", () => {
    const known: string[] = [];
    for (const spec of COMMANDS) for (const line of spec.help) known.push(line.usage);
    for (const usage of usages()) expect(known).toContain(usage);
  });
});
