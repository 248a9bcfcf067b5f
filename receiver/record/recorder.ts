// Appends one session's lines to its recording file. Each line is written with one
// synchronous write, so a crash of the receiver loses at most the line being written. A write
// error (disk full, no permission) stops this recording, is reported once, and never reaches
// the live side.
import fs from "node:fs";
import path from "node:path";
import { describeFileError } from "./fileErrors.ts";
import { makeDirectory } from "./makeDirectory.ts";
import type { EncodedRecord } from "./recordingFormat.ts";

/**
 * Every record is assembled here and written with one call: writes are synchronous, so one
 * buffer serves every recorder, and the hot path allocates nothing. Larger records (a big
 * unitdefs part) get a buffer of their own.
 */
const scratch = Buffer.allocUnsafe(64 * 1024);

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
      makeDirectory(options.directory);
      this.fd = this.open(options.fileName);
      const header = JSON.stringify({ t: options.now(), recording: options.header });
      this.write({ head: header, body: null, tail: "" });
      this.lines = 0;
    } catch (error) {
      this.fail(error);
    }
  }

  get active(): boolean {
    return this.fd !== null;
  }

  /** Writes one recording line and its newline. */
  write(record: EncodedRecord): void {
    if (this.fd === null) return;
    try {
      const { head, body, tail } = record;
      const bodyLength = body ? body.length : 0;
      let bytes: Buffer;
      // 3 bytes per UTF-16 unit is the most UTF-8 can need: no need to measure first.
      if ((head.length + tail.length) * 3 + bodyLength + 1 <= scratch.length) {
        let n = scratch.write(head, 0, "utf8");
        if (body) n += body.copy(scratch, n);
        n += scratch.write(tail, n, "utf8");
        scratch[n++] = 0x0a;
        bytes = scratch.subarray(0, n);
      } else {
        bytes = Buffer.concat([
          Buffer.from(head),
          body ?? Buffer.alloc(0),
          Buffer.from(`${tail}\n`),
        ]);
      }
      writeAll(this.fd, bytes);
      this.lines++;
      this.bytes += bytes.length;
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Opens the file again for appending after close(): the session came back (a reconnect).
   * Not after an error, which stopped this recording for good.
   */
  reopen(): void {
    if (this.fd !== null || this.error !== null || this.path === null) return;
    try {
      this.fd = fs.openSync(this.path, "a");
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
    this.error = `recording ${this.path ?? this.options.directory} stopped: ${describeFileError(error, this.options.directory)}`;
    this.close();
    this.options.onError(this.error);
  }
}

/** writeSync may write less than asked (a disk filling up); the rest follows or fails. */
function writeAll(fd: number, bytes: Buffer): void {
  let written = 0;
  while (written < bytes.length) written += fs.writeSync(fd, bytes, written);
}
