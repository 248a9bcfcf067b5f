/**
 * The whole pipeline on a real game, lean enough for `npm test`: one game per interpreter
 * and view (full-view spectator, player of team 0) as fast as the host plays it, and one
 * run per interpreter with the connection cut and the receiver restarted at seeded random
 * moments. Every game, view and fault seed: `npm run test:games` (test/games/).
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import type { Browser } from "playwright-core";
import { BarHost } from "../host/driver.ts";
import { runPipelineTrial, trialTitle, type PipelineTrial } from "../host/pipeline-suite.ts";
import { browserSkipReason } from "../support/browser.ts";
import { luaInterpreters, registerMissingInterpreterTests } from "../support/interpreters.ts";
import { launchChromium } from "../support/overlay-page.ts";

registerMissingInterpreterTests();
const noBrowser = browserSkipReason();
if (noBrowser) console.warn(`pipeline e2e: the overlay's scoreboard is not checked: ${noBrowser}`);

const GAME = "centerrock-3v1-2025.json";
const TRIALS: PipelineTrial[] = [
  { game: GAME, view: "fullview" },
  { game: GAME, view: "player" },
  { game: GAME, view: "fullview", faultSeed: 1, gameWallSeconds: 20 },
];

let browser: Browser | null = null;
beforeAll(async () => {
  if (!noBrowser) browser = await launchChromium();
}, 60_000);
// Not after each test: the two interpreters' runs go at once (no timing checks).
afterAll(async () => {
  await browser?.close();
  await BarHost.killAll();
});

describe("the whole pipeline on a real game: widget, receiver, recording, overlay", () => {
  for (const trial of TRIALS) {
    describe(trialTitle(trial), () => {
      it.concurrent.for(luaInterpreters())("under $name", { timeout: 300_000 }, async (lua) => {
        await runPipelineTrial(lua.path, trial, browser);
      });
    });
  }
});
