// Appends one session's lines to its recording file. Each line is written with one
// synchronous write, so a crash of the receiver loses at most the line being written. A write
// error (disk full, no permission) stops this recording, is reported once, and never reaches
// the live side.
import fs from "node:fs";
import path from "node:path";

export interface RecorderOptions {
  directory: string;
  fileName: string;
  /** Appended to the name when the file exists already (two widgets of one game). */
  fallbackSuffix: string;
  header: Record<string, unknown>;
  now: () => number;
  /** Told once when recording stops because of an error. */
  onError: (message: string) => void;
}

export class Recorder {
  path: string | null = null;
  error: string | null = null;
  lines = 0;
  bytes = 0;
  private fd: number | null = null;

  constructor(private readonly options: RecorderOptions) {
    try {
      fs.mkdirSync(options.directory, { recursive: true });
      this.fd = this.open(options.fileName);
      this.write(JSON.stringify({ t: options.now(), recording: options.header }));
      this.lines = 0;
    } catch (error) {
      this.fail(error);
    }
  }

  get active(): boolean {
    return this.fd !== null;
  }

  /** Writes one recording line (without its newline). */
  write(line: string): void {
    if (this.fd === null) return;
    try {
      const bytes = Buffer.from(`${line}\n`, "utf8");
      fs.writeSync(this.fd, bytes);
      this.lines++;
      this.bytes += bytes.length;
    } catch (error) {
      this.fail(error);
    }
  }

  close(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // Closing can report a delayed write error; the data already written stays.
    }
    this.fd = null;
  }

  private open(fileName: string): number {
    const { directory, fallbackSuffix } = this.options;
    const first = path.join(directory, fileName);
    try {
      this.path = first;
      return fs.openSync(first, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const second = path.join(
        directory,
        fileName.replace(/\.ndjson$/, `_${fallbackSuffix}.ndjson`),
      );
      this.path = second;
      return fs.openSync(second, "a");
    }
  }

  private fail(error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    const hint =
      code === "ENOSPC"
        ? "the disk is full"
        : code === "EACCES" || code === "EPERM"
          ? "no permission to write there (choose another folder with --recordings)"
          : code === "EROFS"
            ? "the file system is read-only"
            : (error as Error).message;
    this.error = `recording ${this.path ?? this.options.directory} stopped: ${hint}${code ? ` (${code})` : ""}`;
    this.close();
    this.options.onError(this.error);
  }
}
