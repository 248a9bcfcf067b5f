// Recording file names: <date>_<map>_<gameID>.ndjson, valid on Windows, macOS and Linux.

/** Characters Windows refuses in file names, control characters, and spaces (for shells). */
const UNSAFE = /[<>:"/\\|?*\u0000-\u001f\s]+/g;

export function safeNamePart(text: string, maxLength = 60): string {
  const cleaned = text.replace(UNSAFE, "-").replace(/^[-.]+|[-.]+$/g, "");
  return cleaned.slice(0, maxLength) || "unknown";
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** Local date and time without ":" (not allowed on Windows): 2025-01-30T20-15-03. */
export function fileDate(date: Date): string {
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${day}T${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}`;
}

/** gameID is null before the engine knows it: the session id stands in. */
export function recordingFileName(
  startedAt: Date,
  mapName: string,
  gameID: string | null,
  session: string,
): string {
  const id = gameID ?? `session-${session}`;
  return `${fileDate(startedAt)}_${safeNamePart(mapName)}_${safeNamePart(id)}.ndjson`;
}
