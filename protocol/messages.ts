/**
 * The Live Data Export wire protocol: every line the widget writes and every line a
 * receiver may send back. Documented for tool authors in docs/protocol.md; the JSON
 * Schemas under protocol/schema/ are generated from this file (`npm run protocol:schema`).
 *
 * This file imports nothing and holds only types and constants, so that it compiles both
 * under TypeScriptToLua for the widget (Lua 5.1, no DOM, no Node) and under Node for the
 * receiver.
 *
 * Conventions:
 * - Field names follow the engine's Lua API (`teamID`, `allyTeamID`, `unitID`, `unitDefID`,
 *   `playerID`, `metalProduced`, ...).
 * - Lists are JSON arrays, records are JSON objects with fixed keys: never an object keyed
 *   by numbers. Dense tables (unit counts, positions) are arrays of fixed-order tuples.
 * - {@link Int} values are whole numbers written without exponent; {@link Float} values
 *   are the engine's single-precision floats, `null` where the engine produced nan or ±inf.
 */

/** Protocol version: an integer, bumped only on a breaking change. */
export const PROTOCOL_VERSION = 2;

/** The widget's name as sent in `hello.source`. */
export const PROTOCOL_SOURCE = "Live Data Export";

/** Defaults the widget uses unless its settings or a `configure` message say otherwise. */
export const PROTOCOL_DEFAULTS = {
  /** Keyframe snapshot interval (seconds of game time, also limited in wall-clock time). */
  snapshotSeconds: 60,
  /** A heartbeat is sent when nothing else was sent for this long (wall-clock seconds). */
  heartbeatSeconds: 5,
  /** Unacknowledged messages kept for resending (bytes of encoded lines). */
  backlogBytes: 4 * 1024 * 1024,
  /** Longest inbound line the widget reads (bytes, without the newline); longer is dropped. */
  maxInboundLineBytes: 4096,
  /** Inbound bytes the widget reads per game frame at most. */
  maxInboundBytesPerFrame: 16384,
  /** Largest encoded `unitdefs` part the widget aims for (bytes). */
  unitDefsPartBytes: 65536,
} as const;

/** @asType integer */
export type Int = number;

/**
 * A message sequence number (per session, from 1).
 * @asType integer
 * @minimum 1
 */
export type Seq = number;

/**
 * A game frame (30 per second; 0 before the game starts).
 * @asType integer
 * @minimum 0
 */
export type Frame = number;

/** An engine float (single precision); `null` where the engine produced nan or ±inf. */
export type Float = number | null;

/** The range of each rate (seconds); a `configure` out of range is clamped into it. */
export const RATE_LIMITS = {
  economy: { min: 1, max: 3600 },
  units: { min: 0.1, max: 3600 },
  positions: { min: 0.1, max: 3600 },
  damage: { min: 0.1, max: 3600 },
  snapshot: { min: 5, max: 3600 },
} as const;

/** Message types the widget sends, in the order of docs/protocol.md. */
export const OUTBOUND_TYPES = [
  "hello",
  "unitdefs",
  "snapshot",
  "economy",
  "units",
  "positions",
  "damage",
  "stats",
  "unit_events",
  "team_died",
  "player_added",
  "player_changed",
  "player_removed",
  "game_started",
  "game_paused",
  "game_resumed",
  "game_over",
  "view_changed",
  "ext",
  "heartbeat",
  "gap",
  "bye",
] as const;

/**
 * The wire `type` of another widget's event (`ext`): `ext.<widget>.<name>`, each part
 * 1-32 of `a-z`, `0-9`, `_`. The `ext` family is counted as `ext` (gap counts).
 */
export const EXT_TYPE_PATTERN = "^ext\\.[a-z0-9_]{1,32}\\.[a-z0-9_]{1,32}$";

/** Message types a receiver may send to the widget. */
export const INBOUND_TYPES = ["hello_reply", "ack", "resync", "configure"] as const;

export type OutboundType = (typeof OUTBOUND_TYPES)[number];
export type InboundType = (typeof INBOUND_TYPES)[number];

/** Periodic message types: coalesced first when the backlog is full (only the latest matters). */
export const PERIODIC_TYPES = ["economy", "units", "positions", "damage"] as const;

// ---------------------------------------------------------------------------------------
// Shared records

/**
 * Who is watching, which decides what the widget may read.
 * - `player`: playing `teamID`; reads its own ally team only.
 * - `spectator`: spectator without full view; reads like a player of `allyTeamID`.
 * - `fullview`: spectator with full view; reads everything.
 * - `replay`: watching a replay (full view unless turned off, then like `spectator`).
 */
export interface View {
  kind: "player" | "spectator" | "fullview" | "replay";
  /** The local player. */
  playerID: Int;
  /** The local (or watched) team. */
  teamID: Int;
  /** The local (or watched) ally team. */
  allyTeamID: Int;
}

/** Categories that can be switched on or off (all on by default except positions and damage). */
export interface Categories {
  economy: boolean;
  units: boolean;
  stats: boolean;
  events: boolean;
  unitdefs: boolean;
  positions: boolean;
  damage: boolean;
}

/** Rates of the periodic messages, in seconds of game time (also limited in wall-clock time). */
export interface Rates {
  /**
   * Economy sampling interval (seconds; default 1, at least 1: the engine updates once a second).
   * @minimum 1
   * @maximum 3600
   */
  economy: number;
  /**
   * Unit count changes interval (seconds; default 1).
   * @minimum 0.1
   * @maximum 3600
   */
  units: number;
  /**
   * Positions scan interval (seconds; default 1).
   * @minimum 0.1
   * @maximum 3600
   */
  positions: number;
  /**
   * Damage aggregation interval (seconds; default 1).
   * @minimum 0.1
   * @maximum 3600
   */
  damage: number;
  /**
   * Keyframe snapshot interval (seconds; default 60).
   * @minimum 5
   * @maximum 3600
   */
  snapshot: number;
}

/** The settings in force for this connection. */
export interface Settings {
  categories: Categories;
  rates: Rates;
}

/** The game as a whole. */
export interface GameInfo {
  /** Game time (seconds; frame / 30). */
  gameSeconds: Float;
  /** Speed the players asked for (1 = real time). */
  wantedSpeed: Float;
  /** Actual simulation speed (lower when the game lags). */
  speed: Float;
  paused: boolean;
  started: boolean;
  over: boolean;
  /** `Spring.IsReplay()`. */
  replay: boolean;
  /** `Game.mapName`. */
  mapName: string;
  /** Map width (elmos, `Game.mapSizeX`). */
  mapSizeX: Int;
  /** Map height (elmos, `Game.mapSizeZ`). */
  mapSizeZ: Int;
  /** `Game.gameName`. */
  gameName: string;
  /** `Game.gameVersion`. */
  gameVersion: string;
  /** `Engine.version`. */
  engineVersion: string;
  /** 32 lowercase hex characters from the `GameID` game-rules param; null until known. */
  gameID: string | null;
}

/** One player or spectator (`Spring.GetPlayerInfo`). */
export interface PlayerInfo {
  playerID: Int;
  name: string;
  teamID: Int;
  allyTeamID: Int;
  spectator: boolean;
  active: boolean;
  /** Ping (seconds). */
  pingSeconds: Float;
  /** CPU use (fraction, 0..1). */
  cpuUsage: Float;
}

/** A colour, each component 0..1: [r, g, b, a]. */
export type Color = [r: Float, g: Float, b: Float, a: Float];

/** A team's start position (elmos). */
export interface StartPosition {
  x: Float;
  z: Float;
}

/** One team (`Spring.GetTeamInfo` and friends). */
export interface TeamInfo {
  teamID: Int;
  allyTeamID: Int;
  /** Leader's playerID (-1 when none). */
  leader: Int;
  /** Run by a Skirmish AI. */
  isAI: boolean;
  /** The AI's display name (`ainame_<teamID>` game-rules param), null for humans or unknown. */
  aiName: string | null;
  /** Faction (`side`), e.g. "Armada", "Cortex", "Legion"; "" when not chosen. */
  side: string;
  /** Team colour as the local client shows it. */
  color: Color;
  isDead: boolean;
  isGaia: boolean;
  /** Start position where the view may read it, else null. */
  startPosition: StartPosition | null;
}

/**
 * One resource of a team, the 9 values of `Spring.GetTeamResources` (metal: metal units,
 * energy: energy units). Per-second values change once a game second.
 */
export interface Resource {
  /** Amount stored now. */
  current: Float;
  /** Storage capacity. */
  storage: Float;
  /** Demand during the last second (per second). */
  pull: Float;
  /** Income during the last second (per second). */
  income: Float;
  /** Spending during the last second (per second). */
  expense: Float;
  /** Share slider level (0..1). */
  share: Float;
  /** Sent to allies during the last second (per second). */
  sent: Float;
  /** Received from allies during the last second (per second). */
  received: Float;
  /** Overflow during the last second. */
  excess: Float;
}

/** A readable team's economy. */
export interface TeamEconomy {
  teamID: Int;
  metal: Resource;
  energy: Resource;
}

/** A unit count: [unitDefID, count]. */
export type UnitCount = [unitDefID: Int, count: Int];

/**
 * A team's unit counts. In a snapshot: every def the team has. In a `units` message: only
 * the defs whose count changed, with their new absolute count (0: none left).
 */
export interface TeamUnits {
  teamID: Int;
  /** Finished units per def. */
  finished: UnitCount[];
  /** Units under construction per def. */
  building: UnitCount[];
  /** Radar blips whose def is unknown (enemies only; 0 for readable teams). */
  unknown: Int;
}

/**
 * One entry of `Spring.GetTeamStatsHistory`: cumulative since the game started; one every
 * 15 s of game time. Metal and energy in resource units, damage in hit points.
 */
export interface StatsEntry {
  /** Game time of the entry (whole seconds). */
  time: Int;
  /** Game frame of the entry. */
  frame: Frame;
  metalUsed: Float;
  metalProduced: Float;
  metalExcess: Float;
  metalReceived: Float;
  metalSent: Float;
  energyUsed: Float;
  energyProduced: Float;
  energyExcess: Float;
  energyReceived: Float;
  energySent: Float;
  damageDealt: Float;
  damageReceived: Float;
  unitsProduced: Int;
  unitsDied: Int;
  unitsReceived: Int;
  unitsSent: Int;
  unitsCaptured: Int;
  unitsOutCaptured: Int;
  unitsKilled: Int;
}

/** A team's statistics entry. */
export interface TeamStats {
  teamID: Int;
  entry: StatsEntry;
}

/** One unit definition of the catalog (`UnitDefs[unitDefID]`). */
export interface UnitDefInfo {
  unitDefID: Int;
  /** Internal name, e.g. "armcom"; defIDs differ between games, names do not. */
  name: string;
  /** Translated human name, e.g. "Commander". */
  humanName: string;
  /** Metal cost (metal). */
  metalCost: Float;
  /** Energy cost (energy). */
  energyCost: Float;
  /** Build time (build-power seconds). */
  buildTime: Float;
  /** Maximum health (hit points). */
  health: Float;
  /** Maximum speed (elmos per second); 0 for buildings. */
  speed: Float;
  /** Build power (0 for non-builders). */
  buildSpeed: Float;
  isBuilding: boolean;
  isFactory: boolean;
  isBuilder: boolean;
  /** `customParams.unitgroup`, e.g. "weapon", "util", "metal", "energy"; null when absent. */
  unitgroup: string | null;
  /** `customParams.techlevel` as a number; null when absent. */
  techlevel: Int | null;
  /** `customParams.iscommander`. */
  iscommander: boolean;
  /** Number of weapons. */
  weaponCount: Int;
}

// ---------------------------------------------------------------------------------------
// Outbound messages (widget → receiver)

/** Every message but `hello`. */
export interface Sequenced {
  /** 1 for the first message of a session, +1 for each message the widget produces. */
  seq: Seq;
  /** Game frame when the message was produced (0 before the game starts; 30 per second). */
  frame: Frame;
}

/** First line of every connection. */
export interface HelloMessage {
  type: "hello";
  protocol: Int;
  /** Widget name: "Live Data Export". */
  source: string;
  /** Widget version (semver). */
  version: string;
  /** Unique per widget start and game: the same across reconnects. */
  session: string;
  /** The seq of the next message on this connection (a resent one or a new one). */
  nextSeq: Seq;
  /** Game frame now. */
  frame: Frame;
  engineVersion: string;
  gameName: string;
  gameVersion: string;
  mapName: string;
  gameID: string | null;
  view: View;
  settings: Settings;
  /** The shared token setting, present only when set. */
  token?: string;
}

/** Why a snapshot was sent. */
export type SnapshotReason =
  "connect" | "keyframe" | "view_changed" | "gap" | "resync" | "configure";

/** The whole current state: a receiver is correct from its first snapshot. */
export interface SnapshotMessage extends Sequenced {
  type: "snapshot";
  reason: SnapshotReason;
  game: GameInfo;
  view: View;
  settings: Settings;
  players: PlayerInfo[];
  teams: TeamInfo[];
  /** Teams whose economy the view may read. */
  economy: TeamEconomy[];
  /** Unit counts of every team (enemy teams as far as the view sees them). */
  units: TeamUnits[];
  /** Latest statistics entry of every team whose history the view may read. */
  stats: TeamStats[];
}

/** A part of the unit definition catalog; all parts come before the first snapshot. */
export interface UnitDefsMessage extends Sequenced {
  type: "unitdefs";
  /** 1-based part number. */
  part: Int;
  /** Number of parts. */
  parts: Int;
  unitDefs: UnitDefInfo[];
}

/** Economy of every readable team (once a game second by default). */
export interface EconomyMessage extends Sequenced {
  type: "economy";
  teams: TeamEconomy[];
}

/** Unit counts that changed since the previous `units` message (new absolute counts). */
export interface UnitsMessage extends Sequenced {
  type: "units";
  teams: TeamUnits[];
}

/**
 * A unit's position: [unitID, unitDefID (null: radar blip of unknown type), teamID,
 * x (elmos), z (elmos), health (fraction 0..1, null when not readable)].
 */
export type PositionRow = [
  unitID: Int,
  unitDefID: Int | null,
  teamID: Int,
  x: Float,
  z: Float,
  health: Float,
];

/** Every unit the view can see, scanned across frames `fromFrame`..`frame`. */
export interface PositionsMessage extends Sequenced {
  type: "positions";
  /** Frame the scan started. */
  fromFrame: Frame;
  units: PositionRow[];
}

/** Damage a unit took: [unitID, teamID, damage (hit points), paralyze (paralyze damage)]. */
export type UnitDamageRow = [unitID: Int, teamID: Int, damage: Float, paralyze: Float];

/** Damage per team over the interval (hit points). */
export interface TeamDamage {
  teamID: Int;
  /** Damage the team's units took. */
  taken: Float;
  /** Paralyze damage the team's units took. */
  paralyzeTaken: Float;
  /** Damage the team dealt, where the engine told the attacker. */
  dealt: Float;
  /** Paralyze damage the team dealt, where the engine told the attacker. */
  paralyzeDealt: Float;
}

/** `UnitDamaged` aggregated over frames `fromFrame`..`frame` (never one message per hit). */
export interface DamageMessage extends Sequenced {
  type: "damage";
  fromFrame: Frame;
  units: UnitDamageRow[];
  teams: TeamDamage[];
}

/** A new team statistics entry (every 15 s of game time per readable team). */
export interface StatsMessage extends Sequenced {
  type: "stats";
  teamID: Int;
  entry: StatsEntry;
}

/** A unit was started: [kind, unitID, unitDefID, teamID, builderID (null: none or unknown)]. */
export type UnitCreatedRow = [
  kind: "created",
  unitID: Int,
  unitDefID: Int,
  teamID: Int,
  builderID: Int | null,
];

/** A unit was finished (built): [kind, unitID, unitDefID, teamID]. */
export type UnitFinishedRow = [kind: "finished", unitID: Int, unitDefID: Int, teamID: Int];

/**
 * A unit died: [kind, unitID, unitDefID, teamID, attackerID, attackerDefID, attackerTeamID,
 * weaponDefID]; the attacker's fields are null unless the view could see the attacker.
 */
export type UnitDestroyedRow = [
  kind: "destroyed",
  unitID: Int,
  unitDefID: Int,
  teamID: Int,
  attackerID: Int | null,
  attackerDefID: Int | null,
  attackerTeamID: Int | null,
  weaponDefID: Int | null,
];

/** A unit changed team, seen from the receiving side: [kind, unitID, unitDefID, oldTeamID, newTeamID]. */
export type UnitGivenRow = [
  kind: "given",
  unitID: Int,
  unitDefID: Int,
  oldTeamID: Int,
  newTeamID: Int,
];

/** A unit changed team, seen from the giving side: [kind, unitID, unitDefID, oldTeamID, newTeamID]. */
export type UnitTakenRow = [
  kind: "taken",
  unitID: Int,
  unitDefID: Int,
  oldTeamID: Int,
  newTeamID: Int,
];

/** One unit event; its first element says which. */
export type UnitEventRow =
  UnitCreatedRow | UnitFinishedRow | UnitDestroyedRow | UnitGivenRow | UnitTakenRow;

/** Unit events that `unit_events` holds at most (the widget starts another message). */
export const UNIT_EVENTS_MAX_ROWS = 128;

/**
 * The unit events of one game frame (`frame`), in the order the engine called them: the
 * widget gathers the events it made one after another with the same frame, up to 128
 * (UNIT_EVENTS_MAX_ROWS), into one message (a frame can bring several; another event in
 * between ends one).
 */
export interface UnitEventsMessage extends Sequenced {
  type: "unit_events";
  /**
   * @minItems 1
   * @maxItems 128
   */
  events: UnitEventRow[];
}

export interface TeamDiedMessage extends Sequenced {
  type: "team_died";
  teamID: Int;
}

export interface PlayerAddedMessage extends Sequenced {
  type: "player_added";
  player: PlayerInfo;
}

/** A player's info changed (team, spectator, active...): the new state. */
export interface PlayerChangedMessage extends Sequenced {
  type: "player_changed";
  player: PlayerInfo;
}

/** A player left (the engine's reason is not passed to widgets). */
export interface PlayerRemovedMessage extends Sequenced {
  type: "player_removed";
  playerID: Int;
}

export interface GameStartedMessage extends Sequenced {
  type: "game_started";
}

export interface GamePausedMessage extends Sequenced {
  type: "game_paused";
  /** Who paused, null when unknown. */
  playerID: Int | null;
}

export interface GameResumedMessage extends Sequenced {
  type: "game_resumed";
  /** Who unpaused, null when unknown. */
  playerID: Int | null;
}

/**
 * The game ended. BAR does not pass the winners to widgets: the widget derives them as the
 * ally teams that still have a living team (`winnersDerived: true`).
 */
export interface GameOverMessage extends Sequenced {
  type: "game_over";
  /** Winning allyTeamIDs; empty when undecided. */
  winners: Int[];
  winnersDerived: boolean;
}

/** The view changed (a player died and spectates, `/specfullview`...); a snapshot follows. */
export interface ViewChangedMessage extends Sequenced {
  type: "view_changed";
  view: View;
  previous: View;
}

/** A field value of another widget's event: text, a number or a switch. */
export type ExtValue = string | Float | boolean;

/**
 * An event another widget published through `WG.LiveDataExport.publish(type, fields)`
 * (see the README), in order with the game's own. A receiver that does not know the
 * publisher may ignore it; its `type` is never one of the widget's own types.
 */
export interface ExtMessage extends Sequenced {
  /**
   * `ext.<widget>.<name>`, as the publisher named it (EXT_TYPE_PATTERN).
   * @pattern ^ext\.[a-z0-9_]{1,32}\.[a-z0-9_]{1,32}$
   */
  type: `ext.${string}`;
  /** The publisher's fields: at most 32, named like identifiers, scalar values. */
  fields: Record<string, ExtValue>;
}

/** Per-type count of dropped messages. */
export interface DroppedCount {
  type: OutboundType;
  count: Int;
}

/** The widget's own health, sent when nothing else was sent for `heartbeatSeconds`. */
export interface HeartbeatMessage extends Sequenced {
  type: "heartbeat";
  /** Messages produced this session (= last seq). */
  produced: Int;
  /** Messages written to a socket this session (resends included). */
  sent: Int;
  /** Highest seq acknowledged (0: none). */
  acknowledged: Int;
  /** Messages dropped this session (each reported in a `gap`). */
  dropped: Int;
  /** Messages waiting in the backlog (unsent or unacknowledged). */
  queuedMessages: Int;
  /** Bytes waiting in the backlog. */
  queuedBytes: Int;
  /** Numbers written as null (nan or ±inf) this session. */
  nonFinite: Int;
  /** Inbound lines ignored (unknown or malformed) this session. */
  inboundIgnored: Int;
  /** Mean widget time per frame since the last heartbeat (milliseconds). */
  frameCostMeanMs: Float;
  /** Largest widget time in one frame since the last heartbeat (milliseconds). */
  frameCostMaxMs: Float;
  /**
   * Present while the widget collects less to protect the frame rate (the README's
   * "Protecting the frame rate"): 1 periodic data at half rate, 2 at a quarter, 3 also
   * without positions and damage, 4 only game, economy and statistics. A heartbeat goes
   * out at once when it changes; absent again (0) when everything is back as set.
   */
  throttleLevel?: Int;
}

/** The widget dropped messages; a snapshot follows. */
export interface GapMessage extends Sequenced {
  type: "gap";
  /** First seq dropped. */
  firstSeq: Seq;
  /** Last seq dropped (seqs in between that were not dropped are still delivered). */
  lastSeq: Seq;
  /** Messages dropped in total. */
  dropped: Int;
  /** Dropped messages per type. */
  counts: DroppedCount[];
}

/** Last message of a session or connection. */
export interface ByeMessage extends Sequenced {
  type: "bye";
  /** `shutdown`: widget or game closing; `disconnect`: `/livedata disconnect`; `view_changed`. */
  reason: "shutdown" | "disconnect" | "view_changed";
}

export type OutboundMessage =
  | HelloMessage
  | UnitDefsMessage
  | SnapshotMessage
  | EconomyMessage
  | UnitsMessage
  | PositionsMessage
  | DamageMessage
  | StatsMessage
  | UnitEventsMessage
  | TeamDiedMessage
  | PlayerAddedMessage
  | PlayerChangedMessage
  | PlayerRemovedMessage
  | GameStartedMessage
  | GamePausedMessage
  | GameResumedMessage
  | GameOverMessage
  | ViewChangedMessage
  | ExtMessage
  | HeartbeatMessage
  | GapMessage
  | ByeMessage;

// ---------------------------------------------------------------------------------------
// Inbound messages (receiver → widget)

/** Optional answer to `hello`: who the receiver is. The widget logs it. */
export interface HelloReplyMessage {
  type: "hello_reply";
  /** Highest protocol version the receiver speaks. */
  protocol: Int;
  /** Receiver program name. */
  receiver: string;
  /** Receiver version. */
  version: string;
}

/** Everything up to and including `seq` arrived (cumulative). At most a few per second. */
export interface AckMessage {
  type: "ack";
  seq: Seq;
  /** The session acknowledged; when present and not the current one, the ack is ignored. */
  session?: string;
}

/** Ask for a snapshot now. */
export interface ResyncMessage {
  type: "resync";
}

/**
 * Change categories and rates for this connection only (the widget's saved settings stay).
 * Omitted fields keep their value; out-of-range rates are clamped. A snapshot
 * (reason "configure") with the settings in force follows.
 */
export interface ConfigureMessage {
  type: "configure";
  categories?: Partial<Categories>;
  rates?: Partial<Rates>;
}

export type InboundMessage = HelloReplyMessage | AckMessage | ResyncMessage | ConfigureMessage;

/** Schema name (protocol/schema/<type>.schema.json) → root type name, for the generator. */
export const MESSAGE_TYPE_NAMES = {
  hello: "HelloMessage",
  unitdefs: "UnitDefsMessage",
  snapshot: "SnapshotMessage",
  economy: "EconomyMessage",
  units: "UnitsMessage",
  positions: "PositionsMessage",
  damage: "DamageMessage",
  stats: "StatsMessage",
  unit_events: "UnitEventsMessage",
  team_died: "TeamDiedMessage",
  player_added: "PlayerAddedMessage",
  player_changed: "PlayerChangedMessage",
  player_removed: "PlayerRemovedMessage",
  game_started: "GameStartedMessage",
  game_paused: "GamePausedMessage",
  game_resumed: "GameResumedMessage",
  game_over: "GameOverMessage",
  view_changed: "ViewChangedMessage",
  ext: "ExtMessage",
  heartbeat: "HeartbeatMessage",
  gap: "GapMessage",
  bye: "ByeMessage",
  hello_reply: "HelloReplyMessage",
  ack: "AckMessage",
  resync: "ResyncMessage",
  configure: "ConfigureMessage",
} as const satisfies Record<OutboundType | InboundType, string>;
