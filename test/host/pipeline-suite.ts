/**
 * The product's proof on a real game: the built widget plays one of the shared games in the
 * host's world, as a full-view spectator or as the player of team 0, connected to the real
 * receiver (startReceiverApp, recordings in a temp folder); then the recording is checked
 * against the game's record and the world's truth (test/host/pipeline-checks.ts) and the
 * overlay's final scoreboard in Chromium (test/host/expected-scoreboard.ts). Optionally the
 * connection is cut and the receiver restarted at seeded random moments. Registered by
 * test/e2e/pipeline.test.ts (one game) and test/games/ (`npm run test:games`, all games).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { BarHost } from "./driver.ts";
import { comparable, expectedScoreboard, withoutLosses } from "./expected-scoreboard.ts";
import { InProcessReceiver, Pipeline } from "./pipeline.ts";
import {
  deliveredCallIns,
  expectEconomyAsTruth,
  expectEventsAsTruth,
  expectGameOver,
  expectNothingLost,
  expectStatsAsRecorded,
  expectUnitCountsAsTruth,
  viewOf,
} from "./pipeline-checks.ts";
import { ofType, readOneSession, readRecordings } from "./recording.ts";
import { FAST_GAME_SPEED, readGame, readTruth, type RecordedGame } from "./world-driver.ts";
import { browserSkipReason } from "../support/browser.ts";
import { luaInterpreters } from "../support/interpreters.ts";
import {
  launchChromium,
  openOverlay,
  overlayCaughtUp,
  readScoreboard,
} from "../support/overlay-page.ts";
import { random } from "../support/random.ts";
import { readUnitDefs } from "../../tools/receiver/realGame.ts";

export interface PipelineTrial {
  game: string;
  view: "fullview" | "player";
  /** Seed of the cuts and restarts; none: the connection is left alone. */
  faultSeed?: number;
  /** Wall seconds the game lasts (default: at FAST_GAME_SPEED). */
  gameWallSeconds?: number;
}

export const trialTitle = (t: PipelineTrial): string =>
  `${t.game}, ${t.view === "fullview" ? "full-view spectator" : "player of team 0"}` +
  (t.faultSeed === undefined ? "" : `, cuts and receiver restarts (seed ${t.faultSeed})`);

/** The game's end was fully delivered: every team's statistics entries, the final economy. */
function complete(dir: string, game: RecordedGame): true | string {
  const sessions = [...readRecordings(dir).values()];
  if (sessions.length !== 1) return `${sessions.length} sessions recorded`;
  const m = sessions[0]!.messages;
  const stats = ofType(m, "stats");
  for (const t of game.teams) {
    const want = game.teamStats[String(t.teamID)]!.length;
    const got = stats.filter((s) => s.teamID === t.teamID).length;
    if (got < want) return `team ${t.teamID}: ${got} of ${want} statistics entries recorded`;
  }
  if (!ofType(m, "economy").some((e) => e.frame === game.gameSeconds * 30)) {
    return "no economy sample of the end";
  }
  return true;
}

/** Cuts the connection or restarts the receiver at random moments until `done`. */
async function faults(pipeline: Pipeline, seed: number, done: () => boolean): Promise<number> {
  const rand = random(seed);
  let count = 0;
  while (!done()) {
    await new Promise((r) => setTimeout(r, 500 + rand() * 2500));
    if (done()) break;
    if (rand() < 0.5) {
      await pipeline.receiver.cut();
    } else {
      await pipeline.receiver.stop();
      await new Promise((r) => setTimeout(r, rand() * 1500));
      await pipeline.receiver.start();
    }
    count++;
  }
  return count;
}

export async function runPipelineTrial(
  interpreter: string,
  trial: PipelineTrial,
  browser: Browser | null,
): Promise<void> {
  const game = readGame(trial.game);
  const endFrame = game.gameSeconds * 30;
  const view = viewOf(game, trial.view);
  const receiver = new InProcessReceiver();
  const pipeline = await Pipeline.start({
    interpreter,
    receiver,
    probe: true,
    fps: 1000,
    world: {
      driver: "game",
      game: trial.game,
      seed: 3,
      view: trial.view,
      viewTeam: 0,
      speed: trial.gameWallSeconds ? game.gameSeconds / trial.gameWallSeconds : FAST_GAME_SPEED,
      truthDamage: false,
      autoStart: false,
    },
  });
  try {
    await pipeline.startGameWhenReady(120_000);
    let ended = false;
    const end = pipeline.gameEnded(240_000).then(() => (ended = true));
    const faulted =
      trial.faultSeed === undefined ? 0 : await faults(pipeline, trial.faultSeed, () => ended);
    await end;
    const status = await pipeline.settled(() => complete(receiver.recordingsDir, game), 120_000);
    expect(status.internalErrors, status.lastInternalError).toBe(0);
    expect(status.collection.dropped).toBe(0);
    expect(status.delivery.dropped).toBe(0);
    expect(status.collection.view).toBe(trial.view);
    if (trial.faultSeed !== undefined) expect(faulted, "cuts and restarts").toBeGreaterThan(3);

    const recording = readOneSession(receiver.recordingsDir);
    const truth = readTruth(pipeline.truthLog);
    expect(recording.session).toBe(status.delivery.session);
    expectNothingLost(recording, status.delivery.produced);
    if (trial.faultSeed === undefined) expect(recording.cutOff, "lines cut off").toBe(0);
    else expect(recording.duplicates, "messages sent again after a reconnect").toBeGreaterThan(0);
    expectStatsAsRecorded(recording, game, view);
    expect(expectUnitCountsAsTruth(recording, truth, view, endFrame)).toBeGreaterThan(1);
    expectEventsAsTruth(recording, truth, view, deliveredCallIns(await pipeline.probe()));
    const gaia = Math.max(...game.teams.map((t) => t.teamID)) + 1;
    expectEconomyAsTruth(recording, truth, view, gaia, endFrame);
    expectGameOver(recording, game, truth);

    if (browser) {
      const page = await openOverlay(browser, receiver.httpPort);
      try {
        await overlayCaughtUp(page, receiver.app!.receiver.feed.lastId);
        const shown = await readScoreboard(page);
        const expected = expectedScoreboard(game, truth, readUnitDefs(), view);
        // A restarted receiver sums kills and losses from what it received since: only
        // an uninterrupted one can show the whole game's.
        const fields = trial.faultSeed === undefined ? expected : expected.map(withoutLosses);
        expect(comparable(shown, fields)).toEqual(fields);
      } finally {
        await page.close();
      }
    }
    await pipeline.stop();
    pipeline.removeFiles();
  } catch (error) {
    await pipeline.kill();
    if (error instanceof Error) error.message += `\n(recordings kept in ${receiver.recordingsDir})`;
    throw error;
  }
}

/**
 * Registers one test per trial and interpreter, with one Chromium for the file (without
 * one the scoreboard is not checked, said once; under CI=true that fails). The two
 * interpreters' runs of a trial go at once: no timing checks. With `trialsAtOnce`, every
 * trial's runs too (up to vitest's maxConcurrency, 5): a run mostly waits for its game's
 * wall seconds.
 */
export function registerPipelineTrials(
  title: string,
  trials: PipelineTrial[],
  { trialsAtOnce = false } = {},
): void {
  const noBrowser = browserSkipReason();
  if (noBrowser) console.warn(`${title}: the overlay's scoreboard is not checked: ${noBrowser}`);
  let browser: Browser | null = null;
  beforeAll(async () => {
    if (!noBrowser) browser = await launchChromium();
  }, 60_000);
  // Not after each test: each run ends its own host; this catches one a failure left.
  afterAll(async () => {
    await browser?.close();
    await BarHost.killAll();
  });
  describe(title, () => {
    for (const trial of trials) {
      (trialsAtOnce ? describe.concurrent : describe)(trialTitle(trial), () => {
        it.concurrent.for(luaInterpreters())("under $name", { timeout: 600_000 }, async (lua) => {
          await runPipelineTrial(lua.path, trial, browser);
        });
      });
    }
  });
}
