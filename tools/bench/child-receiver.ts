/**
 * The receiver as a user runs it (`npm run receiver`, here node with tsx's loader, so that
 * stopping it stops the receiver), in a child process whose CPU time and memory are its
 * own: the pipeline benchmark and soak measure them from /proc (Linux).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { ReceiverUnderTest } from "../../test/host/pipeline.ts";
import { REPO_ROOT } from "../../test/support/interpreters.ts";

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** CPU seconds (user + system) since the process started. */
  cpuSeconds: number;
  /** Resident memory, MiB. */
  rssMiB: number;
}

export class ChildReceiver implements ReceiverUnderTest {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** What the receivers wrote to stderr. */
  output = "";
  /** Starts (every start is a new process). */
  starts = 0;

  /** `temporary`: the recordings folder is the run's own (removed with its files). */
  constructor(
    readonly widgetPort: number,
    readonly httpPort: number,
    readonly recordingsDir: string,
    readonly temporary = false,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      process.execPath,
      [
        ...["--import", TSX_LOADER, "receiver/cli/main.ts"],
        ...["--port", String(this.widgetPort), "--http-port", String(this.httpPort)],
        ...["--recordings", this.recordingsDir],
      ],
      { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "pipe"] },
    );
    this.child = child;
    this.starts++;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    // Started once it says where its overlay is; its log is drained (a full pipe would
    // stop it) and its errors kept.
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      let started = false;
      const timer = setTimeout(() => reject(new Error(`receiver did not start:\n${seen}`)), 30_000);
      child.stdout!.on("data", (chunk: Buffer) => {
        if (started) return;
        seen += chunk.toString();
        if (/overlay for OBS/.test(seen)) {
          started = true;
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
      child.once("exit", (code) => {
        clearTimeout(timer);
        if (!started) reject(new Error(`receiver exited with ${code}:\n${seen}${this.output}`));
      });
    });
  }

  /** Stops it: SIGTERM closes it cleanly; `crash` kills it outright (SIGKILL). */
  async stop(crash = false): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    child.kill(crash ? "SIGKILL" : "SIGTERM");
    await this.exited;
  }

  async cut(): Promise<void> {
    this.child?.stdin!.write("kick\n");
  }

  /** CPU time and resident memory of the running receiver, from /proc. */
  usage(): ProcessUsage | undefined {
    const pid = this.child?.pid;
    if (pid === undefined) return undefined;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces) start after ") ".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      return { cpuSeconds: ticks / TICKS_PER_SECOND, rssMiB: Number(rss?.[1] ?? NaN) / 1024 };
    } catch {
      return undefined;
    }
  }
}
