/**
 * Words for the player: the `/livedata status` report and the help text. Pure.
 */
import { COMMANDS } from "./commands";
import { Config, describeSetting, SETTING_LIST, SettingGroup, valueOf } from "./settings";
import type { ConnectionDiagnostics } from "../link/connection";

/** "0.4 s", "12 s", "3 min 4 s", "2 h 5 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 10) {
    return string.format("%.1f s", math.max(0, seconds));
  }
  const whole = math.floor(seconds);
  if (whole < 60) {
    return `${whole} s`;
  }
  const minutes = math.floor(whole / 60);
  if (minutes < 60) {
    return `${minutes} min ${whole % 60} s`;
  }
  return `${math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * `connection settings: auto-reconnect on, first retry delay 1 s, ...`: one line per
 * group, in the settings' order. The receiver's group is in the state line already.
 */
export function settingsLines(config: Config): string[] {
  const lines: string[] = [];
  const groups: SettingGroup[] = [];
  const parts = new LuaTable<SettingGroup, string[]>();
  for (const entry of SETTING_LIST) {
    if (entry.group === "receiver") continue;
    let list = parts.get(entry.group);
    if (list === undefined) {
      list = [];
      parts.set(entry.group, list);
      groups.push(entry.group);
    }
    list.push(describeSetting(entry, valueOf(config, entry.key)));
  }
  for (const group of groups) {
    lines.push(`${group} settings: ${parts.get(group)!.join(", ")}`);
  }
  return lines;
}

export interface InternalErrorInfo {
  count: number;
  last?: string;
}

export function statusLines(
  d: ConnectionDiagnostics,
  config: Config,
  internal: InternalErrorInfo,
): string[] {
  const lines: string[] = [];
  let state = `state: ${d.state} (${d.host}:${d.port})`;
  if (d.connectedFor !== undefined) {
    state += `, connected for ${formatDuration(d.connectedFor)}`;
  } else if (d.connectingFor !== undefined) {
    state += `, trying for ${formatDuration(d.connectingFor)}`;
  } else if (d.nextRetryIn !== undefined) {
    state += `, next attempt in ${formatDuration(d.nextRetryIn)}`;
    if (d.slowedRetries) state += " (slowed after many failures: /livedata connect tries now)";
  } else if (d.state === "ERROR") {
    state += ", not retrying: type /livedata connect to try again";
  }
  lines.push(state);
  lines.push(
    `attempts: ${d.failedAttempts} failed since the last connection, ${d.totalAttempts} in all; ` +
      `retry delay ${formatDuration(d.retryDelay)}`,
  );
  lines.push(
    d.sinceLastConnected !== undefined
      ? `last connected: ${formatDuration(d.sinceLastConnected)} ago (${count(d.connections, "connection")} so far)`
      : "last connected: never",
  );
  if (d.lastError !== undefined && d.lastErrorAgo !== undefined) {
    lines.push(`last error: ${d.lastError} (${formatDuration(d.lastErrorAgo)} ago)`);
  }
  lines.push(
    `traffic: sent ${d.bytesSent} in ${count(d.messagesSent, "message")}, received ${d.bytesReceived}; ` +
      `queued ${d.queuedMessages} (${d.queuedBytes} B), dropped ${d.droppedMessages}`,
  );
  for (const line of settingsLines(config)) lines.push(line);
  if (internal.count > 0) {
    lines.push(`internal errors: ${internal.count}, last: ${internal.last ?? "?"}`);
  }
  return lines;
}

export function helpLines(): string[] {
  const lines = ["commands (type /livedata <command>):"];
  for (const spec of COMMANDS) {
    for (const entry of spec.help) lines.push(`  ${entry.usage}: ${entry.summary}`);
  }
  return lines;
}
