// Command-line options of the receiver (`npm run receiver -- …`). Pure: no I/O.
import { DEFAULT_HOST, DEFAULT_PORT } from "../defaults.ts";
import { DEFAULT_HTTP_PORT, RECEIVER_MAX_LINE_BYTES } from "../app.ts";
import { MAX_MAX_LINE_BYTES, parsePort, UsageError } from "../args.ts";
import { DEFAULT_HELLO_TIMEOUT_S, DEFAULT_IDLE_TIMEOUT_S } from "../net/connectionTimeouts.ts";
import { hostProblem } from "../net/host.ts";

export interface ReceiverArgs {
  kind: "run";
  host: string;
  port: number;
  httpPort: number;
  token: string | null;
  /** null: record nothing. */
  recordings: string | null;
  maxLineBytes: number;
  /** Seconds from connecting to the hello before a connection is closed. */
  helloTimeout: number;
  /** Seconds without a byte before a connection is closed; 0: never. */
  idleTimeout: number;
  replay: string | null;
  speed: number;
  /** Write the standalone overlay file here and exit. */
  writeOverlay: string | null;
}

export const MAX_HELLO_TIMEOUT_S = 600;
/** Above the 15 s after which a session shows as stale, so "stale" is seen before the close. */
export const MIN_IDLE_TIMEOUT_S = 20;
export const MAX_IDLE_TIMEOUT_S = 3600;

/** Whole seconds in plain digits, in [min, max] or 0 when `zero` names what 0 means. */
function parseSeconds(option: string, text: string, min: number, max: number, zero?: string) {
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if ((n >= min && n <= max) || (zero !== undefined && n === 0)) return n;
  const range = `${zero !== undefined ? `0 (${zero}) or ` : ""}${min} to ${max} seconds`;
  throw new UsageError(`invalid ${option} "${text}": expected ${range}`);
}

export const RECEIVER_USAGE = `Usage: npm run receiver -- [options]
       npx tsx receiver/cli/main.ts [options]

The receiver for the Live Data Export widget: records every session, validates every
line, keeps the live game state and serves it (API, WebSocket, OBS overlay).

Options:
  --host <address>       IPv4 address for widgets and HTTP (default ${DEFAULT_HOST}: this machine
                         only; the widget connects over IPv4); any other address needs --token
  --token <text>         the widget's token setting: required in every hello, and on HTTP
                         as ?token= or "Authorization: Bearer <text>"
  --port <1-65535>       TCP port for widgets (default ${DEFAULT_PORT}; a free one with --replay)
  --http-port <1-65535>  HTTP port for the API and the overlay (default ${DEFAULT_HTTP_PORT})
  --recordings <folder>  where recordings go (default "recordings")
  --no-record            record nothing
  --max-line-bytes <n>   longer lines are counted as too long (default ${RECEIVER_MAX_LINE_BYTES})
  --hello-timeout <s>    close a connection that sent no hello within this many seconds of
                         connecting (1 to ${MAX_HELLO_TIMEOUT_S}, default ${DEFAULT_HELLO_TIMEOUT_S})
  --idle-timeout <s>     close a connection that sent nothing for this many seconds, so the
                         widget reconnects (${MIN_IDLE_TIMEOUT_S} to ${MAX_IDLE_TIMEOUT_S}, 0 never; default ${DEFAULT_IDLE_TIMEOUT_S}); its session
                         shows as stale after 15 s of silence already
  --replay <recording>   serve a recording as if live (records nothing)
  --speed <N>            replay speed: 1 real time (default), 10 ten times faster, 0 at once
  --write-overlay <file> write the overlay as one HTML file to open from disk (it then
                         loads before the receiver runs), with ?receiver=127.0.0.1:<http port>
  -h, --help             show this help and exit

Type commands on standard input while it runs: status, kick, stop, start, help, quit.`;

const VALUE_OPTIONS = [
  "--host",
  "--token",
  "--port",
  "--http-port",
  "--recordings",
  "--max-line-bytes",
  "--hello-timeout",
  "--idle-timeout",
  "--replay",
  "--speed",
  "--write-overlay",
] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];
const isValueOption = (name: string): name is ValueOption =>
  (VALUE_OPTIONS as readonly string[]).includes(name);

export function parseReceiverArgs(argv: readonly string[]): ReceiverArgs | { kind: "help" } {
  if (argv.some((arg) => arg === "-h" || arg === "--help")) return { kind: "help" };
  const result: ReceiverArgs = {
    kind: "run",
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    httpPort: DEFAULT_HTTP_PORT,
    token: null,
    recordings: "recordings",
    maxLineBytes: RECEIVER_MAX_LINE_BYTES,
    helloTimeout: DEFAULT_HELLO_TIMEOUT_S,
    idleTimeout: DEFAULT_IDLE_TIMEOUT_S,
    replay: null,
    speed: 1,
    writeOverlay: null,
  };
  let portGiven = false;
  let recordingsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--no-record") {
      result.recordings = null;
      continue;
    }
    const equals = arg.indexOf("=");
    const name = arg.startsWith("--") && equals !== -1 ? arg.slice(0, equals) : arg;
    if (!isValueOption(name)) {
      if (arg.startsWith("-")) throw new UsageError(`unknown option "${name}"`);
      throw new UsageError(
        `unexpected argument "${arg}"; with npm, put "--" before the options: npm run receiver -- --replay file`,
      );
    }
    let value: string | undefined;
    if (equals !== -1 && name !== arg) value = arg.slice(equals + 1);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) value = argv[++i];
    if (value === undefined || value === "") throw new UsageError(`option ${name} needs a value`);
    switch (name) {
      case "--host":
        result.host = value;
        break;
      case "--token":
        result.token = value;
        break;
      case "--port":
        result.port = parsePort(value);
        portGiven = true;
        break;
      case "--http-port":
        result.httpPort = parsePort(value);
        break;
      case "--recordings":
        result.recordings = value;
        recordingsGiven = true;
        break;
      case "--max-line-bytes": {
        const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
        if (!(n >= 1 && n <= MAX_MAX_LINE_BYTES)) {
          throw new UsageError(
            `invalid --max-line-bytes "${value}": expected 1 to ${MAX_MAX_LINE_BYTES}`,
          );
        }
        result.maxLineBytes = n;
        break;
      }
      case "--hello-timeout":
        result.helloTimeout = parseSeconds(name, value, 1, MAX_HELLO_TIMEOUT_S);
        break;
      case "--idle-timeout":
        result.idleTimeout = parseSeconds(
          name,
          value,
          MIN_IDLE_TIMEOUT_S,
          MAX_IDLE_TIMEOUT_S,
          "never",
        );
        break;
      case "--replay":
        result.replay = value;
        break;
      case "--write-overlay":
        result.writeOverlay = value;
        break;
      case "--speed": {
        const speed = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : NaN;
        if (!(speed >= 0 && speed <= 10_000))
          throw new UsageError(`invalid --speed "${value}": expected 0 to 10000`);
        result.speed = speed;
        break;
      }
    }
  }
  const problem = hostProblem(result.host, result.token);
  if (problem !== null) throw new UsageError(problem);
  if (result.replay !== null) {
    // A replay should not fight a live receiver for its port, nor record itself again.
    if (!portGiven) result.port = 0;
    if (!recordingsGiven) result.recordings = null;
  }
  return result;
}
