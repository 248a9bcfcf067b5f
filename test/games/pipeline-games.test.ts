/**
 * `npm run test:games`: the whole pipeline (test/host/pipeline-suite.ts) on every shared
 * real game, as full-view spectator and as player of team 0, each also with the connection
 * cut and the receiver restarted at seeded random moments, under every interpreter.
 */
import { registerPipelineTrials } from "../host/pipeline-suite.ts";
import { GAME_FILES } from "../host/world-driver.ts";
import { registerMissingInterpreterTests } from "../support/interpreters.ts";

registerMissingInterpreterTests();

registerPipelineTrials(
  "the whole pipeline on every real game",
  GAME_FILES.flatMap((game, g) =>
    (["fullview", "player"] as const).flatMap((view, v) => [
      { game, view },
      { game, view, faultSeed: 100 + 10 * g + v, gameWallSeconds: 30 },
    ]),
  ),
);
