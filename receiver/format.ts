// Small text formatters shared by the log, the status report and error messages.

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** Local time as "YYYY-MM-DD HH:MM:SS.mmm": sortable like ISO 8601 but in the player's clock. */
export function formatTimestamp(date: Date): string {
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day} ${time}.${pad(date.getMilliseconds(), 3)}`;
}

/** "0.4s", "12.3s", "5m 03s", "2h 05m 03s": precise for short connections, compact for long ones. */
export function formatDuration(ms: number): string {
  const clamped = Math.max(0, ms);
  if (clamped < 60_000) return `${(Math.floor(clamped / 100) / 10).toFixed(1)}s`;
  const totalSeconds = Math.floor(clamped / 1000);
  const seconds = totalSeconds % 60;
  const minutes = Math.floor(totalSeconds / 60) % 60;
  const hours = Math.floor(totalSeconds / 3600);
  if (hours === 0) return `${minutes}m ${pad(seconds)}s`;
  return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
}

/** "host:port", with IPv6 addresses in brackets so the port stays readable. */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
