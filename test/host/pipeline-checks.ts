/**
 * What a receiver's recording of a real game must hold, checked against the game's record
 * (../shared/data/games), the world's truth log and the protocol (docs/protocol.md), never
 * against the widget's or the receiver's own code. A view is checked for what it may see
 * (docs/collection.md, test/host/README.md) and nothing more.
 */
import { expect } from "vitest";
import type { HostStatus } from "./driver.ts";
import { ofKind, ofType, unitEvents, type SessionRecording, type UnitEvent } from "./recording.ts";
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
  // (a line cut off by a dropped connection is allowed: it is sent again, whole)
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

/** The most units of each def (and in all) an enemy team had at any moment a replay passed. */
class EnemyMaxima {
  private readonly most = new Map<string, number>();

  track(replay: TruthUnits, teamID: number): void {
    const real = replay.team(teamID);
    const byDef = new Map<string, number>();
    for (const [def, n] of [...real.finished, ...real.building]) {
      byDef.set(String(def), (byDef.get(String(def)) ?? 0) + n);
    }
    byDef.set(
      "all",
      [...byDef.values()].reduce((a, n) => a + n, 0),
    );
    for (const [key, n] of byDef) {
      this.most.set(`${teamID}:${key}`, Math.max(this.most.get(`${teamID}:${key}`) ?? 0, n));
    }
  }

  /** The most of a team's `def` (or "all"). */
  get(teamID: number, def: number | "all"): number {
    return this.most.get(`${teamID}:${def}`) ?? 0;
  }
}

/**
 * Unit counts. The widget stamps a `units` message with the frame its run began and reads
 * the counts during the run, a few teams per step, which may span host frames (a run's
 * teams may come in several `units` messages of that frame); in a game running thousands
 * of frames a second the world moves on meanwhile, and a snapshot, encoded over frames, may
 * take its seq in the middle of a run. So once a run's messages are applied, each readable
 * team's finished and unfinished units by def must be the truth's at a moment between the
 * run's frame and the start of the next run (the next `units` message's frame, or any later
 * frame seen before it, or the game's end); a snapshot's, every readable team's at one
 * moment. The enemies a `units` message updates
 * (what a player sees of them at that run's look) are never more than the truth had
 * meanwhile. At the end the readable teams' counts are the truth's and no enemy's more.
 * Returns how many messages were checked.
 */
export function expectUnitCountsAsTruth(
  recording: SessionRecording,
  truth: TruthLine[],
  view: ViewUnderTest,
  endFrame: number,
): number {
  const known = new RecordedUnits();
  const messages = recording.messages.filter((m) => m.type === "snapshot" || m.type === "units");
  const text = (team: number, c?: { finished: DefCounts; building: DefCounts; unknown?: number }) =>
    `${team} f[${countsText(c?.finished ?? new Map())}] b[${countsText(c?.building ?? new Map())}] u${c?.unknown ?? 0}`;
  const knownText = () => view.readable.map((t) => text(t, known.teams.get(t))).join(" ");
  const truthText = (replay: TruthUnits) =>
    view.readable.map((t) => text(t, replay.team(t))).join(" ");
  const enemySeen = (teamID: number) => {
    const team = known.teams.get(teamID);
    const byDef = new Map<number | "all", number>();
    for (const [def, n] of [...(team?.finished ?? []), ...(team?.building ?? [])]) {
      byDef.set(def, (byDef.get(def) ?? 0) + n);
    }
    byDef.set(
      "all",
      [...byDef.values()].reduce((a, n) => a + n, team?.unknown ?? 0),
    );
    return byDef;
  };
  // Before the game starts (the pregame is frame 0 too) there are no units.
  const started = ofType(recording.messages, "game_started")[0]?.seq ?? 0;
  // A run's teams may come in several `units` messages (a few teams per step), all
  // stamped with the run's frame: checked once its last one is applied.
  let runTeams: number[] = [];
  messages.forEach((m, i) => {
    known.apply(m.type === "snapshot" ? m.units : m.teams, m.type === "snapshot");
    if (m.type === "units") runTeams.push(...m.teams.map((t) => t.teamID));
    const next = messages[i + 1];
    if (m.type === "units" && next?.type === "units" && next.frame === m.frame) return;
    const fresh = runTeams;
    runTeams = [];
    if (m.seq < started) {
      expect(knownText(), `${m.type} seq ${m.seq} before the game started`).toBe(
        truthText(new TruthUnits([])),
      );
      return;
    }
    const nextRun = messages.findIndex((n, j) => j > i && n.type === "units");
    const later = nextRun < 0 ? [endFrame] : messages.slice(i + 1, nextRun + 1).map((n) => n.frame);
    const until = Math.max(m.frame, ...later);
    const where = `${m.type} seq ${m.seq}, frame ${m.frame}..${until}`;
    const enemies = fresh.filter((t) => !view.readable.includes(t));
    const got = knownText();
    const replay = new TruthUnits(truth).advanceTo(m.frame);
    const most = new EnemyMaxima();
    // A snapshot reads every team at one moment; a run takes its teams one after another
    // over its frames, so each team's counts are the truth's at a moment of its own.
    const perTeam = m.type === "units";
    const matchedTeams = new Set<number>();
    const look = () => {
      for (const t of view.readable) {
        if (text(t, known.teams.get(t)) === text(t, replay.team(t))) matchedTeams.add(t);
      }
    };
    let matched = truthText(replay) === got;
    look();
    for (const e of enemies) most.track(replay, e);
    for (let f = replay.nextFrame(); f !== undefined && f <= until; f = replay.nextFrame()) {
      replay.advanceTo(f);
      matched ||= truthText(replay) === got;
      look();
      for (const e of enemies) most.track(replay, e);
    }
    if (perTeam) matched = view.readable.every((t) => matchedTeams.has(t));
    if (!matched) expect(got, `${where}: readable teams`).toBe(truthText(replay));
    for (const teamID of enemies) {
      for (const [def, n] of enemySeen(teamID)) {
        expect(n, `${where}: team ${teamID} ${def} seen`).toBeLessThanOrEqual(
          most.get(teamID, def),
        );
      }
    }
  });
  const end = new TruthUnits(truth).advanceTo(endFrame);
  expect(knownText(), "the counts at the end").toBe(truthText(end));
  const most = new EnemyMaxima();
  for (const [teamID] of known.teams) {
    if (view.readable.includes(teamID)) continue;
    most.track(end, teamID);
    for (const [def, n] of enemySeen(teamID)) {
      expect(n, `the end: team ${teamID} ${def} seen`).toBeLessThanOrEqual(most.get(teamID, def));
    }
  }
  return messages.length;
}

/** Unit events of a kind as sorted "frame:unitID:team" keys, as truthKeys makes them. */
function eventKeys(events: UnitEvent[], kind: UnitEvent["kind"]): string[] {
  return ofKind(events, kind)
    .map((e) => `${e.frame}:${e.unitID}:${"teamID" in e ? e.teamID : e.newTeamID}`)
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
  // Each row an event, stamped with its message's frame (the frame of its call-in).
  const events = unitEvents(recording.messages);
  const mine = (key: string) => view.readable.includes(Number(key.split(":")[2]));
  const pick = (keys: string[]) => (view.kind === "fullview" ? keys : keys.filter(mine));
  expect(pick(eventKeys(events, "created"))).toEqual(pick(truthKeys(truth, "UnitCreated")));
  expect(pick(eventKeys(events, "finished"))).toEqual(pick(truthKeys(truth, "UnitFinished")));
  expect(pick(eventKeys(events, "destroyed"))).toEqual(pick(truthKeys(truth, "UnitDestroyed")));
  expect(pick(eventKeys(events, "given"))).toEqual(pick(truthKeys(truth, "UnitGiven", "newTeam")));
  expect(pick(eventKeys(events, "taken"))).toEqual(pick(truthKeys(truth, "UnitGiven", "newTeam")));
  // One event per call-in delivered, per team (the enemies' included): nothing more.
  const perTeam = (kind: UnitEvent["kind"], field: "teamID" | "oldTeamID" | "newTeamID") => {
    const counts: Record<string, number> = {};
    for (const e of ofKind(events, kind)) {
      const key = String((e as unknown as Record<string, number>)[field]);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };
  const byTeam = (name: string) => delivered[name]?.byTeam ?? {};
  expect(perTeam("created", "teamID")).toEqual(byTeam("UnitCreated"));
  expect(perTeam("finished", "teamID")).toEqual(byTeam("UnitFinished"));
  expect(perTeam("destroyed", "teamID")).toEqual(byTeam("UnitDestroyed"));
  expect(perTeam("given", "newTeamID")).toEqual(byTeam("UnitGiven"));
  expect(perTeam("taken", "oldTeamID")).toEqual(byTeam("UnitTaken"));
  // The events come in the order they were made: their frames never go back.
  const back = events.filter((e, i) => i > 0 && e.frame < events[i - 1]!.frame);
  expect(back.map((e) => `seq ${e.seq}: frame ${e.frame}`)).toEqual([]);
  if (view.kind === "player") {
    // The enemies' deaths the player saw, as the truth marks them, without the attacker.
    const enemyDeaths = ofKind(events, "destroyed").filter(
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

/**
 * The end: one game_over. BAR drops the winners from GameOver, so they are derived: the
 * ally teams that still have a team alive, the record's winners when that decides it; when
 * every ally team has one (a game ended otherwise) it is undecided.
 */
export function expectGameOver(
  recording: SessionRecording,
  game: RecordedGame,
  truth: TruthLine[],
): void {
  const over = ofType(recording.messages, "game_over");
  expect(over).toHaveLength(1);
  expect(over[0]!.frame).toBe(game.gameSeconds * 30);
  expect(over[0]!.winnersDerived).toBe(true);
  const dead = new Set(truth.filter((l) => l.e === "TeamDied").map((l) => Number(l.team)));
  const alive = [
    ...new Set(game.teams.filter((t) => !dead.has(t.teamID)).map((t) => t.allyTeamID)),
  ].sort((a, b) => a - b);
  const decided = alive.length < game.allyTeams.length;
  expect(over[0]!.winners).toEqual(decided ? game.winningAllyTeams : []);
  if (decided) expect(alive).toEqual(game.winningAllyTeams);
}
