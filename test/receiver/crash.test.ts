// A receiver killed outright (SIGKILL; TerminateProcess on Windows) loses nothing it had
// acknowledged: every line is in the recording file the moment it was processed, no buffer
// in the process waits for a flush.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { decodeRecordedLine } from "../../receiver/record/recordingFormat.ts";
import { FIXTURE, freePort } from "./helpers.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe("a receiver that crashes", () => {
  it("has recorded every line it acknowledged", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "receiver-crash-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const [port, httpPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [
        "--import",
        TSX_LOADER,
        "receiver/cli/main.ts",
        ...["--port", String(port), "--http-port", String(httpPort), "--recordings", dir],
      ],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    cleanups.push(() => child.kill("SIGKILL"));
    let stdout = "";
    child.stdout!.setEncoding("utf8");
    while (!stdout.includes("widgets: listening")) {
      const [text] = (await once(child.stdout!, "data")) as [string];
      stdout += text;
    }

    const widget = net.connect({ host: "127.0.0.1", port });
    cleanups.push(() => widget.destroy());
    await once(widget, "connect");
    let replies = "";
    widget.setEncoding("utf8").on("data", (text: string) => (replies += text));
    widget.write(`${FIXTURE.join("\n")}\n`);
    const lastSeq = (JSON.parse(FIXTURE.at(-1)!) as { seq: number }).seq;
    while (!replies.includes(`{"type":"ack","seq":${lastSeq},`)) await once(widget, "data");

    child.kill("SIGKILL");
    await once(child, "close");

    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const recorded = readFileSync(path.join(dir, files[0]!), "utf8")
      .trimEnd()
      .split("\n")
      .slice(1) // the header
      .map((text) => {
        const record = decodeRecordedLine(text);
        return record.kind === "line" ? record.line.bytes!.toString() : text;
      });
    const { token: _token, ...hello } = JSON.parse(FIXTURE[0]!) as Record<string, unknown>;
    expect(recorded).toEqual([JSON.stringify(hello), ...FIXTURE.slice(1)]);
  });
});
