/**
 * `npm run test:games`: the whole pipeline (test/host/pipeline-suite.ts) on every shared
 * real game, as full-view spectator and as player of team 0, each also with the connection
 * cut and the receiver restarted at seeded random moments, under every interpreter (the
 * two interpreters' runs go at once: no timing checks).
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import type { Browser } from "playwright-core";
import { BarHost } from "../host/driver.ts";
import { runPipelineTrial, trialTitle, type PipelineTrial } from "../host/pipeline-suite.ts";
import { GAME_FILES } from "../host/world-driver.ts";
import { browserSkipReason } from "../support/browser.ts";
import { luaInterpreters, registerMissingInterpreterTests } from "../support/interpreters.ts";
import { launchChromium } from "../support/overlay-page.ts";

registerMissingInterpreterTests();
const noBrowser = browserSkipReason();
if (noBrowser)
  console.warn(`pipeline games: the overlay's scoreboard is not checked: ${noBrowser}`);

const TRIALS: PipelineTrial[] = GAME_FILES.flatMap((game, g) =>
  (["fullview", "player"] as const).flatMap((view, v) => [
    { game, view },
    { game, view, faultSeed: 100 + 10 * g + v, gameWallSeconds: 30 },
  ]),
);

let browser: Browser | null = null;
beforeAll(async () => {
  if (!noBrowser) browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await BarHost.killAll();
});

describe("the whole pipeline on every real game", () => {
  for (const trial of TRIALS) {
    describe(trialTitle(trial), () => {
      it.concurrent.for(luaInterpreters())("under $name", async (lua) => {
        await runPipelineTrial(lua.path, trial, browser);
      });
    });
  }
});
