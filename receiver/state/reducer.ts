// Builds a GameState from the widget's messages: a snapshot replaces what was known, the
// messages between snapshots update it. It mutates the state in place (the receiver applies
// tens of thousands of messages a second) and never throws on a well-formed message, whatever
// the order: a message about an unknown team is ignored until the next snapshot.
import type {
  OutboundMessage,
  SnapshotMessage,
  TeamInfo,
  TeamUnits,
  UnitCount,
  UnitDestroyedRow,
} from "../../protocol/messages.ts";
import type { DefCounts, GameState, TeamState, TickerEvent } from "./gameState.ts";
import { armyValue } from "./metrics.ts";

/** Chart samples kept per series; past it every other sample is dropped (the whole game stays). */
export const MAX_HISTORY_SAMPLES = 2048;
/** Ticker entries kept. */
export const MAX_TICKER_EVENTS = 50;
/** A destroyed unit is worth a ticker line from this metal cost on (or when it is a commander). */
export const TICKER_MIN_METAL = 1000;
const FRAMES_PER_SECOND = 30;

/**
 * The chart's army value per team, keyed by the team's `finished` counts: every economy
 * message samples it, but it changes only with counts or definitions, so it is summed again
 * only then (applyCounts and unitdefs drop the entry).
 */
const armyValues = new WeakMap<DefCounts, number>();

function cachedArmyValue(state: GameState, team: TeamState): number {
  let value = armyValues.get(team.finished);
  if (value === undefined) {
    value = armyValue(team, state.unitDefs);
    armyValues.set(team.finished, value);
  }
  return value;
}

function newTeam(info: TeamInfo, previous: TeamState | undefined): TeamState {
  return {
    info,
    metal: null,
    energy: null,
    finished: {},
    building: {},
    unknown: 0,
    stats: null,
    // Summed from events, which a snapshot does not repeat: carried over.
    killedMetal: previous?.killedMetal ?? 0,
    lostMetal: previous?.lostMetal ?? 0,
    killedUnits: previous?.killedUnits ?? 0,
    lostUnits: previous?.lostUnits ?? 0,
  };
}

function findTeam(state: GameState, teamID: number | null): TeamState | undefined {
  if (teamID === null) return undefined;
  return state.teams.find((team) => team.info.teamID === teamID);
}

function applyCounts(target: DefCounts, counts: UnitCount[]): void {
  armyValues.delete(target);
  for (const [defID, count] of counts) {
    if (count > 0) target[defID] = count;
    else delete target[defID];
  }
}

function applyUnits(state: GameState, units: TeamUnits[]): void {
  for (const entry of units) {
    const team = findTeam(state, entry.teamID);
    if (!team) continue;
    applyCounts(team.finished, entry.finished);
    applyCounts(team.building, entry.building);
    team.unknown = entry.unknown;
  }
}

function applySnapshot(state: GameState, message: SnapshotMessage): void {
  state.game = message.game;
  state.view = message.view;
  state.settings = message.settings;
  state.players = message.players;
  state.paused = message.game.paused;
  const previous = new Map(state.teams.map((team) => [team.info.teamID, team]));
  state.teams = [...message.teams]
    .sort((a, b) => a.teamID - b.teamID)
    .map((info) => newTeam(info, previous.get(info.teamID)));
  for (const economy of message.economy) {
    const team = findTeam(state, economy.teamID);
    if (team) {
      team.metal = economy.metal;
      team.energy = economy.energy;
    }
  }
  applyUnits(state, message.units);
  for (const { teamID, entry } of message.stats) {
    const team = findTeam(state, teamID);
    if (team) team.stats = entry;
  }
  state.synced = true;
  state.lastSnapshotReason = message.reason;
}

function pushSample(state: GameState, frame: number): void {
  const history = state.history;
  const length = history.time.length;
  history.time.push(frame / FRAMES_PER_SECOND);
  for (const team of state.teams) {
    if (team.info.isGaia) continue;
    const key = String(team.info.teamID);
    const series = [history.metalIncome, history.energyIncome, history.armyValue];
    // A team first seen now gets nulls for the samples before it, so columns stay aligned.
    for (const s of series) s[key] ??= new Array<number | null>(length).fill(null);
    history.metalIncome[key]!.push(team.metal ? team.metal.income : null);
    history.energyIncome[key]!.push(team.energy ? team.energy.income : null);
    history.armyValue[key]!.push(cachedArmyValue(state, team));
  }
  // Teams that vanished (a view change) still need a value per sample.
  for (const s of [history.metalIncome, history.energyIncome, history.armyValue]) {
    for (const key in s) if (s[key]!.length === length) s[key]!.push(null);
  }
  if (history.time.length > MAX_HISTORY_SAMPLES) {
    const keepEven = <T>(values: T[]): T[] => values.filter((_, i) => i % 2 === 0);
    history.time = keepEven(history.time);
    for (const s of [history.metalIncome, history.energyIncome, history.armyValue]) {
      for (const key in s) s[key] = keepEven(s[key]!);
    }
  }
}

function ticker(state: GameState, event: TickerEvent): void {
  state.ticker.push(event);
  if (state.ticker.length > MAX_TICKER_EVENTS) state.ticker.shift();
}

function teamName(state: GameState, teamID: number): string {
  const team = findTeam(state, teamID);
  const leader = team ? state.players.find((p) => p.playerID === team.info.leader) : undefined;
  if (leader) return leader.name;
  if (team?.info.isAI) return team.info.aiName ?? `AI ${teamID}`;
  return `Team ${teamID}`;
}

/**
 * One `destroyed` row: the victim's team loses the unit's metal cost, the attacker's team
 * (when known and not allied) is credited with it; a commander or a costly unit makes a
 * ticker line.
 */
function applyDestroyed(state: GameState, row: UnitDestroyedRow, frame: number, seq: number): void {
  const teamID = row[3];
  const attackerTeamID = row[6];
  const def = state.unitDefs[row[2]];
  const cost = def?.metalCost ?? 0;
  const victim = findTeam(state, teamID);
  if (victim) {
    victim.lostMetal += cost;
    victim.lostUnits++;
  }
  const killer = findTeam(state, attackerTeamID);
  // Killing one's own or an allied unit is not a kill (BAR's statistics agree).
  if (killer && victim && killer.info.allyTeamID !== victim.info.allyTeamID) {
    killer.killedMetal += cost;
    killer.killedUnits++;
  }
  if (def && (def.iscommander || cost >= TICKER_MIN_METAL)) {
    const by = attackerTeamID === null ? "" : ` by ${teamName(state, attackerTeamID)}`;
    ticker(state, {
      frame,
      seq,
      teamID,
      text: `${teamName(state, teamID)} lost ${def.humanName}${by}`,
    });
  }
}

/** Applies one message (already validated against the protocol schema) to the state. */
export function applyMessage(state: GameState, message: OutboundMessage): GameState {
  if (message.type === "hello") {
    const { type: _type, token: _token, nextSeq: _next, frame: _frame, ...hello } = message;
    state.hello = hello;
    state.view = message.view;
    state.settings = message.settings;
    return state;
  }
  state.frame = message.type === "snapshot" ? message.frame : Math.max(state.frame, message.frame);
  state.seq = message.seq;
  const at = { frame: message.frame, seq: message.seq };
  switch (message.type) {
    case "unitdefs":
      for (const def of message.unitDefs) state.unitDefs[def.unitDefID] = def;
      for (const team of state.teams) armyValues.delete(team.finished);
      break;
    case "snapshot":
      applySnapshot(state, message);
      break;
    case "economy":
      for (const economy of message.teams) {
        const team = findTeam(state, economy.teamID);
        if (team) {
          team.metal = economy.metal;
          team.energy = economy.energy;
        }
      }
      if (state.synced) pushSample(state, message.frame);
      break;
    case "units":
      applyUnits(state, message.teams);
      break;
    case "stats": {
      const team = findTeam(state, message.teamID);
      if (team) team.stats = message.entry;
      break;
    }
    case "unit_events": {
      // Rows in the order the game made them; only a death changes the state (so far).
      const events = message.events;
      for (let i = 0; i < events.length; i++) {
        const row = events[i]!;
        if (row[0] === "destroyed") applyDestroyed(state, row, message.frame, message.seq);
      }
      break;
    }
    case "team_died": {
      const team = findTeam(state, message.teamID);
      if (team) team.info = { ...team.info, isDead: true };
      ticker(state, {
        ...at,
        teamID: message.teamID,
        text: `${teamName(state, message.teamID)} is out`,
      });
      break;
    }
    case "player_added":
    case "player_changed": {
      const index = state.players.findIndex((p) => p.playerID === message.player.playerID);
      if (index === -1) state.players.push(message.player);
      else state.players[index] = message.player;
      break;
    }
    case "player_removed":
      state.players = state.players.filter((p) => p.playerID !== message.playerID);
      break;
    case "game_started":
      if (state.game) state.game = { ...state.game, started: true };
      ticker(state, { ...at, teamID: null, text: "Game started" });
      break;
    case "game_paused":
    case "game_resumed":
      state.paused = message.type === "game_paused";
      if (state.game) state.game = { ...state.game, paused: state.paused };
      ticker(state, { ...at, teamID: null, text: state.paused ? "Game paused" : "Game resumed" });
      break;
    case "game_over":
      state.winners = message.winners;
      state.winnersDerived = message.winnersDerived;
      if (state.game) state.game = { ...state.game, over: true };
      ticker(state, {
        ...at,
        teamID: null,
        text: message.winners.length
          ? `Game over: ally team ${message.winners.join(", ")} won`
          : "Game over",
      });
      break;
    case "view_changed":
      // The new view may see more or less: wait for the snapshot that follows.
      state.view = message.view;
      state.synced = false;
      break;
    case "gap":
      state.droppedReported += message.dropped;
      break;
    case "bye":
      state.ended = message.reason;
      break;
    // Nothing in the game state: session-level (heartbeat) or not modelled yet.
    case "positions":
    case "damage":
    case "heartbeat":
      break;
  }
  return state;
}
