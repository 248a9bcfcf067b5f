// The live game state of one widget session, as plain JSON-friendly data: the receiver serves
// it as is (GET /api/state, the WebSocket stream) and the overlay rebuilds it in the browser
// with the same reducer. Objects keyed by id use string keys because JSON has no others.
import type {
  ByeMessage,
  GameInfo,
  HelloMessage,
  PlayerInfo,
  Resource,
  Settings,
  StatsEntry,
  TeamInfo,
  UnitDefInfo,
  View,
} from "../../protocol/messages.ts";

/** Unit counts by unitDefID (as a string key). */
export type DefCounts = Record<string, number>;

export interface TeamState {
  info: TeamInfo;
  /** Latest economy of the team, or null when the view may not read it. */
  metal: Resource | null;
  energy: Resource | null;
  finished: DefCounts;
  building: DefCounts;
  /** Radar blips of unknown type. */
  unknown: number;
  /** Latest statistics entry (cumulative), or null when the view may not read it. */
  stats: StatsEntry | null;
  /**
   * Metal value of the units this team destroyed and lost, summed from the `destroyed` rows
   * of `unit_events` since this session's first message reached the receiver (a snapshot
   * does not carry them, so they survive snapshots).
   */
  killedMetal: number;
  lostMetal: number;
  killedUnits: number;
  lostUnits: number;
}

/** One chart sample per `economy` message, columnar as chart libraries want it. */
export interface History {
  /** Game seconds of each sample. */
  time: number[];
  /** Per team (string teamID), one value per sample (null where unknown). */
  metalIncome: Record<string, (number | null)[]>;
  energyIncome: Record<string, (number | null)[]>;
  armyValue: Record<string, (number | null)[]>;
}

export interface TickerEvent {
  frame: number;
  seq: number;
  text: string;
  /** The team it is about, for its colour; null for game events. */
  teamID: number | null;
}

export interface GameState {
  session: string;
  hello: Omit<HelloMessage, "type" | "token" | "nextSeq" | "frame"> | null;
  /**
   * The game's latest frame: the newest frame of the messages applied since the last
   * snapshot (which sets it). A `units`, `economy` or `positions` message made across
   * frames carries the frame it began and can arrive after events of later frames
   * (docs/protocol.md, "Order"): it does not step the clock back.
   */
  frame: number;
  /** Seq of the latest message applied (0: none yet). */
  seq: number;
  game: GameInfo | null;
  view: View | null;
  settings: Settings | null;
  players: PlayerInfo[];
  teams: TeamState[];
  /** The unit catalog by unitDefID (string key), from `unitdefs`. */
  unitDefs: Record<string, UnitDefInfo>;
  /** True once a snapshot arrived: before, the state is incomplete. */
  synced: boolean;
  lastSnapshotReason: string | null;
  paused: boolean;
  winners: number[] | null;
  winnersDerived: boolean | null;
  /** Set by `bye`: the widget ended the session. */
  ended: ByeMessage["reason"] | null;
  /** Dropped messages the widget reported in `gap` messages. */
  droppedReported: number;
  history: History;
  /** The most recent notable events, newest last. */
  ticker: TickerEvent[];
}

export function createGameState(session: string): GameState {
  return {
    session,
    hello: null,
    frame: 0,
    seq: 0,
    game: null,
    view: null,
    settings: null,
    players: [],
    teams: [],
    unitDefs: {},
    synced: false,
    lastSnapshotReason: null,
    paused: false,
    winners: null,
    winnersDerived: null,
    ended: null,
    droppedReported: 0,
    history: { time: [], metalIncome: {}, energyIncome: {}, armyValue: {} },
    ticker: [],
  };
}
