/**
 * The protocol end to end with timing checks, under every interpreter: a receiver that
 * accepts and never reads. The widget keeps its backlog and memory within their bounds,
 * counts what it drops, and keeps its frame budget, which is measured in wall time: so
 * this file runs in the e2e project, alone on the machine (vitest.config.ts), and the
 * interpreters one after the other. The runs without timing checks: protocol.test.ts.
 */
import { describe, expect, it } from "vitest";
import { sleep, Trial, type WidgetStatus } from "../host/protocol-trial.ts";
import {
  luaInterpreters,
  registerMissingInterpreterTests,
  type LuaInterpreter,
} from "../support/interpreters.ts";
import { ProtocolReceiver } from "../support/protocolReceiver.ts";

registerMissingInterpreterTests();

/** The collection's queue bound (src/collect/changes.ts DEFAULT_CHANGE_LIMIT). */
const CHANGE_LIMIT = 20_000;

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

describe("the protocol in the game world", () => {
  describe("a receiver that accepts and never reads: the widget stays within its budget and memory and counts what it drops", () => {
    it.for(luaInterpreters())(
      "under $name",
      { timeout: 200_000 },
      async (lua, { onTestFinished }) => {
        const trial = new Trial();
        onTestFinished(() => trial.end());
        await neverReads(lua, trial);
      },
    );
  });
});
