// Prints the plain closing line "N passed, N failed, N skipped" from vitest's JSON
// report, so any CI can read the outcome without knowing vitest's own format.
import { readFileSync } from "node:fs";

const report = JSON.parse(
  readFileSync(new URL("../build/test-results.json", import.meta.url), "utf8"),
);
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
process.exit(report.numFailedTests > 0 || report.numPassedTests === 0 ? 1 : 0);
