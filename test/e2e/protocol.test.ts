/**
 * The protocol end to end, under every interpreter: the built widget plays a game in the
 * host's world and talks to a receiver that we steer (test/support/protocolReceiver.ts),
 * which checks every line against the protocol's JSON Schema. Expectations come from the
 * protocol (docs/protocol.md), the world's truth log and the shared game record, never
 * from the widget's own code. These runs have no timing checks; the one that has
 * (a receiver that never reads) is protocol-budget.test.ts.
 */
import { describe, expect, it } from "vitest";
import { caughtUp, sleep, speedFor, Trial } from "../host/protocol-trial.ts";
import { readGame, readTruth } from "../host/world-driver.ts";
import { truthCounts } from "../host/world-collect-suite.ts";
import {
  luaInterpreters,
  registerMissingInterpreterTests,
  type LuaInterpreter,
} from "../support/interpreters.ts";
import { ProtocolReceiver } from "../support/protocolReceiver.ts";
import { applyMessage } from "../../receiver/state/reducer.ts";
import { createGameState, type GameState } from "../../receiver/state/gameState.ts";
import type { GapMessage, OutboundMessage } from "../../protocol/messages.ts";
import { random } from "../support/random.ts";

registerMissingInterpreterTests();

const GAME = "altored-divide-4v4-2020.json";

/** As `randomKills`, with the widget as a player of team 0 (what a player's view may read). */
async function randomKillsAsPlayer(lua: LuaInterpreter, trial: Trial): Promise<void> {
  await randomKills(lua, trial, "player");
}

async function randomKills(
  lua: LuaInterpreter,
  trial: Trial,
  view: "fullview" | "player" = "fullview",
): Promise<void> {
  const receiver = new ProtocolReceiver();
  const port = await trial.startReceiver(receiver);
  const { host } = await trial.play(
    lua.path,
    {
      driver: "game",
      game: GAME,
      seed: 7,
      view,
      viewTeam: 0,
      speed: speedFor(GAME, 25),
      truthDamage: false,
    },
    { port },
  );
  const rand = random(11);
  let ended = false;
  host
    .waitForEvent((e) => e.type === "world" && e.what === "ended", 120_000, "game end")
    .then(
      () => (ended = true),
      () => undefined,
    );
  while (!ended) {
    await sleep(300 + rand() * 2200);
    if (receiver.isConnected()) receiver.kill();
  }
  const status = await caughtUp(host, receiver);
  expect(status.internalErrors, status.lastInternalError).toBe(0);
  expect(receiver.connections).toBeGreaterThan(5);
  expect(receiver.invalid).toEqual([]);
  // Every connection's hello speaks for the view the widget plays in.
  const hellos = receiver.received.map((r) => r.message).filter((m) => m.type === "hello");
  expect(hellos.length).toBeGreaterThan(5);
  for (const h of hellos) if (h.type === "hello") expect(h.view.kind).toBe(view);

  // Each connection opens with hello, whose nextSeq is the seq of what follows it.
  for (let c = 1; c <= receiver.connections; c++) {
    const lines = receiver.received.filter((r) => r.connection === c).map((r) => r.message);
    if (lines.length === 0) continue; // killed before the hello arrived
    expect(lines[0]!.type).toBe("hello");
    const next = lines[1];
    if (next !== undefined && next.type !== "hello" && lines[0]!.type === "hello") {
      expect(next.seq).toBe(lines[0]!.nextSeq);
    }
  }
  // After dropping duplicates (a resend of what was not acknowledged): every seq from
  // 1 to the last received exactly once, in order, and at least every seq the widget had
  // produced when its status was read (it may produce more before the lines are read:
  // a loaded machine's sender catches up after the game's end); nothing dropped, no gap.
  const firsts: number[] = [];
  const seen = new Set<number>();
  for (const m of receiver.sequenced()) {
    if (!seen.has(m.seq)) {
      seen.add(m.seq);
      firsts.push(m.seq);
    }
  }
  expect(firsts).toEqual(Array.from({ length: firsts.length }, (_, i) => i + 1));
  expect(firsts.length).toBeGreaterThanOrEqual(status.delivery.produced);
  expect(receiver.sequenced().filter((m) => m.type === "gap")).toEqual([]);
  expect(status.delivery.dropped).toBe(0);
  // Something was sent again, or the kills tested nothing.
  expect(receiver.sequenced().length).toBeGreaterThan(firsts.length);
  await host.shutdown();
}

async function tinyBacklog(lua: LuaInterpreter, trial: Trial): Promise<void> {
  const receiver = new ProtocolReceiver();
  const port = await trial.startReceiver(receiver);
  const { host } = await trial.play(
    lua.path,
    {
      driver: "game",
      game: GAME,
      seed: 8,
      view: "fullview",
      speed: speedFor(GAME, 30),
      truthDamage: false,
    },
    { port, backlogKiB: 64 },
  );
  await host.waitForEvent((e) => e.type === "world" && e.what === "started", 20_000, "game start");
  await sleep(4000);
  await receiver.stop();
  // What arrived after the last ack: the widget cannot know it did.
  const ackedAtStop = receiver.lastAcked;
  const heardAtStop = receiver.highestSeq();
  await sleep(8000);
  await receiver.start(port);
  await host.waitForEvent((e) => e.type === "world" && e.what === "ended", 120_000, "game end");
  // Until the receiver has everything and every drop has been reported in a gap.
  const reportedSoFar = () =>
    receiver
      .sequenced()
      .filter((m): m is GapMessage => m.type === "gap")
      .reduce((n, g) => n + g.dropped, 0);
  let status = await caughtUp(host, receiver);
  const settleUntil = Date.now() + 20_000;
  while (status.delivery.dropped !== reportedSoFar() && Date.now() < settleUntil) {
    await sleep(250);
    status = await caughtUp(host, receiver);
  }
  expect(status.internalErrors, status.lastInternalError).toBe(0);
  expect(receiver.invalid).toEqual([]);

  const messages = receiver.sequenced();
  const got = new Set(messages.map((m) => m.seq));
  const gaps = messages.filter((m): m is GapMessage => m.type === "gap");
  expect(gaps.length).toBeGreaterThan(0);
  let reported = 0;
  let missingInGaps = 0;
  for (const gap of gaps) {
    // The gap counts every seq in its range that never arrived, and at most the ones
    // that arrived unacknowledged before the receiver went away (a message written
    // but not acknowledged is reported lost once it had to be let go).
    let missing = 0;
    let unconfirmed = 0;
    for (let s = gap.firstSeq; s <= gap.lastSeq; s++) {
      if (!got.has(s)) missing += 1;
      else if (s > ackedAtStop && s <= heardAtStop) unconfirmed += 1;
    }
    expect(gap.dropped, `gap ${gap.firstSeq}..${gap.lastSeq}`).toBeGreaterThanOrEqual(missing);
    expect(gap.dropped, `gap ${gap.firstSeq}..${gap.lastSeq}`).toBeLessThanOrEqual(
      missing + unconfirmed,
    );
    expect(gap.counts.reduce((n, c) => n + c.count, 0)).toBe(gap.dropped);
    missingInGaps += missing;
    reported += gap.dropped;
    // The next message after a gap is a snapshot that replaces what was missed.
    const after = messages[messages.indexOf(gap) + 1];
    expect(after?.type).toBe("snapshot");
    if (after?.type === "snapshot") expect(after.reason).toBe("gap");
  }
  // Every seq the widget produced arrived, or lies in a gap that counted it.
  expect(status.delivery.produced - got.size).toBe(missingInGaps);
  expect(status.delivery.dropped).toBe(reported);
  await host.shutdown();
}

async function restarted(lua: LuaInterpreter, trial: Trial): Promise<void> {
  const first = new ProtocolReceiver();
  const port = await trial.startReceiver(first);
  const { host, truthLog } = await trial.play(
    lua.path,
    {
      driver: "game",
      game: GAME,
      seed: 9,
      view: "fullview",
      speed: speedFor(GAME, 25),
      truthDamage: false,
    },
    { port },
  );
  await host.waitForEvent((e) => e.type === "world" && e.what === "started", 20_000, "game start");
  await sleep(8000);
  await first.stop();
  const second = new ProtocolReceiver();
  await trial.startReceiver(second, port);
  await host.waitForEvent((e) => e.type === "world" && e.what === "ended", 120_000, "game end");
  expect(second.invalid).toEqual([]);
  const game = readGame(GAME);

  // The second receiver knows nothing before its first snapshot: it starts there.
  const stateNow = (): GameState => {
    const messages = second.sequenced();
    const start = messages.findIndex((m) => m.type === "snapshot");
    const state = createGameState("e2e");
    let last = 0;
    for (const m of messages.slice(Math.max(start, 0))) {
      if (m.seq <= last) continue; // a duplicate
      last = m.seq;
      applyMessage(state, m as OutboundMessage);
    }
    return state;
  };
  // The truth at the end of the game: every team's units by def (full view: exact).
  const truth = readTruth(truthLog).filter((l) => l.e === "team");
  const final = new Map<number, string>();
  for (const line of truth)
    final.set(Number(line.team), truthCounts(line.unitsByDef as Record<string, number>));
  const countsOf = (state: GameState) => {
    const m = new Map<number, string>();
    for (const t of state.teams) {
      const byDef: Record<string, number> = {};
      for (const [def, n] of Object.entries(t.finished)) byDef[def] = (byDef[def] ?? 0) + n;
      for (const [def, n] of Object.entries(t.building)) byDef[def] = (byDef[def] ?? 0) + n;
      for (const def of Object.keys(byDef)) if (byDef[def] === 0) delete byDef[def];
      m.set(t.info.teamID, truthCounts(byDef));
    }
    return m;
  };
  // Statistics: every team's final tally is the record's last entry.
  const finalStats = (s: GameState) =>
    game.teams.every((t) => {
      const record = game.teamStats[String(t.teamID)]!;
      const latest = s.teams.find((x) => x.info.teamID === t.teamID)?.stats;
      return (
        latest?.metalProduced != null &&
        Math.fround(latest.metalProduced) === Math.fround(record[record.length - 1]!.metalProduced)
      );
    });
  // Units every team has at the end, as the truth has them, and the final statistics
  // (the widget's next runs after the end come within a few wall seconds).
  const until = Date.now() + 20_000;
  let state = stateNow();
  while (Date.now() < until) {
    state = stateNow();
    const counts = countsOf(state);
    if ([...final].every(([team, s]) => counts.get(team) === s) && finalStats(state)) break;
    await sleep(250);
  }
  expect(state.synced).toBe(true);
  const counts = countsOf(state);
  for (const [team, s] of final) expect(counts.get(team), `team ${team} units`).toBe(s);
  // Statistics: every team's latest entry is the record's last (final tally).
  for (const t of game.teams) {
    const record = game.teamStats[String(t.teamID)]!;
    const latest = state.teams.find((x) => x.info.teamID === t.teamID)!.stats!;
    expect(Math.fround(latest.metalProduced!)).toBe(
      Math.fround(record[record.length - 1]!.metalProduced),
    );
  }
  await host.shutdown();
}

const interpreters = luaInterpreters();
// The runs go at once, both interpreters' and every run's (up to vitest's maxConcurrency,
// 5): they spend their time waiting for the game's real seconds, and each ends only what
// it started.
const RUNS: {
  title: string;
  run: (lua: LuaInterpreter, trial: Trial) => Promise<void>;
}[] = [
  {
    title:
      "a receiver that kills the connection at random moments: every message once after dedup, in order, no gap",
    run: randomKills,
  },
  {
    title: "the same as a player of team 0",
    run: randomKillsAsPlayer,
  },
  {
    title:
      "a receiver that goes away with a tiny backlog bound: each gap with exact counts, then a snapshot",
    run: tinyBacklog,
  },
  {
    title: "a receiver restarted mid-game is right after its first snapshot, without history",
    run: restarted,
  },
];

describe("the protocol in the game world", () => {
  for (const { title, run } of RUNS) {
    describe.concurrent(title, () => {
      it.concurrent.for(interpreters)(
        "under $name",
        { timeout: 200_000 },
        async (lua, { onTestFinished }) => {
          const trial = new Trial();
          onTestFinished(() => trial.end());
          await run(lua, trial);
        },
      );
    });
  }
});
