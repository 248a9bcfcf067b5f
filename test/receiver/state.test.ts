// The reducer and the derived metrics, against values worked out by hand from the protocol
// fixtures and from a real game (../shared/data), never from the code under test.
import { describe, expect, it } from "vitest";
import type { OutboundMessage } from "../../protocol/messages.ts";
import {
  applyMessage,
  createGameState,
  damageEfficiency,
  gameMetrics,
  MAX_HISTORY_SAMPLES,
} from "../../receiver/state/index.ts";
import type { GameState, TeamMetrics } from "../../receiver/state/index.ts";
import { synthesizeGame } from "../../tools/receiver/realGame.ts";
import { FIXTURE } from "./helpers.ts";

function fixtureMessages(): OutboundMessage[] {
  return FIXTURE.map((line) => JSON.parse(line) as OutboundMessage);
}

function feed(messages: OutboundMessage[], until = Infinity): GameState {
  const state = createGameState("s");
  for (const message of messages) {
    if (message.type !== "hello" && message.seq > until) break;
    applyMessage(state, message);
  }
  return state;
}

const team = (metrics: TeamMetrics[], teamID: number): TeamMetrics =>
  metrics.find((m) => m.teamID === teamID)!;

describe("reducer and metrics on the protocol fixtures", () => {
  it("derives the values of the first snapshot (team 0, hand-summed from its unit counts)", () => {
    const metrics = gameMetrics(feed(fixtureMessages(), 3));
    // armcom 2700 + 21 armpw × 54
    expect(team(metrics, 0).armyValue).toBe(3834);
    // 12 armmex × 50 + 8 armsolar × 155 + 6 armwin × 40
    expect(team(metrics, 0).ecoValue).toBe(2080);
    // armcom 3000 + 3 armck × 800; the lab (a factory) cannot assist
    expect(team(metrics, 0).buildPower).toBe(5400);
    expect(team(metrics, 0).defenceValue).toBe(0);
    expect(team(metrics, 0).unitCount).toBe(52);
    expect(team(metrics, 0).metalIncome).toBeCloseTo(16.657534, 6);
    // Gaia (team 8) is left out.
    expect(metrics.map((m) => m.teamID)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("applies absolute unit counts and sums kills and losses in metal from events", () => {
    const state = feed(fixtureMessages(), 11);
    const metrics = gameMetrics(state);
    // units seq 5: 22 armpw finished (+1), none building any more
    expect(team(metrics, 0).armyValue).toBe(3834 + 54);
    expect(state.teams[0]!.building).toEqual({});
    // seq 11, row 1: team 0 (ally 0) destroyed a corak (42 metal) of team 4 (ally 1)
    expect(team(metrics, 0).killedMetal).toBe(42);
    expect(team(metrics, 4).lostMetal).toBe(42);
    // seq 11, row 2: team 0 lost an armpw (54) to nobody known: a loss, nobody's kill
    expect(team(metrics, 0).lostMetal).toBe(54);
    expect(metrics.reduce((sum, m) => sum + m.killedMetal, 0)).toBe(42);
    expect(state.teams.map((t) => [t.killedUnits, t.lostUnits])).toEqual([
      [1, 1],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 1],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });

  it("counts a unit destroyed by an ally as a loss but as nobody's kill", () => {
    const state = feed(fixtureMessages(), 3);
    // Team 1 is on ally team 0 with team 0; an armpw costs 54.
    applyMessage(state, {
      type: "unit_events",
      seq: 4,
      frame: 45001,
      events: [["destroyed", 1, 385, 1, 2, 385, 0, 1]],
    });
    const metrics = gameMetrics(state);
    expect(team(metrics, 1).lostMetal).toBe(54);
    expect(team(metrics, 0).killedMetal).toBe(0);
  });

  it("applies every row of one unit_events message, in order, each by its own fields", () => {
    const state = feed(fixtureMessages(), 3);
    // Teams 0-3 are ally team 0, teams 4-7 ally team 1. armpw 54, corak 42, armcom 2700.
    applyMessage(state, {
      type: "unit_events",
      seq: 4,
      frame: 45001,
      events: [
        // A unit started, then destroyed in the same frame by team 4: a kill for team 4.
        ["created", 500, 385, 2, 9120],
        ["destroyed", 500, 385, 2, 700, 1003, 4, 11],
        // Team 5 kills a unit of its own team: team 5's loss, nobody's kill.
        ["destroyed", 701, 1003, 5, 702, 1003, 5, 12],
        ["finished", 503, 385, 3],
        ["given", 9120, 101, 1, 0],
        ["taken", 9120, 101, 1, 0],
        // Team 3 kills team 6's corak, then team 6's commander.
        ["destroyed", 703, 1003, 6, 600, 385, 3, 13],
        ["destroyed", 704, 107, 6, 600, 385, 3, 13],
        // An unknown attacker: a loss only.
        ["destroyed", 705, 385, 0, null, null, null, null],
      ],
    });
    const byTeam = state.teams.map((t) => [t.killedMetal, t.lostMetal, t.killedUnits, t.lostUnits]);
    expect(byTeam).toEqual([
      [0, 54, 0, 1], // team 0: the armpw of the last row
      [0, 0, 0, 0],
      [0, 54, 0, 1], // team 2: the armpw of row 2
      [42 + 2700, 0, 2, 0], // team 3: rows 7 and 8
      [54, 0, 1, 0], // team 4: row 2
      [0, 42, 0, 1], // team 5: its own corak (row 3)
      [0, 42 + 2700, 0, 2], // team 6: rows 7 and 8
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    // The commander (row 8) makes the only ticker line, with the message's frame and seq.
    expect(state.ticker).toEqual([
      { frame: 45001, seq: 4, teamID: 6, text: "Player 2 lost Armada Commander by Player 4" },
    ]);
    expect([state.frame, state.seq]).toEqual([45001, 4]);
  });

  it("keeps kills and losses across a later snapshot, and follows the session to its end", () => {
    const state = feed(fixtureMessages());
    expect(team(gameMetrics(state), 0).killedMetal).toBe(42);
    expect(state.lastSnapshotReason).toBe("view_changed");
    expect(state.winners).toEqual([0]);
    expect(state.ended).toBe("shutdown");
    expect(state.droppedReported).toBe(6);
    expect(state.players.find((p) => p.playerID === 5)).toBeUndefined();
  });

  it("waits for the snapshot after a view change before charting again", () => {
    const messages = fixtureMessages();
    const state = feed(messages, 28);
    expect(state.synced).toBe(false);
    const samples = state.history.time.length;
    applyMessage(state, {
      ...(messages.find((m) => m.type === "economy") as OutboundMessage & { type: "economy" }),
      seq: 29,
    });
    expect(state.history.time.length).toBe(samples);
  });
});

describe("the game clock", () => {
  it("does not step back for a message made across frames; a snapshot sets it", () => {
    const messages = fixtureMessages();
    const state = feed(messages, 3);
    const snapshot = messages.find((m) => m.type === "snapshot")!;
    const start = snapshot.frame;
    applyMessage(state, { type: "game_paused", seq: 10, frame: start + 90, playerID: 0 });
    // A `units` message begun at an earlier frame, completed after that event.
    applyMessage(state, {
      type: "units",
      seq: 11,
      frame: start + 60,
      teams: [{ teamID: 0, finished: [[385, 25]], building: [], unknown: 0 }],
    });
    expect([state.frame, state.seq]).toEqual([start + 90, 11]);
    applyMessage(state, { type: "game_resumed", seq: 12, frame: start + 120, playerID: 0 });
    expect(state.frame).toBe(start + 120);
    // A snapshot (a new view, a restarted game) is the state as it is: its frame stands.
    applyMessage(state, { ...snapshot, seq: 13, frame: start + 30 });
    expect(state.frame).toBe(start + 30);
  });
});

describe("the army value chart", () => {
  it("samples the army value again after the unit counts or the definitions change", () => {
    const messages = fixtureMessages();
    const state = feed(messages, 3);
    const economy = messages.find((m) => m.type === "economy")!;
    const at = (seq: number) => ({ seq, frame: 45000 + seq });
    applyMessage(state, { ...economy, ...at(10) });
    // team 0's first snapshot: armcom 2700 + 21 armpw × 54
    expect(state.history.armyValue["0"]!.at(-1)).toBe(3834);
    applyMessage(state, {
      type: "units",
      ...at(11),
      teams: [{ teamID: 0, finished: [[385, 25]], building: [], unknown: 0 }],
    });
    applyMessage(state, { ...economy, ...at(12) });
    expect(state.history.armyValue["0"]!.at(-1)).toBe(2700 + 25 * 54);
    // A catalog update (a reconnect resends unitdefs) that makes the armpw cost 60.
    const parts = messages.filter((m) => m.type === "unitdefs");
    const armpw = parts[0]!.unitDefs.find((d) => d.unitDefID === 385)!;
    applyMessage(state, { ...parts[0]!, ...at(13), unitDefs: [{ ...armpw, metalCost: 60 }] });
    applyMessage(state, { ...economy, ...at(14) });
    expect(state.history.armyValue["0"]!.at(-1)).toBe(2700 + 25 * 60);
    // A snapshot replaces the counts: back to the snapshot's 21 armpw.
    applyMessage(state, { ...messages.find((m) => m.type === "snapshot")!, ...at(15) });
    applyMessage(state, { ...economy, ...at(16) });
    expect(state.history.armyValue["0"]!.at(-1)).toBe(2700 + 21 * 60);
  });
});

describe("reducer and metrics on a real game (Centerrock 3v1, 2025)", () => {
  const game = synthesizeGame("centerrock-3v1-2025.json");
  const state = feed(game.messages);
  const metrics = gameMetrics(state);

  it("computes damage efficiency from the last statistics entry, as BAR's HUD does", () => {
    // Last entries (frame 23850): dealt / received → floor(dealt × 100 / received)
    // team 0: 17247.756 / 16265.534 → 106; team 1: 9504.783 / 1451.227 → 654
    // team 2: 22558.006 / 38174.004 → 59;  team 3: 4914.725 / 3593.617 → 136
    expect(metrics.map((m) => m.damageEfficiency)).toEqual([106, 654, 59, 136]);
    expect(team(metrics, 0).damageDealt).toBeCloseTo(17247.756, 3);
  });

  it("takes income from the economy of the last period", () => {
    // team 0: metalProduced 7886.043 → 7910.522 over 15 s = 1.6319 metal/s
    expect(team(metrics, 0).metalIncome).toBeCloseTo(24.479 / 15, 4);
    // energyProduced 154772.25 → 156082.094: 87.3229 energy/s
    expect(team(metrics, 0).energyIncome).toBeCloseTo(1309.844 / 15, 3);
  });

  it("values the army of a winner and of the team that died", () => {
    // Team 0 (Cortex, won): 98 produced − 33 died = 65 Grunts × 42 + its commander 2700
    expect(team(metrics, 0).armyValue).toBe(65 * 42 + 2700);
    expect(team(metrics, 0).unitCount).toBe(66);
    // Team 2 (the lone player, lost): 147 produced, 147 died, no commander left
    expect(team(metrics, 2).armyValue).toBe(0);
    expect(state.teams.find((t) => t.info.teamID === 2)!.info.isDead).toBe(true);
    expect(state.winners).toEqual([0]);
  });

  it("charts one sample per economy message, columns aligned per team", () => {
    // 54 statistics entries: 53 periods after the first
    expect(state.history.time.length).toBe(53);
    expect(state.history.time.at(-1)).toBe(23850 / 30);
    for (const key of ["0", "1", "2", "3"]) {
      expect(state.history.armyValue[key]).toHaveLength(53);
    }
    expect(state.history.armyValue["0"]!.at(-1)).toBe(65 * 42 + 2700);
  });
});

describe("metric formulas and bounds", () => {
  it("damage efficiency divides by at least 1 and needs both numbers", () => {
    expect(damageEfficiency(250, 0)).toBe(25000);
    expect(damageEfficiency(1, 3)).toBe(33);
    expect(damageEfficiency(null, 3)).toBeNull();
  });

  it("keeps the chart history bounded and spanning the whole game", () => {
    const messages = fixtureMessages();
    const state = feed(messages, 3);
    const economy = messages.find((m) => m.type === "economy")!;
    for (let i = 1; i <= MAX_HISTORY_SAMPLES * 2; i++) {
      applyMessage(state, { ...economy, seq: 100 + i, frame: 45000 + i * 30 } as OutboundMessage);
    }
    expect(state.history.time.length).toBeLessThanOrEqual(MAX_HISTORY_SAMPLES);
    expect(state.history.time[0]).toBe(45030 / 30);
    expect(state.history.time.at(-1)).toBe((45000 + MAX_HISTORY_SAMPLES * 2 * 30) / 30);
    expect(state.history.metalIncome["0"]).toHaveLength(state.history.time.length);
  });
});
