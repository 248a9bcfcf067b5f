// What a failed file operation of a recording means to the operator, in a few words and its
// code: the same words at start-up (the folder) and when a session's recording stops.
import fs from "node:fs";
import { makeDirectory } from "./makeDirectory.ts";

const CHOOSE = "choose another folder with --recordings";

/** `dir`: the folder the message names already, so a failing parent is named apart. */
export function describeFileError(error: unknown, dir: string): string {
  const { code, path, syscall, message } = error as NodeJS.ErrnoException;
  const creating = syscall === "mkdir" && path && path !== dir ? ` (creating ${path})` : "";
  switch (code) {
    case "ENOSPC":
      return "the disk is full (ENOSPC)";
    case "EACCES":
    case "EPERM":
      return `no permission to write there (${CHOOSE}) (${code})`;
    case "EROFS":
      return "the file system is read-only (EROFS)";
    case "ENOENT":
      return `the folder cannot be created there${creating}; ${CHOOSE} (ENOENT)`;
    case "EEXIST":
    case "ENOTDIR":
      return `a file stands where a folder should be${creating}; ${CHOOSE} (${code})`;
    default:
      return code ? `${message} (${code})` : message;
  }
}

/**
 * Creates the recordings folder and checks that it may be written to; null when it can be
 * used, else why not. The receiver runs without recording then: the live side needs no disk.
 */
export function recordingsFolderProblem(dir: string): string | null {
  try {
    makeDirectory(dir);
    fs.accessSync(dir, fs.constants.W_OK);
    return null;
  } catch (error) {
    return describeFileError(error, dir);
  }
}
