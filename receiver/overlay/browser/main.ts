// The overlay page's script: follows the receiver's WebSocket stream, rebuilds the game state
// with the same reducer as the receiver, and redraws at most twice a second. It reconnects by
// itself (also when opened before the receiver started) and resumes from the last event seen.
//
// URL parameters: transparent=1 (no background, for OBS), layout=full|scoreboard|charts|compact,
// session=<id> (default: the live session), income=metal|energy, token=<token>,
// receiver=host:port (where the receiver is, for the standalone file; default: this page's server).
import { applyMessage } from "../../state/reducer.ts";
import { createGameState } from "../../state/gameState.ts";
import type { GameState } from "../../state/gameState.ts";
import type { StreamMessage } from "../../http/stream.ts";
import { OverlayView } from "./view.ts";
import type { LinkState } from "./view.ts";

const params = new URLSearchParams(location.search);
const wantedSession = params.get("session");
const token = params.get("token");
const receiverHost = params.get("receiver") ?? location.host;
const layout = params.get("layout") ?? "full";
document.body.classList.add(`layout-${layout}`);
// On <html>, whose background would otherwise show around the transparent body.
if (params.get("transparent") === "1") document.documentElement.classList.add("transparent");

const view = new OverlayView(params.get("income") === "energy" ? "energy" : "metal");
const RENDER_INTERVAL_MS = 500;
/** Nothing from the receiver for this long (it sends session summaries every second): offline. */
const SILENCE_MS = 4000;

const states = new Map<string, GameState>();
let statuses = new Map<string, string>();
let lastId = 0;
let epoch = "";
let dirty = true;
let socketOpen = false;
let lastMessageAt = 0;
let retryMs = 500;

function currentSession(): string | null {
  if (wantedSession) return states.has(wantedSession) ? wantedSession : null;
  let best: string | null = null;
  let bestRank = -1;
  for (const [id, state] of states) {
    // Prefer live sessions, then the one furthest into its game.
    const rank = (statuses.get(id) === "live" ? 1e9 : 0) + state.frame;
    if (rank > bestRank) {
      best = id;
      bestRank = rank;
    }
  }
  return best;
}

function linkState(session: string | null): LinkState {
  if (!socketOpen || Date.now() - lastMessageAt > SILENCE_MS) return "offline";
  const status = session ? statuses.get(session) : undefined;
  if (status === "stale" || status === "disconnected" || status === "ended") return status;
  return session ? "live" : "stale";
}

function handle(message: StreamMessage): void {
  switch (message.type) {
    case "state":
      states.clear();
      for (const [id, state] of Object.entries(message.states)) states.set(id, state);
      statuses = new Map(message.sessions.map((s) => [s.session, s.status]));
      lastId = message.lastId;
      epoch = message.epoch;
      break;
    case "resume":
      break;
    case "sessions":
      statuses = new Map(message.sessions.map((s) => [s.session, s.status]));
      break;
    case "event": {
      lastId = message.id;
      if (message.kind === "status") {
        statuses.set(message.session, message.status);
        break;
      }
      let state = states.get(message.session);
      if (!state) {
        state = createGameState(message.session);
        states.set(message.session, state);
      }
      applyMessage(state, message.message);
      break;
    }
  }
  dirty = true;
}

function connect(): void {
  const query = new URLSearchParams();
  if (epoch) {
    query.set("epoch", epoch);
    query.set("after", String(lastId));
  }
  if (token) query.set("token", token);
  const socket = new WebSocket(
    `${location.protocol === "https:" ? "wss" : "ws"}://${receiverHost}/api/stream?${query}`,
  );
  socket.onopen = () => {
    socketOpen = true;
    retryMs = 500;
  };
  socket.onmessage = (event) => {
    lastMessageAt = Date.now();
    handle(JSON.parse(String(event.data)) as StreamMessage);
  };
  socket.onclose = () => {
    socketOpen = false;
    dirty = true;
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };
}

let shownLink: LinkState | null = null;
function tick(): void {
  const session = currentSession();
  const link = linkState(session);
  if (link !== shownLink) {
    view.link(link);
    shownLink = link;
  }
  if (dirty && session) {
    // Measured so the bench (and anyone with devtools) can read the cost of one redraw.
    const start = performance.now();
    view.render(states.get(session)!);
    performance.measure("overlay-render", { start, end: performance.now() });
    document.body.dataset.session = session;
    document.body.dataset.lastId = String(lastId);
  }
  dirty = false;
}

view.link("offline");
connect();
setInterval(tick, RENDER_INTERVAL_MS);
