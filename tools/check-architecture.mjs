// Checks the widget's architecture, so that the folder layout stays true:
// - only src/engine/ and src/main.ts name the engine's globals (what types/ declares as
//   values, and the Lua libraries that reach outside the widget: os, io, debug);
// - a folder imports only the folders below it (LAYERS);
// - the top-level protocol/ imports nothing (it is compiled for the widget and Node).
// Exported for its own test; tools/build.mjs runs it before transpiling.
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** What each part of the widget may import; a part not listed may import nothing of ours. */
export const LAYERS = {
  protocol: [],
  "src/core": ["protocol"],
  "src/link": ["src/core"],
  "src/sched": ["src/core"],
  "src/collect": ["src/core", "protocol"],
  "src/protocol": ["src/core", "src/collect", "protocol"],
  "src/app": ["src/core", "src/link", "src/sched", "src/collect", "src/protocol", "protocol"],
  "src/engine": ["src/core", "src/link", "src/sched", "src/collect", "protocol"],
  "src/main.ts": ["*"],
};

/** Lua libraries that are engine surface inside BAR (clock, files, debug hooks). */
const ENGINE_LIBRARIES = new Set(["os", "io", "debug"]);
const ENGINE_PARTS = ["src/engine", "src/main.ts"];

function partOf(path) {
  const p = path.split(sep).join("/");
  return Object.keys(LAYERS)
    .filter((part) => p === part || p.startsWith(part + "/"))
    .sort((a, b) => b.length - a.length)[0];
}

function isTypePosition(node) {
  for (let n = node.parent; n !== undefined; n = n.parent) {
    if (ts.isTypeNode(n) || ts.isTypeAliasDeclaration(n) || ts.isInterfaceDeclaration(n)) {
      return true;
    }
    if (ts.isStatement(n) && !ts.isTypeAliasDeclaration(n)) return false;
  }
  return false;
}

/**
 * Returns one message per violation in the program of `tsconfigPath`, for the files
 * under `root` (paths in messages are relative to it).
 */
export function checkArchitecture(tsconfigPath, root = dirname(tsconfigPath)) {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(tsconfigPath),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  const program = ts.createProgram(config.fileNames, config.options);
  const checker = program.getTypeChecker();
  const typesDir = join(resolve(root), "types") + sep;
  const problems = [];

  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile) continue;
    const rel = relative(root, file.fileName);
    if (rel.startsWith("..")) continue;
    const part = partOf(rel);
    if (part === undefined) continue; // tests and tools: not part of the widget
    const where = (node) =>
      `${rel.split(sep).join("/")}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;

    for (const statement of file.statements) {
      const spec =
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
        statement.moduleSpecifier !== undefined &&
        ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier.text
          : undefined;
      if (spec === undefined || !spec.startsWith(".")) continue;
      const target = partOf(relative(root, resolve(dirname(file.fileName), spec)));
      const allowed = LAYERS[part];
      if (target !== part && !allowed.includes("*") && !allowed.includes(target)) {
        problems.push(`${where(statement)}: ${part} may not import ${target ?? spec}`);
      }
    }

    if (ENGINE_PARTS.includes(part)) continue;
    const visit = (node) => {
      if (ts.isIdentifier(node) && !isTypePosition(node)) {
        const parent = node.parent;
        const isPropertyName =
          (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
          (ts.isPropertyAssignment(parent) && parent.name === node) ||
          (ts.isMethodDeclaration(parent) && parent.name === node) ||
          (ts.isPropertyDeclaration(parent) && parent.name === node) ||
          (ts.isPropertySignature(parent) && parent.name === node);
        const symbol = isPropertyName ? undefined : checker.getSymbolAtLocation(node);
        const declarations = symbol?.declarations ?? [];
        // The compiler names files with forward slashes on every OS.
        const fromEngineTypes = declarations.some((d) =>
          d.getSourceFile().fileName.startsWith(typesDir.split(sep).join("/")),
        );
        const isValue = symbol !== undefined && (symbol.flags & ts.SymbolFlags.Value) !== 0;
        const isLibrary =
          symbol !== undefined &&
          ENGINE_LIBRARIES.has(node.text) &&
          declarations.some((d) => d.getSourceFile().isDeclarationFile);
        if ((fromEngineTypes && isValue) || isLibrary) {
          problems.push(
            `${where(node)}: ${node.text} is an engine global: only src/engine/ and src/main.ts may use it`,
          );
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return problems;
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] !== undefined && resolve(process.argv[1]) === self) {
  const root = join(dirname(self), "..");
  const problems = checkArchitecture(join(root, "tsconfig.json"), root);
  for (const p of problems) console.error(`architecture: ${p}`);
  if (problems.length > 0) process.exit(1);
  console.log("architecture: ok");
}
