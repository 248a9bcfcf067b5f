/**
 * What a receiver's recording of a real game must hold, checked against the game's record
 * (../shared/data/games), the world's truth log and the protocol (docs/protocol.md), never
 * against the widget's or the receiver's own code. A view is checked for what it may see
 * (docs/collection.md, test/host/README.md) and nothing more.
 */
import { expect } from "vitest";
import type { HostStatus } from "./driver.ts";
import { ofType, type SequencedMessage, type SessionRecording } from "./recording.ts";
import { TruthUnits, type DefCounts } from "./truth-units.ts";
import { expectEntriesAsRecorded, truthKeys } from "./world-collect-suite.ts";
import type { RecordedGame, StatEntry, TruthLine } from "./world-driver.ts";
import type { TeamEconomy, TeamUnits } from "../../protocol/messages.ts";

/** Who the recording was made for: every team readable, or a player's ally team only. */
export interface ViewUnderTest {
  kind: "fullview" | "player";
  /** The teams whose data the view may read (all, or the player's ally team). */
  readable: number[];
}

export function viewOf(game: RecordedGame, kind: "fullview" | "player", team = 0): ViewUnderTest {
  const ally = game.teams.find((t) => t.teamID === team)!.allyTeamID;
  const readable = game.teams
    .filter((t) => kind === "fullview" || t.allyTeamID === ally)
    .map((t) => t.teamID);
  return { kind, readable };
}

/**
 * Nothing lost: after dropping duplicates every seq from 1 to the last the widget
 * produced arrived, and no `gap` says that anything was dropped.
 */
export function expectNothingLost(recording: SessionRecording, produced: number): void {
  const seqs = recording.messages.map((m) => m.seq);
  const missing: number[] = [];
  for (let s = 1, i = 0; s <= produced; s++) {
    while (i < seqs.length && seqs[i]! < s) i++;
    if (seqs[i] !== s) missing.push(s);
  }
  expect(missing, `seqs missing of 1..${produced}`).toEqual([]);
  expect(ofType(recording.messages, "gap")).toEqual([]);
  expect(recording.unreadable, "unreadable lines").toBe(0);
}

/**
 * Statistics: every team's entries as the record has them, every field; a player gets
 * the enemies' entries only once the game is over (the engine allows them then).
 */
export function expectStatsAsRecorded(
  recording: SessionRecording,
  game: RecordedGame,
  view: ViewUnderTest,
): void {
  const endFrame = game.gameSeconds * 30;
  const stats = ofType(recording.messages, "stats");
  for (const t of game.teams) {
    const mine = stats.filter((m) => m.teamID === t.teamID);
    expectEntriesAsRecorded(
      mine.map((m) => m.entry as StatEntry),
      t.teamID,
      game.teamStats[String(t.teamID)]!,
      endFrame,
    );
    if (!view.readable.includes(t.teamID)) {
      const early = mine.filter((m) => m.frame < endFrame);
      expect(early, `enemy team ${t.teamID}: statistics before game over`).toEqual([]);
    }
  }
}

/** Counts as "def:n,..." sorted by def, zeros left out. */
function countsText(counts: DefCounts): string {
  return [...counts]
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => a - b)
    .map(([d, n]) => `${d}:${n}`)
    .join(",");
}

/** Counts a receiver knows per team from the snapshots and `units` messages so far. */
class RecordedUnits {
  readonly teams = new Map<number, { finished: DefCounts; building: DefCounts; unknown: number }>();

  apply(list: TeamUnits[], replace: boolean): void {
    if (replace) this.teams.clear();
    for (const t of list) {
      let team = this.teams.get(t.teamID);
      if (!team) {
        team = { finished: new Map(), building: new Map(), unknown: 0 };
        this.teams.set(t.teamID, team);
      }
      for (const [def, n] of t.finished) team.finished.set(def, n);
      for (const [def, n] of t.building) team.building.set(def, n);
      team.unknown = t.unknown;
    }
  }
}

/**
 * Unit counts. The widget stamps a `units` message (and a snapshot) with the frame its run
 * began and reads the counts when the run ends, possibly some host frames later; in a game
 * running thousands of frames a second the world moves on meanwhile. So each message's
 * counts must be the truth's exactly at one moment between its frame and the next such
 * message's (or the game's end): every readable team's finished and unfinished units by
 * def at once. An enemy's are never more than the truth had during that time (a player
 * sees only some). At the end the counts are the truth's. Returns how many messages were
 * checked.
 */
export function expectUnitCountsAsTruth(
  recording: SessionRecording,
  truth: TruthLine[],
  view: ViewUnderTest,
  endFrame: number,
): number {
  const replay = new TruthUnits(truth);
  const known = new RecordedUnits();
  const messages = recording.messages.filter((m) => m.type === "snapshot" || m.type === "units");
  const text = (team: number, c?: { finished: DefCounts; building: DefCounts; unknown?: number }) =>
    `${team} f[${countsText(c?.finished ?? new Map())}] b[${countsText(c?.building ?? new Map())}] u${c?.unknown ?? 0}`;
  const knownText = () => view.readable.map((t) => text(t, known.teams.get(t))).join(" ");
  const truthText = () => view.readable.map((t) => text(t, replay.team(t))).join(" ");
  // Before the game starts (the pregame is frame 0 too) there are no units.
  const started = ofType(recording.messages, "game_started")[0]?.seq ?? 0;
  messages.forEach((m, i) => {
    known.apply(m.type === "snapshot" ? m.units : m.teams, m.type === "snapshot");
    if (m.seq < started) {
      expect(knownText(), `${m.type} seq ${m.seq} before the game started`).toBe(truthText());
      return;
    }
    const until = Math.max(messages[i + 1]?.frame ?? endFrame, m.frame);
    const got = knownText();
    // The most units of each enemy team and def at any moment of the window.
    const most = new Map<string, number>();
    const track = () => {
      for (const [teamID, real] of replay.teams) {
        if (view.readable.includes(teamID)) continue;
        const byDef = new Map<string, number>();
        for (const [def, n] of [...real.finished, ...real.building]) {
          const key = `${teamID}:${def}`;
          byDef.set(key, (byDef.get(key) ?? 0) + n);
        }
        let all = 0;
        for (const [key, n] of byDef) {
          most.set(key, Math.max(most.get(key) ?? 0, n));
          all += n;
        }
        most.set(`${teamID}:all`, Math.max(most.get(`${teamID}:all`) ?? 0, all));
      }
    };
    replay.advanceTo(Math.max(replay.frame, m.frame));
    let matched = truthText() === got;
    track();
    for (
      let next = replay.nextFrame();
      next !== undefined && next <= until;
      next = replay.nextFrame()
    ) {
      replay.advanceTo(next);
      matched ||= truthText() === got;
      track();
    }
    if (!matched) {
      expect(got, `${m.type} seq ${m.seq}, frame ${m.frame}..${until}: readable teams`).toBe(
        truthText(),
      );
    }
    for (const [teamID, seenTeam] of known.teams) {
      if (view.readable.includes(teamID)) continue;
      const where = `team ${teamID}, ${m.type} seq ${m.seq} frame ${m.frame}..${until}`;
      let seen = seenTeam.unknown;
      const byDef = new Map<number, number>();
      for (const [def, n] of [...seenTeam.finished, ...seenTeam.building]) {
        byDef.set(def, (byDef.get(def) ?? 0) + n);
        seen += n;
      }
      for (const [def, n] of byDef) {
        expect(n, `${where}: def ${def} seen`).toBeLessThanOrEqual(
          most.get(`${teamID}:${def}`) ?? 0,
        );
      }
      expect(seen, `${where}: units seen`).toBeLessThanOrEqual(most.get(`${teamID}:all`) ?? 0);
    }
  });
  replay.advanceTo(Math.max(replay.frame, endFrame));
  expect(knownText(), "the counts at the end").toBe(truthText());
  return messages.length;
}

type UnitEventType =
  "unit_created" | "unit_finished" | "unit_destroyed" | "unit_given" | "unit_taken";

/** Unit events of a type as sorted "frame:unitID:team" keys, as truthKeys makes them. */
function eventKeys(messages: SequencedMessage[], type: UnitEventType): string[] {
  return messages
    .filter((m) => m.type === type)
    .map((m) => {
      const e = m as Extract<SequencedMessage, { type: UnitEventType }>;
      const team = "teamID" in e ? e.teamID : e.newTeamID;
      return `${e.frame}:${e.unitID}:${team}`;
    })
    .sort();
}

/** The call-ins the world delivered per team, from the world probe's status. */
export type DeliveredCallIns = Record<string, { total: number; byTeam: Record<string, number> }>;

export function deliveredCallIns(probe: HostStatus): DeliveredCallIns {
  return (probe.widgetStatus as { callins: DeliveredCallIns }).callins;
}

/**
 * Events: a full view gets every unit event as the truth has it, once. A player gets its
 * ally team's exactly, of the enemies only the deaths it saw (without the attacker) and
 * what BAR forwards in sight: one event per call-in the world delivered, nothing more.
 */
export function expectEventsAsTruth(
  recording: SessionRecording,
  truth: TruthLine[],
  view: ViewUnderTest,
  delivered: DeliveredCallIns,
): void {
  const m = recording.messages;
  const mine = (key: string) => view.readable.includes(Number(key.split(":")[2]));
  const pick = (keys: string[]) => (view.kind === "fullview" ? keys : keys.filter(mine));
  expect(pick(eventKeys(m, "unit_created"))).toEqual(pick(truthKeys(truth, "UnitCreated")));
  expect(pick(eventKeys(m, "unit_finished"))).toEqual(pick(truthKeys(truth, "UnitFinished")));
  expect(pick(eventKeys(m, "unit_destroyed"))).toEqual(pick(truthKeys(truth, "UnitDestroyed")));
  expect(pick(eventKeys(m, "unit_given"))).toEqual(pick(truthKeys(truth, "UnitGiven", "newTeam")));
  expect(pick(eventKeys(m, "unit_taken"))).toEqual(pick(truthKeys(truth, "UnitGiven", "newTeam")));
  // One event per call-in delivered, per team (the enemies' included): nothing more.
  const perTeam = (type: UnitEventType, field: "teamID" | "oldTeamID" | "newTeamID") => {
    const counts: Record<string, number> = {};
    for (const e of m) {
      if (e.type !== type) continue;
      const key = String((e as unknown as Record<string, number>)[field]);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };
  const byTeam = (name: string) => delivered[name]?.byTeam ?? {};
  expect(perTeam("unit_created", "teamID")).toEqual(byTeam("UnitCreated"));
  expect(perTeam("unit_finished", "teamID")).toEqual(byTeam("UnitFinished"));
  expect(perTeam("unit_destroyed", "teamID")).toEqual(byTeam("UnitDestroyed"));
  expect(perTeam("unit_given", "newTeamID")).toEqual(byTeam("UnitGiven"));
  expect(perTeam("unit_taken", "oldTeamID")).toEqual(byTeam("UnitTaken"));
  if (view.kind === "player") {
    // The enemies' deaths the player saw, as the truth marks them, without the attacker.
    const enemyDeaths = ofType(m, "unit_destroyed").filter(
      (e) => !view.readable.includes(e.teamID),
    );
    expect(enemyDeaths.map((e) => `${e.frame}:${e.unitID}:${e.teamID}`).sort()).toEqual(
      truthKeys(
        truth.filter((l) => l.seen === true),
        "UnitDestroyed",
      ),
    );
    for (const e of enemyDeaths) expect(e.attackerID).toBeNull();
  }
}

/**
 * Economy: every sample has exactly the readable teams, each with the 9 values of metal
 * and energy the truth logged at one game second (the engine updates them once a second).
 * The sample is stamped with the frame it began and reads team after team, possibly over
 * several host frames: each team's second lies between the sample's frame and the next
 * sample's (or the game's end). Returns how many team samples were read later than stamped.
 */
export function expectEconomyAsTruth(
  recording: SessionRecording,
  truth: TruthLine[],
  view: ViewUnderTest,
  gaia: number,
  endFrame: number,
): number {
  const second = new Map<string, TruthLine>();
  for (const l of truth) if (l.e === "team") second.set(`${l.f}:${String(l.team)}`, l);
  const fields = ["current", "storage", "pull", "income", "expense", "share", "sent", "received", "excess"] as const; // prettier-ignore
  const samples = ofType(recording.messages, "economy");
  expect(samples.length).toBeGreaterThan(0);
  const expectedTeams = view.kind === "fullview" ? [...view.readable, gaia] : view.readable;
  const valuesOf = (e: TeamEconomy) =>
    (["metal", "energy"] as const)
      .flatMap((r) => fields.map((f) => e[r][f]))
      .map((v) => (v === null ? "null" : String(Math.fround(v))))
      .join(",");
  const truthValues = (l: TruthLine) =>
    [...(l.metal as number[]), ...(l.energy as number[])]
      .map((v) => String(Math.fround(v)))
      .join(",");
  let late = 0;
  samples.forEach((sample, i) => {
    expect(sample.teams.map((t) => t.teamID).sort((a, b) => a - b)).toEqual(
      [...expectedTeams].sort((a, b) => a - b),
    );
    const from = Math.floor(sample.frame / 30) * 30;
    const until = Math.floor((samples[i + 1]?.frame ?? endFrame) / 30) * 30;
    for (const team of sample.teams) {
      const got = valuesOf(team);
      let at = from;
      while (at < until && truthValues(second.get(`${at}:${team.teamID}`)!) !== got) at += 30;
      if (at > from) late++;
      const line = second.get(`${at}:${team.teamID}`);
      expect(line, `truth of team ${team.teamID} at frame ${at}`).toBeDefined();
      expect(got, `economy seq ${sample.seq} (frame ${sample.frame}), team ${team.teamID}`).toBe(
        truthValues(line!),
      );
    }
  });
  return late;
}

/** The end: one game_over with the record's winners, derived (BAR drops them). */
export function expectGameOver(recording: SessionRecording, game: RecordedGame): void {
  const over = ofType(recording.messages, "game_over");
  expect(over).toHaveLength(1);
  expect(over[0]!.frame).toBe(game.gameSeconds * 30);
  expect(over[0]!.winnersDerived).toBe(true);
  expect(over[0]!.winners).toEqual(game.winningAllyTeams);
}
