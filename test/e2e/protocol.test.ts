/**
 * The protocol end to end, under every interpreter: the built widget plays a game in the
 * host's world and talks to a receiver that we steer (test/support/protocolReceiver.ts),
 * which checks every line against the protocol's JSON Schema. Expectations come from the
 * protocol (docs/protocol.md), the world's truth log and the shared game record, never
 * from the widget's own code.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BarHost } from "../host/driver.ts";
import type { Delivery } from "../host/pipeline.ts";
import { WIDGET_NAME, writeWidgetConfig, type LuaValue } from "../host/widget-config.ts";
import { readGame, readTruth, worldConfig, type WorldConfig } from "../host/world-driver.ts";
import { truthCounts, WIDGET } from "../host/world-collect-suite.ts";
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

/** The collection's queue bound (src/collect/changes.ts DEFAULT_CHANGE_LIMIT). */
const CHANGE_LIMIT = 20_000;
const GAME = "altored-divide-4v4-2020.json";

/**
 * What one test started, stopped when it finishes: the runs without timing checks go
 * two at a time (one per interpreter), so cleanup must not touch another test's host.
 */
class Trial {
  private readonly receivers: ProtocolReceiver[] = [];
  private readonly hosts: BarHost[] = [];

  async startReceiver(receiver = new ProtocolReceiver(), port = 0): Promise<number> {
    this.receivers.push(receiver);
    return receiver.start(port);
  }

  async play(
    interpreter: string,
    world: WorldConfig,
    settings: Record<string, LuaValue>,
    maxSeconds = 150,
  ): Promise<{ host: BarHost; truthLog: string }> {
    const { configPath: worldPath, truthLog } = worldConfig(world);
    const host = await BarHost.start({
      interpreter,
      widget: WIDGET,
      world: worldPath,
      configPath: writeConfig({ host: "127.0.0.1", retryInitialDelay: 0.1, ...settings }),
      maxSeconds,
    });
    this.hosts.push(host);
    return { host, truthLog };
  }

  async end(): Promise<void> {
    await Promise.all(this.hosts.splice(0).map((h) => h.kill()));
    for (const r of this.receivers.splice(0)) await r.stop();
  }
}

/** A BAR config file holding the widget's saved settings. */
function writeConfig(settings: Record<string, LuaValue>): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "protocol-e2e-")), "config.lua");
  writeWidgetConfig(file, { [WIDGET_NAME]: settings });
  return file;
}

interface WidgetStatus {
  state: string;
  internalErrors: number;
  lastInternalError?: string;
  delivery: Delivery;
  collection: { pending: number };
  frameCost: {
    budgetUs: number;
    frames: number;
    meanUs: number;
    tasks: { name: string; meanUs: number; error?: string }[];
  };
}

async function widgetStatus(host: BarHost): Promise<WidgetStatus> {
  return (await host.status()).widgetStatus as WidgetStatus;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the receiver has every message the widget produced so far. */
async function caughtUp(
  host: BarHost,
  receiver: ProtocolReceiver,
  timeoutMs = 20_000,
): Promise<WidgetStatus> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await widgetStatus(host);
    if (s.delivery.produced > 0 && receiver.highestSeq() >= s.delivery.produced) return s;
    if (Date.now() > until) {
      throw new Error(
        `the receiver has seq ${receiver.highestSeq()}, the widget produced ${s.delivery.produced}`,
      );
    }
    await sleep(100);
  }
}

/** The world's game time runs this many times real time, so that the game lasts about `seconds`. */
function speedFor(game: string, seconds: number): number {
  return readGame(game).gameSeconds / seconds;
}

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
  // 1 to the last produced exactly once, in order; nothing dropped, so no gap.
  const firsts: number[] = [];
  const seen = new Set<number>();
  for (const m of receiver.sequenced()) {
    if (!seen.has(m.seq)) {
      seen.add(m.seq);
      firsts.push(m.seq);
    }
  }
  expect(firsts).toEqual(Array.from({ length: status.delivery.produced }, (_, i) => i + 1));
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

async function neverReads(lua: LuaInterpreter, trial: Trial): Promise<void> {
  const receiver = new ProtocolReceiver({ neverRead: true });
  const port = await trial.startReceiver(receiver);
  // A battle at 4 times game speed: 800 units die and are rebuilt every wall second,
  // three events each. The kernel takes the first few MB of the never-read socket;
  // then the backlog fills to its bound and the widget must drop. The check that ends
  // a stuck connection is off, so that only the bound holds the widget's memory.
  const { host } = await trial.play(
    lua.path,
    {
      driver: "scale",
      seed: 5,
      view: "fullview",
      speed: 4,
      truthDamage: false,
      truthTeams: false,
      scale: { teams: 8, unitsPerTeam: 250, killsPerSecond: 200, seconds: 240 },
    },
    { port, backlogKiB: 1024, silenceTimeout: 0, frameBudget: 2 },
  );
  await host.waitForEvent((e) => e.type === "world" && e.what === "started", 20_000, "game start");
  const bound = 1024 * 1024;
  // Until the widget drops (the socket and the backlog are full), then 10 s more.
  let dropping: { memoryKb: number; dropped: number; pending: number } | undefined;
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    await sleep(2000);
    await host.gc();
    const s = await host.status();
    const w = s.widgetStatus as WidgetStatus;
    expect(w.delivery.queuedBytes).toBeLessThanOrEqual(bound);
    if (dropping === undefined && w.delivery.dropped > 0) {
      dropping = {
        memoryKb: s.memoryKb!,
        dropped: w.delivery.dropped,
        pending: w.collection.pending,
      };
    } else if (dropping !== undefined && Date.now() > until - 50_000) {
      break;
    }
  }
  expect(dropping, "the widget never had to drop").toBeDefined();
  await sleep(10_000);
  await host.gc();
  const late = await host.status();
  const status = late.widgetStatus as WidgetStatus;
  expect(status.internalErrors, status.lastInternalError).toBe(0);
  expect(receiver.connections).toBe(1);
  // Memory: the backlog bound holds, and the Lua heap does not grow with what is
  // dropped (the world keeps its size: every unit that dies is rebuilt). It may grow
  // by the encoder's cache of number texts, bounded at 32,768 entries (about 3 MiB),
  // which fills as new unit IDs appear, and by the collection's changes not yet encoded
  // (a loaded machine gives the encoder less time): a bounded queue of small tables
  // (under half a KiB each in Lua 5.1), oldest dropped and counted past its bound. The
  // heap measured is the host's whole Lua state: on a loaded machine the host's own
  // buffers (events for the test driver) grow too, by a few MiB (up to 8 MiB seen).
  expect(status.delivery.queuedBytes).toBeLessThanOrEqual(bound);
  expect(status.collection.pending).toBeLessThanOrEqual(CHANGE_LIMIT);
  const queued = Math.max(0, status.collection.pending - dropping!.pending);
  expect(
    late.memoryKb! - dropping!.memoryKb,
    `${queued} more changes waiting to be encoded`,
  ).toBeLessThan(16 * 1024 + queued * 0.5);
  // Drops are counted, and go on being counted.
  expect(status.delivery.dropped).toBeGreaterThan(dropping!.dropped);
  expect(status.delivery.queuedMessages + status.delivery.dropped).toBeLessThanOrEqual(
    status.delivery.produced,
  );
  // Budget: the frame mean within the budget (plus a margin: see world-collect-views),
  // every task within it.
  const cost = status.frameCost;
  expect(cost.meanUs).toBeLessThanOrEqual(cost.budgetUs * 1.5);
  for (const task of cost.tasks) {
    expect(task.error, task.name).toBeUndefined();
    expect(task.meanUs, `${task.name} mean`).toBeLessThanOrEqual(cost.budgetUs);
  }
  await host.shutdown();
}

const interpreters = luaInterpreters();
// Runs without timing checks go at once, both interpreters' and every such run's (up to
// vitest's maxConcurrency, 5): they spend their time waiting for the game's real seconds,
// and each ends only what it started. The one that checks the frame budget runs alone,
// after them.
const RUNS: {
  title: string;
  run: (lua: LuaInterpreter, trial: Trial) => Promise<void>;
  timed: boolean;
}[] = [
  {
    title:
      "a receiver that kills the connection at random moments: every message once after dedup, in order, no gap",
    run: randomKills,
    timed: false,
  },
  {
    title: "the same as a player of team 0",
    run: randomKillsAsPlayer,
    timed: false,
  },
  {
    title:
      "a receiver that goes away with a tiny backlog bound: each gap with exact counts, then a snapshot",
    run: tinyBacklog,
    timed: false,
  },
  {
    title: "a receiver restarted mid-game is right after its first snapshot, without history",
    run: restarted,
    timed: false,
  },
  {
    title:
      "a receiver that accepts and never reads: the widget stays within its budget and memory and counts what it drops",
    run: neverReads,
    timed: true,
  },
];

describe("the protocol in the game world", () => {
  for (const { title, run, timed } of RUNS) {
    (timed ? describe : describe.concurrent)(title, () => {
      const each = timed ? it.for(interpreters) : it.concurrent.for(interpreters);
      each("under $name", { timeout: 200_000 }, async (lua, { onTestFinished }) => {
        const trial = new Trial();
        onTestFinished(() => trial.end());
        await run(lua, trial);
      });
    });
  }
});
