/**
 * The whole pipeline on a real game, lean enough for `npm test`: one game per interpreter
 * and view (full-view spectator, player of team 0) at 80 times real time, all at once.
 * Every game, view and fault seed (the connection cut and the receiver restarted at seeded
 * random moments): `npm run test:games` (test/games/); cuts and restarts against the
 * protocol's receiver: protocol.test.ts.
 */
import { registerPipelineTrials } from "../host/pipeline-suite.ts";
import { registerMissingInterpreterTests } from "../support/interpreters.ts";

registerMissingInterpreterTests();

const GAME = "centerrock-3v1-2025.json";
registerPipelineTrials(
  "the whole pipeline on a real game: widget, receiver, recording, overlay",
  [
    { game: GAME, view: "fullview" },
    { game: GAME, view: "player" },
  ],
  { trialsAtOnce: true },
);
